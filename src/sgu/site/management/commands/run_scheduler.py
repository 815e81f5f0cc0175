"""The scheduler: makes deadlines act. Run it as its own process in production (one or more:
they share the work without moving a case twice). It runs the jobs each app declares in its
jobs.py (core.scheduler), in the order of INSTALLED_APPS."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sgu.core import scheduler

logger = logging.getLogger("sgu.scheduler")


class Command(BaseCommand):
    help = "Ejecuta las tareas periódicas de cada aplicación (vencimientos, cierres, reportes…)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Una pasada y terminar.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Segundos entre pasadas (60)."
        )

    def handle(self, *args, once: bool, interval: float, **options):
        self.jobs = scheduler.Pass()
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        # Put the caller's handlers back on the way out (call_command runs in-process).
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not stopping:
                self.tick()
                if once:
                    return
                slept = 0.0
                while slept < interval and not stopping:
                    time.sleep(0.5)
                    slept += 0.5
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def tick(self) -> None:
        close_old_connections()  # a connection the database dropped is replaced, not reused
        said = self.jobs.run()
        if said:
            logger.info(", ".join(said))
            self.stdout.write(", ".join(said))
