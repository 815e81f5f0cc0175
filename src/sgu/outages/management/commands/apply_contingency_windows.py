"""Apply every contingency window again, in the order of their start (idempotent).

Useful after restoring a backup or after an application that stopped half-way: a case a
window already extended is never extended twice.
"""

from django.core.management.base import BaseCommand

from sgu.outages import selectors, services


class Command(BaseCommand):
    help = "Vuelve a aplicar todas las ventanas de contingencia (idempotente)."

    def handle(self, *args, **options):
        total = 0
        for window in selectors.contingency_windows().order_by("starts_at", "id"):
            result = services.apply_contingency_window(window=window, by=services.SYSTEM)
            total += result.extended
        self.stdout.write(f"casos ampliados: {total}")
