"""The deployment files (deploy/) are used as they are: the systemd units, the gunicorn config
and the nginx site name commands and modules that exist; the backup keeps its retention."""

import configparser
import re
import shlex
import subprocess
import sys

import pytest
from django.core.management import get_commands

from ops.helpers import ROOT

DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/srv/sgu"  # where the units expect the repository (docs/operations.md)


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


def in_repository(path: str) -> str:
    """/srv/sgu/x → x (the unit names files of the installed repository)."""
    assert path.startswith(INSTALL_DIR + "/"), path
    return path[len(INSTALL_DIR) + 1 :]


def manage_command(exec_start: str) -> list[str]:
    """`…/python manage.py NAME args` → [NAME, args…], checking the python is the venv's."""
    argv = shlex.split(exec_start)
    assert in_repository(argv[0]) == ".venv/bin/python", argv
    assert argv[1] == "manage.py" and (ROOT / "manage.py").is_file()
    return argv[2:]


@pytest.mark.parametrize(
    ("name", "command"),
    [("sgu-worker.service", "db_worker"), ("sgu-scheduler.service", "run_scheduler")],
)
def test_worker_and_scheduler_units_run_existing_commands_and_restart_always(name, command):
    service = unit(name)["Service"]
    args = manage_command(service["ExecStart"])
    assert args[0] == command
    assert command in get_commands()
    assert service["Restart"] == "always"
    assert service["WorkingDirectory"] == INSTALL_DIR
    assert service["EnvironmentFile"] == "/etc/sgu/sgu.env"
    # Its options are ones the command accepts.
    result = subprocess.run(
        [sys.executable, "manage.py", *args, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for option in (a for a in args[1:] if a.startswith("--")):
        assert option in result.stdout, option


def test_the_web_unit_runs_gunicorn_with_the_repositorys_config_after_check_deploy():
    service = unit("sgu-web.service")["Service"]
    argv = shlex.split(service["ExecStart"])
    assert in_repository(argv[0]) == ".venv/bin/gunicorn"
    config = argv[argv.index("-c") + 1]  # relative to WorkingDirectory, the repository
    assert service["WorkingDirectory"] == INSTALL_DIR
    assert config == "deploy/gunicorn.conf.py" and (ROOT / config).is_file()
    assert service["Restart"] == "always"
    assert manage_command(service["ExecStartPre"]) == [
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    ]
    assert service["KillMode"] == "mixed"  # no orphaned worker keeps the port


def test_the_gunicorn_config_loads_the_sgu_wsgi_application():
    namespace: dict = {"__file__": str(DEPLOY / "gunicorn.conf.py")}
    exec((DEPLOY / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["wsgi_app"] == "sgu.wsgi:application"
    assert (ROOT / namespace["pythonpath"] / "sgu" / "wsgi.py").is_file()
    assert namespace["bind"] == "127.0.0.1:8000"
    # gunicorn itself reads the file and loads the application (no server started).
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--check-config",
        ]
        if (ROOT / ".venv" / "bin" / "gunicorn").exists()
        else [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--check-config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_nginx_sends_to_gunicorns_address_the_headers_the_application_trusts():
    site = (DEPLOY / "nginx" / "sgu.conf").read_text()
    namespace: dict = {"__file__": str(DEPLOY / "gunicorn.conf.py")}
    exec((DEPLOY / "gunicorn.conf.py").read_text(), namespace)
    assert f"server {namespace['bind']}" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site  # SECURE_PROXY_SSL_HEADER
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # not appended: set
    assert "proxy_set_header X-Request-ID $request_id;" in site
    body = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert body >= 250  # the biggest bajas report (SGU_SR_MAX_UPLOAD_MB)


def test_the_backup_timer_runs_the_backup_script():
    service = unit("sgu-backup.service")["Service"]
    assert in_repository(service["ExecStart"]) == "deploy/backup.sh"
    assert (DEPLOY / "backup.sh").stat().st_mode & 0o111  # executable
    assert "OnCalendar" in unit("sgu-backup.timer")["Timer"]


def test_retention_keeps_the_newest_backups(tmp_path):
    """BACKUP_KEEP=2: after a backup, only the two newest folders remain."""
    backup_dir = tmp_path / "backups"
    for stamp in ("20261201T030000Z", "20261202T030000Z", "20261203T030000Z"):
        (backup_dir / f"sgu-{stamp}").mkdir(parents=True)
    script = (ROOT / "deploy" / "backup.sh").read_text()
    retention = script[script.index("# 4. Retention") : script.index('echo "$dest"')]
    subprocess.run(
        ["bash", "-c", f"set -euo pipefail\nbackup_dir={backup_dir}\nkeep=2\n{retention}"],
        check=True,
    )
    assert sorted(p.name for p in backup_dir.iterdir()) == [
        "sgu-20261202T030000Z",
        "sgu-20261203T030000Z",
    ]


def test_the_readme_links_the_runbook_and_the_runbook_names_every_deploy_file():
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("## Producción") :]
    assert "docs/operations.md" in production.split("\n## ")[0]
    runbook = (ROOT / "docs" / "operations.md").read_text()
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            name = path.relative_to(ROOT).as_posix()
            assert name in runbook or path.name in runbook, name
    assert "manage.py check_integrity" in runbook
