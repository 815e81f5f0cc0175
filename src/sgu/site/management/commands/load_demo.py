from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from sgu.accounts.models import Role, User
from sgu.accounts.services import (
    confirmed_device,
    create_staff_user,
    enrol_known_secret,
    register_citizen,
    second_factor_required,
)
from sgu.attention.demo import load_attention_areas
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Office, Operator
from sgu.knowledge.demo import load_knowledge_demo
from sgu.suggestions.demo import load_suggestion_routing

PASSWORD_CITIZEN = "Reporte.Movil.2026"
PASSWORD_STAFF = "Regulador.2026"
PASSWORD_OPERATOR = "Operadora.2026"
# Staff and operator accounts must use two-factor authentication: the demo ones share this
# known secret (README: add it to an authenticator app, or `manage.py totp_code EMAIL`).
DEMO_TOTP_SECRET = "SGUDEMOSGUDEMOSGUDEMOSGUDEMO2345"

DEMO_CITIZEN = {
    "email": "ciudadano@demo.sgu.pe",
    "document_type": "DNI",
    "document_number": "45678912",
    "first_name": "Rosa",
    "last_name": "Quispe Mamani",
    "phone": "987654321",
}


def demo_accounts() -> list[tuple[str, str, str]]:
    rows = [
        ("Ciudadano", DEMO_CITIZEN["email"], PASSWORD_CITIZEN),
        ("Orientador (oficina Lima)", "orientador@demo.sgu.pe", PASSWORD_STAFF),
        ("Supervisor (y administrador)", "supervisor@demo.sgu.pe", PASSWORD_STAFF),
        ("Especialista (2.º nivel)", "especialista@demo.sgu.pe", PASSWORD_STAFF),
        ("Soporte técnico (3.er nivel)", "soporte@demo.sgu.pe", PASSWORD_STAFF),
        ("Supervisora de contenidos", "editora@demo.sgu.pe", PASSWORD_STAFF),
    ]
    for code in ("CLARO", "MOVISTAR", "ENTEL", "BITEL"):
        rows.append((f"Agente {code}", f"agente.{code.lower()}@demo.sgu.pe", PASSWORD_OPERATOR))
    rows.append(("Administrador CLARO", "admin.claro@demo.sgu.pe", PASSWORD_OPERATOR))
    return rows


class Command(BaseCommand):
    help = (
        "Carga los datos de demostración (operadoras, catálogo MÓVIL, oficina, usuarios). "
        "Idempotente."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="No imprimir las cuentas.")

    @transaction.atomic
    def handle(self, *args, **options):
        load_reference_data()
        office = Office.objects.get(code="LIMA-SEDE")
        if not User.objects.filter(email=DEMO_CITIZEN["email"]).exists():
            citizen = register_citizen(**DEMO_CITIZEN, password=PASSWORD_CITIZEN, consent=True)
            User.objects.filter(pk=citizen.pk).update(email_verified_at=timezone.now())
        staff = [
            ("orientador@demo.sgu.pe", Role.REGULATOR_AGENT, "Luis", "Torres Ríos", None, office),
            (
                "supervisor@demo.sgu.pe",
                Role.REGULATOR_SUPERVISOR,
                "Carmen",
                "Vega Salas",
                None,
                office,
            ),
        ]
        for op in Operator.objects.filter(code__in=["CLARO", "MOVISTAR", "ENTEL", "BITEL"]):
            staff.append(
                (
                    f"agente.{op.code.lower()}@demo.sgu.pe",
                    Role.OPERATOR_AGENT,
                    "Agente",
                    op.code.title(),
                    op,
                    None,
                )
            )
            if op.code == "CLARO":  # manages its staff, API keys and webhook
                staff.append(
                    ("admin.claro@demo.sgu.pe", Role.OPERATOR_ADMIN, "Ana", "Claro", op, None)
                )
        for email, role, first, last, operator, off in staff:
            if User.objects.filter(email=email).exists():
                continue
            user = create_staff_user(
                email=email,
                password=PASSWORD_OPERATOR if operator else PASSWORD_STAFF,
                role=role,
                first_name=first,
                last_name=last,
                operator=operator,
                office=off,
            )
            if role == Role.REGULATOR_SUPERVISOR:
                # The demo supervisor also administers the catalog in /admin/.
                User.objects.filter(pk=user.pk).update(is_superuser=True)
        load_attention_areas(password=PASSWORD_STAFF, office=office)
        load_suggestion_routing()
        load_knowledge_demo(password=PASSWORD_STAFF)
        # Every demo account that must use two-factor authentication gets the known secret.
        for _label, email, _password in demo_accounts():
            user = User.objects.filter(email=email).first()
            if user and second_factor_required(user) and confirmed_device(user) is None:
                enrol_known_secret(user=user, secret=DEMO_TOTP_SECRET)
        if not options["quiet"]:
            self.stdout.write("Cuentas de demostración:")
            for label, email, password in demo_accounts():
                self.stdout.write(f"  {label:<30} {email:<32} {password}")
            self.stdout.write(
                f"  Verificación en dos pasos (personal y operadoras): clave {DEMO_TOTP_SECRET} "
                "en su aplicación, o `python manage.py totp_code CORREO`."
            )
