"""manage.py check_integrity: every invariant of the data (sgu/site/integrity.py), one line
each; exits 1 with a report when one is broken. Read-only: safe on a live database, and the
last step of every restore (docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from sgu.site.integrity import run_checks


class Command(BaseCommand):
    help = "Verifica las invariantes de los datos: líneas de tiempo, códigos, correos, webhooks."

    def handle(self, *args, **options):
        broken = 0
        for name, findings in run_checks():
            if findings:
                broken += len(findings)
                self.stdout.write(f"FALLA  {name}")
                for finding in findings:
                    self.stdout.write(f"       - {finding}")
            else:
                self.stdout.write(f"ok     {name}")
        if broken:
            raise CommandError(f"integridad: {broken} invariante(s) rota(s); ver el informe arriba")
        self.stdout.write("integridad: todo en orden")
