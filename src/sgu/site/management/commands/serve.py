"""`make run`: the web server, the task worker and the scheduler side by side, each
restarted if it dies (site/supervisor.py), all stopped together by Ctrl+C."""

import os
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from sgu.site.management.commands.load_demo import DEMO_TOTP_SECRET, demo_accounts
from sgu.site.supervisor import Child, Supervisor


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Sirve la plataforma (gunicorn) en 127.0.0.1:PORT con el worker y el planificador."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        manage = [sys.executable, str(settings.PROJECT_DIR / "manage.py")]
        supervisor = Supervisor(
            [
                Child("worker", [*manage, "db_worker", "--interval", "1"]),
                Child("planificador", [*manage, "run_scheduler", "--interval", "30"]),
                Child(
                    "gunicorn",
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
                        "--graceful-timeout",
                        "5",
                        "--access-logfile",
                        "-",
                    ],
                ),
            ],
            write=lambda message: self.stderr.write(message),
        )
        supervisor.start()
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
        # SIGTERM stops everything like Ctrl+C does; SIGINT is set too, since a shell starts
        # a background job with it ignored.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        supervisor.run()
