from django.core.management.base import BaseCommand, CommandError

from sgu.accounts.services import create_operator_key
from sgu.catalog.models import Operator


class Command(BaseCommand):
    help = "Crea una clave de API para una operadora e imprime la clave (solo se muestra una vez)."

    def add_arguments(self, parser):
        parser.add_argument("operator_code", help="p. ej. CLARO")
        parser.add_argument("--name", default="clave creada por consola")

    def handle(self, *args, operator_code, name, **options):
        operator = Operator.objects.filter(code=operator_code.upper()).first()
        if operator is None:
            codes = ", ".join(Operator.objects.values_list("code", flat=True)) or "ninguna"
            raise CommandError(f"No existe la operadora {operator_code}. Operadoras: {codes}.")
        raw, _ = create_operator_key(operator=operator, name=name)
        self.stdout.write(raw)
