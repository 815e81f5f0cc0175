"""`make run`: the web server and the background worker side by side, stopped together."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sgu.core.management.commands.load_demo import demo_accounts


class Command(BaseCommand):
    help = "Sirve la plataforma en 127.0.0.1:PORT con el worker de tareas (correos) al lado."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        manage = [sys.executable, str(settings.PROJECT_DIR / "manage.py")]
        workers = [subprocess.Popen([*manage, "db_worker", "--interval", "1"])]
        url = f"http://{host}:{port}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"SGU en {url}"))
        self.stdout.write(f"  API: {url}/api/v1/docs   administración: {url}/admin/")
        self.stdout.write("  Cuentas de demostración:")
        for label, email, password in demo_accounts():
            self.stdout.write(f"    {label:<30} {email:<32} {password}")
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"  Correos (sin EMAIL_HOST): se guardan en {settings.EMAIL_FILE_PATH}")
        self.stdout.write("  Ctrl+C para detener.\n")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)
        finally:
            for p in workers:
                p.send_signal(signal.SIGTERM)
            for p in workers:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
