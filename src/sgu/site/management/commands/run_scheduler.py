"""The scheduler: makes deadlines act. Run it as its own process in production (one or more:
they share the work without moving a case twice). It runs the jobs each app declares in its
jobs.py (core.scheduler), in the order of INSTALLED_APPS. It beats on every pass (/readyz
reads it) and outlives a database restart: a pass that finds no database drops the broken
connection, and the next pass opens a new one."""

import contextlib
import logging
import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from sgu.core import scheduler
from sgu.core.models import ProcessHeartbeat
from sgu.core.worker import beat, reset_connection, stop_beating

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
        self.interval = interval
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
            if not once:
                with contextlib.suppress(Exception):  # the database may be the reason to stop
                    stop_beating(self.name)

    interval = 60.0

    @property
    def name(self) -> str:
        return f"scheduler-{socket.gethostname()[:30]}-{os.getpid()}"

    def tick(self) -> None:
        if not hasattr(self, "jobs"):
            self.jobs = scheduler.Pass()
        try:
            close_old_connections()  # a connection the database dropped is replaced, not reused
            beat(self.name, ProcessHeartbeat.SCHEDULER, every=self.interval)
        except DatabaseError as exc:
            logger.warning("pasada sin base de datos (%s); la siguiente reintenta", exc)
            reset_connection()
            return
        said = self.jobs.run()
        if said:
            logger.info(", ".join(said))
            self.stdout.write(", ".join(said))
