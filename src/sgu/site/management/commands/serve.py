"""`make run`: the web server and the background worker side by side, stopped together."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from sgu.site.management.commands.load_demo import DEMO_TOTP_SECRET, demo_accounts


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Sirve la plataforma (gunicorn) en 127.0.0.1:PORT con el worker y el planificador."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        manage = [sys.executable, str(settings.PROJECT_DIR / "manage.py")]
        children = [
            subprocess.Popen([*manage, "db_worker", "--interval", "1"]),
            subprocess.Popen([*manage, "run_scheduler", "--interval", "30"]),
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "sgu.wsgi",
                    "--pythonpath",
                    str(settings.PROJECT_DIR / "src"),
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                ]
            ),
        ]
        url = f"http://{host}:{port}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"SGU en {url}"))
        self.stdout.write(f"  API: {url}/api/v1/docs   administración: {url}/admin/")
        self.stdout.write("  Cuentas de demostración:")
        for label, email, password in demo_accounts():
            self.stdout.write(f"    {label:<30} {email:<32} {password}")
        self.stdout.write(
            f"  Código de verificación (personal y operadoras): clave {DEMO_TOTP_SECRET} en su "
            "aplicación de autenticación, o `python manage.py totp_code CORREO`."
        )
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(
                f"  Correos (sin EMAIL_HOST): se guardan en {settings.EMAIL_FILE_PATH}"
            )
        self.stdout.write("  Ctrl+C para detener.\n")
        # Stop the children too when we are told to stop.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            # Until one of them stops (or Ctrl+C), then stop the other.
            while all(p.poll() is None for p in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in children:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in children:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
