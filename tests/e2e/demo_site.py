"""The living demo served to a browser, for the sweep and the screenshots.

pytest-django's live server empties its database after every test, and the other browser tests
need it empty; the demo is loaded once per session into a database of its own (a SQLite file,
or a PostgreSQL database next to the test one when DATABASE_URL names PostgreSQL) and served
by a separate process. That process runs on a virtual clock: it starts at the suite's pinned
instant (`SGU_TEST_NOW`, as the `clock` fixture does) and ticks, so the demo is the same on
every run and the 2FA codes computed here match the server's.
"""

import os
import socket
import subprocess
import sys
import time as real_time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from time_machine import escape_hatch

PROJECT_DIR = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("virtual_clock.py")
DEMO_TOTP_SECRET = "SGUDEMOSGUDEMOSGUDEMOSGUDEMO2345"  # load_demo.DEMO_TOTP_SECRET
PASSWORD_CITIZEN = "Reporte.Movil.2026"
PASSWORD_STAFF = "Regulador.2026"
PASSWORD_OPERATOR = "Operadora.2026"


@dataclass
class DemoSite:
    url: str
    start: datetime  # the virtual instant at `t0`
    t0: float  # real seconds since the epoch

    def now(self) -> datetime:
        return self.start + timedelta(seconds=real_now() - self.t0)

    def totp(self) -> str:
        from sgu.accounts import totp

        return totp.code_at(DEMO_TOTP_SECRET, self.now().timestamp())


def real_now() -> float:
    """Seconds since the epoch on the wall clock, even inside the `clock` fixture."""
    return escape_hatch.time.time() if escape_hatch.is_travelling() else real_time.time()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(name: str) -> str:
    """A fresh PostgreSQL database `name` on the server DATABASE_URL points at, or '' (SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return ""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(name: str) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start(folder: Path, start_at: datetime, load_args: list[str]):
    """Migrate, load the demo and serve it; yields the DemoSite, stops the server after."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    db_name = f"sgu_sweep_{worker}_{os.getpid()}"
    env = {
        **os.environ,
        "SGU_VAR_DIR": str(folder),
        "DATABASE_URL": _database_url(db_name),
        "SGU_VIRTUAL_NOW": start_at.isoformat(),
        "SGU_VIRTUAL_T0": repr(real_now()),
        "SGU_ENV": "development",
        "DEBUG": "0",
        "PYTHONPATH": str(PROJECT_DIR / "src"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    site = DemoSite("", start_at, float(env["SGU_VIRTUAL_T0"]))
    log = (folder / "server.log").open("w")

    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, str(LAUNCHER), *args],
            env=env,
            cwd=PROJECT_DIR,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    manage("migrate", "--no-input", "-v", "0")
    manage("load_demo", "--quiet", *load_args)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "--serve", str(port)],
        env=env,
        cwd=PROJECT_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    site.url = f"http://127.0.0.1:{port}"
    try:
        deadline = real_now() + 60
        while True:
            try:
                urllib.request.urlopen(site.url + "/", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None or real_now() > deadline:
                    raise RuntimeError(
                        "El servidor de la demostración no arrancó: "
                        + (folder / "server.log").read_text()[-2000:]
                    ) from None
                real_time.sleep(0.3)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if env["DATABASE_URL"]:
            drop_database(db_name)


def log_in(page, site: DemoSite, email: str, password: str) -> None:
    """Password, then — staff, operators and provider users — the authenticator's code."""
    page.goto(site.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_load_state("load")
    code = page.get_by_label("Código de verificación")
    if code.count():
        code.fill(site.totp())
        page.get_by_role("button", name="Verificar", exact=True).click()
        page.wait_for_load_state("load")


# role -> (email, password); None: nobody signed in. The demo accounts of load_demo/README.
ROLES = {
    "anonimo": None,
    "ciudadano": ("ciudadano@demo.sgu.pe", PASSWORD_CITIZEN),
    "orientador": ("orientador@demo.sgu.pe", PASSWORD_STAFF),  # 1.er nivel
    "especialista": ("especialista@demo.sgu.pe", PASSWORD_STAFF),  # 2.º nivel
    "soporte": ("soporte@demo.sgu.pe", PASSWORD_STAFF),  # 3.er nivel
    "supervisor": ("supervisor@demo.sgu.pe", PASSWORD_STAFF),
    "editora": ("editora@demo.sgu.pe", PASSWORD_STAFF),
    "agente-claro": ("agente.claro@demo.sgu.pe", PASSWORD_OPERATOR),
    "admin-claro": ("admin.claro@demo.sgu.pe", PASSWORD_OPERATOR),
    "prov-experiencia": ("experiencia@contacta.demo.sgu.pe", PASSWORD_STAFF),
    "prov-coordinador": ("coordinador@contacta.demo.sgu.pe", PASSWORD_STAFF),
    "prov-formadora": ("formadora@contacta.demo.sgu.pe", PASSWORD_STAFF),
    "prov-operaciones": ("operaciones@contacta.demo.sgu.pe", PASSWORD_STAFF),
    "prov-monitor": ("monitor@contacta.demo.sgu.pe", PASSWORD_STAFF),
    "prov-asesor": ("asesor1@contacta.demo.sgu.pe", PASSWORD_STAFF),
}
