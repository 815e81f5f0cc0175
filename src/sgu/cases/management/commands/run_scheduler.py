"""The scheduler: makes deadlines act. Run it as its own process in production (one or more:
they share the work without moving a case twice)."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sgu.cases import services

logger = logging.getLogger("sgu.scheduler")


class Command(BaseCommand):
    help = "Vence los casos sin respuesta en plazo y cierra los no calificados a tiempo."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Una pasada y terminar.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Segundos entre pasadas (60)."
        )

    def handle(self, *args, once: bool, interval: float, **options):
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

    last_sweep = float("-inf")

    def tick(self) -> None:
        close_old_connections()
        try:
            overdue = services.expire_overdue_cases()
            closed = services.close_unrated_cases()
            from sgu.reporting.services import daily_report_if_due

            daily_report_if_due()  # once a day, idempotent by date
            from sgu.reporting.rollups import refresh_if_due

            refresh_if_due()  # statistics rollups: a task every 5 min, a full rebuild nightly
            from sgu.service_requests.services import flag_missing_reports

            flag_missing_reports()  # days with no bajas/migraciones report; acts once a day
            from sgu.core.worker import requeue_abandoned_tasks

            requeue_abandoned_tasks()  # tasks a dead worker left RUNNING go back to the queue
            if time.monotonic() - self.last_sweep > 3600:  # hourly: walks the stored files
                from sgu.core.files import sweep_all

                sweep_all()  # files whose row never committed
                self.last_sweep = time.monotonic()
        except Exception:  # keep the scheduler alive; the next pass retries
            logger.exception("pasada del planificador fallida")
            return
        if overdue or closed:
            logger.info("vencidos: %s, cerrados sin calificación: %s", overdue, closed)
            self.stdout.write(f"vencidos: {overdue}, cerrados sin calificación: {closed}")
