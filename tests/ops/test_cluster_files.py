"""The loopback cluster's static parts (deploy/cluster.sh, deploy/haproxy.cfg,
deploy/cluster_check.py), without starting it: the script parses, the balancer's config names the
ports the script starts things on and haproxy accepts it, `down` cleans up a state folder left
by a failed `up`. Starting the whole cluster is `deploy/cluster.sh up && … check` (minutes), not
a test; and production's static files: collectstatic with the hashed, compressed storage."""

import re
import shutil
import subprocess
import sys

import pytest

from ops.helpers import ROOT, production_env

DEPLOY = ROOT / "deploy"
SCRIPT = DEPLOY / "cluster.sh"
HAPROXY_CFG = DEPLOY / "haproxy.cfg"


def script_ports() -> dict[str, list[int]]:
    text = SCRIPT.read_text()
    ports = {
        name: [int(value)]
        for name, value in re.findall(r"^([A-Z0-9_]+_PORT)=(\d+)$", text, flags=re.MULTILINE)
    }
    web = re.search(r"^WEB_PORTS=\(([\d ]+)\)$", text, flags=re.MULTILINE)
    ports["WEB_PORTS"] = [int(p) for p in web.group(1).split()]
    return ports


def test_the_script_parses_and_is_executable():
    assert SCRIPT.stat().st_mode & 0o111
    result = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_service_has_its_own_port_and_none_is_the_system_postgresql():
    ports = [p for values in script_ports().values() for p in values]
    assert len(ports) == len(set(ports)) == 8, ports
    assert 5432 not in ports  # the system PostgreSQL belongs to other people


def test_haproxy_balances_the_two_web_processes_the_script_starts():
    ports = script_ports()
    cfg = HAPROXY_CFG.read_text()
    assert f"bind 127.0.0.1:{ports['LB_PORT'][0]} ssl" in cfg
    servers = re.findall(r"^\s*server (web\d) 127\.0\.0\.1:(\d+) check$", cfg, flags=re.MULTILINE)
    assert servers == [("web1", str(ports["WEB_PORTS"][0])), ("web2", str(ports["WEB_PORTS"][1]))]
    # The script drains a server through the admin socket and reads the health checks' verdict.
    assert "level admin" in cfg and "${SGU_CLUSTER_DIR}/haproxy.sock" in cfg
    assert "uri /healthz" in cfg
    text = SCRIPT.read_text()
    assert "set server web/$server state drain" in text
    assert "set server web/$server state ready" in text


def test_the_script_runs_gunicorn_with_the_repositorys_config():
    text = SCRIPT.read_text()
    assert text.count('"$venv/bin/gunicorn" -c "$root/deploy/gunicorn.conf.py"') == 2
    assert "db_worker --interval 1" in text and "run_scheduler --interval 60" in text


def test_haproxy_accepts_the_config(tmp_path):
    if not shutil.which("haproxy"):
        pytest.skip("haproxy no está instalado (deploy/cluster.sh up lo instala con apt-get)")
    if not shutil.which("openssl"):
        pytest.skip("sin openssl no hay certificado para el bind TLS")
    (tmp_path / "tls").mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp_path / "tls" / "key.pem"),
            "-out",
            str(tmp_path / "tls" / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    pem = (tmp_path / "tls" / "cert.pem").read_text() + (tmp_path / "tls" / "key.pem").read_text()
    (tmp_path / "tls" / "haproxy.pem").write_text(pem)
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(HAPROXY_CFG)],
        env={"SGU_CLUSTER_DIR": str(tmp_path), "PATH": "/usr/sbin:/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_down_removes_the_state_left_by_a_failed_up(tmp_path):
    """A state folder with logs, an env file and a stale pid file (its process long gone)."""
    state = tmp_path / "cluster"
    (state / "run").mkdir(parents=True)
    (state / "log").mkdir()
    (state / "sgu.env").write_text("SGU_ENV=production\n")
    (state / "run" / "redis.pid").write_text("2147483646\n")
    result = subprocess.run(
        [str(SCRIPT), "down"],
        env={"SGU_CLUSTER_DIR": str(state), "PATH": "/usr/sbin:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not state.exists()


def test_the_check_script_compiles_and_names_its_options():
    result = subprocess.run(
        [sys.executable, str(DEPLOY / "cluster_check.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for option in ("--base", "--cafile", "--restart", "--replica-log"):
        assert option in result.stdout


def test_collectstatic_builds_productions_hashed_static_files(tmp_path):
    """Production serves hashed, compressed static files (CompressedManifestStaticFilesStorage):
    collectstatic fails if a file names another that is not shipped (a source map, a font)."""
    env = production_env(SGU_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").is_file()
