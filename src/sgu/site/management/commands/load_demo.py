import logging
import re
import time as stopwatch
from datetime import date, time

import time_machine
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from sgu.accounts.models import Role, User
from sgu.accounts.services import (
    confirm_email,
    confirmed_device,
    create_staff_user,
    enrol_known_secret,
    register_citizen,
    second_factor_required,
)
from sgu.attention.demo import load_attention_areas
from sgu.cases.models import Case
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Office, Operator
from sgu.knowledge.demo import load_knowledge_demo
from sgu.notifications.models import OutboundEmail
from sgu.provider.demo import TEAM as PROVIDER_TEAM
from sgu.provider.demo import load_provider_demo
from sgu.site.demo_att17 import load_att17_demo
from sgu.site.demo_claims15 import load_claims15_demo
from sgu.site.demo_history import History, Staff, history_exists, lima, months_before, past_emails
from sgu.site.demo_opinfo import load_operator_info_demo
from sgu.site.demo_outreview import load_outreview_demo
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


# Assisted registrations come from several offices (catalog.demo.OFFICES).
REGIONAL_ORIENTADORES = [
    ("orientador.arequipa@demo.sgu.pe", "Milagros", "Zegarra Apaza", "AREQUIPA", "Arequipa"),
    ("orientador.trujillo@demo.sgu.pe", "Renzo", "Villanueva Ríos", "TRUJILLO", "Trujillo"),
    ("orientador.cusco@demo.sgu.pe", "Yolanda", "Ccori Huamán", "CUSCO", "Cusco"),
]


def demo_accounts() -> list[tuple[str, str, str]]:
    rows = [
        ("Ciudadano", DEMO_CITIZEN["email"], PASSWORD_CITIZEN),
        ("Orientador (oficina Lima)", "orientador@demo.sgu.pe", PASSWORD_STAFF),
        *(
            (f"Orientador (oficina {name})", email, PASSWORD_STAFF)
            for email, _first, _last, _office, name in REGIONAL_ORIENTADORES
        ),
        ("Supervisor (y administrador)", "supervisor@demo.sgu.pe", PASSWORD_STAFF),
        ("Especialista (2.º nivel)", "especialista@demo.sgu.pe", PASSWORD_STAFF),
        ("Soporte técnico (3.er nivel)", "soporte@demo.sgu.pe", PASSWORD_STAFF),
        ("Supervisora de contenidos", "editora@demo.sgu.pe", PASSWORD_STAFF),
    ]
    for code in ("CLARO", "MOVISTAR", "ENTEL", "BITEL"):
        rows.append((f"Agente {code}", f"agente.{code.lower()}@demo.sgu.pe", PASSWORD_OPERATOR))
    for code in ("CLARO", "MOVISTAR", "ENTEL", "BITEL"):
        rows.append(
            (f"Administrador {code}", f"admin.{code.lower()}@demo.sgu.pe", PASSWORD_OPERATOR)
        )
    rows += [
        ("Proveedor: Experiencia Cliente", "experiencia@contacta.demo.sgu.pe", PASSWORD_STAFF),
        ("Proveedor: formadora", "formadora@contacta.demo.sgu.pe", PASSWORD_STAFF),
        ("Proveedor: asesor", "asesor1@contacta.demo.sgu.pe", PASSWORD_STAFF),
    ]
    return rows


def _accounts_with(password: str) -> list[str]:
    """Every demo account that signs in with this password: the listed ones and the rest of
    the provider's team (same password, not printed one by one)."""
    emails = [e for _label, e, p in demo_accounts() if p == password]
    if password == PASSWORD_STAFF:
        emails += [email for _role, email, _first, _last in PROVIDER_TEAM]
    return emails


SUMMARY = [  # (key, singular, plural)
    ("claims", "reclamo", "reclamos"),
    ("returned", "devolución", "devoluciones"),
    ("contingency_windows", "ventana de contingencia", "ventanas de contingencia"),
    ("queries", "consulta", "consultas"),
    ("escalations", "escalamiento", "escalamientos"),
    ("suggestions", "sugerencia", "sugerencias"),
    ("outages", "evento de inoperatividad", "eventos de inoperatividad"),
    ("daily_files", "reporte de bajas y migraciones", "reportes de bajas y migraciones"),
    ("emails", "correo (ya enviado)", "correos (ya enviados)"),
]
NAMES = {"CLARO": "Ana", "MOVISTAR": "Pedro", "ENTEL": "Lucía", "BITEL": "Hugo"}


def _demo_citizen() -> User:
    """Rosa signs up on the web and confirms her address from the email she gets, as anyone
    would (the confirmation email is part of the past: it counts as sent)."""
    rosa = User.objects.filter(email=DEMO_CITIZEN["email"]).first()
    if rosa is not None:
        return rosa
    rosa = register_citizen(**DEMO_CITIZEN, password=PASSWORD_CITIZEN, consent=True)
    body = (
        OutboundEmail.objects.filter(to=rosa.email, template="confirm_email")
        .values_list("body_text", flat=True)
        .last()
    )
    token = re.search(r"/cuenta/confirmar/([^/\s]+)/", body or "")
    if token is not None:
        confirm_email(token=token.group(1))
    rosa.refresh_from_db()
    return rosa


class Command(BaseCommand):
    help = (
        "Carga los datos de demostración: operadoras, catálogo MÓVIL, oficinas, cuentas y un "
        "año de actividad (casos, reclamos, consultas, reportes…). Idempotente."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="No imprimir las cuentas.")
        parser.add_argument(
            "--months",
            type=int,
            default=12,
            help="Meses de actividad antes de --until (12; 0: solo cuentas y catálogo).",
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Día (AAAA-MM-DD) en que termina la actividad; por defecto, hoy.",
        )
        parser.add_argument(
            "--per-day",
            type=float,
            default=9.0,
            help="Casos por día hábil, en promedio (9).",
        )

    def handle(self, *args, **options):
        # The audit trail and the ingest's progress still reach the database; a line per
        # demo account or daily report on the console would only bury the accounts' list.
        loggers = [
            logging.getLogger(name)
            for name in ("sgu.audit", "sgu.service_requests", "sgu.notifications")
        ]
        levels = [lg.level for lg in loggers]
        for lg in loggers:
            lg.setLevel(logging.WARNING)
        try:
            self._load(**options)
        finally:
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)

    @transaction.atomic
    def _load(self, **options):
        began = stopwatch.monotonic()
        until = options["until"] or timezone.localdate()
        months = max(0, options["months"])
        # The accounts exist from the first day of the history.
        with past_emails(), time_machine.travel(lima(months_before(until, months), time(7))):
            rosa = self._accounts()
        counts = None
        if months and not history_exists():
            counts = History(
                staff=self._staff(),
                citizen=rosa,
                until=until,
                months=months,
                per_day=options["per_day"],
            ).run()
        # The contact-centre provider's few months of requirements end now; its replicas use
        # the knowledge base's articles in force today, so it comes after the history.
        with past_emails():
            load_provider_demo(password=None)
            load_att17_demo(until=until)
            load_outreview_demo()
            load_claims15_demo(citizen=rosa)
        load_operator_info_demo()  # the operators' plans, packages… for the citizen's form
        self._credentials()
        if not options["quiet"]:
            self.stdout.write("Cuentas de demostración:")
            for label, email, password in demo_accounts():
                self.stdout.write(f"  {label:<30} {email:<34} {password}")
            self.stdout.write(
                f"  Verificación en dos pasos (personal y operadoras): clave {DEMO_TOTP_SECRET} "
                "en su aplicación, o `python manage.py totp_code CORREO`."
            )
        if counts is not None and options["verbosity"] >= 1:
            total = Case.objects.count()
            shown = [ngettext("%d caso", "%d casos", total) % total]
            shown += [
                ngettext(f"%d {one}", f"%d {many}", counts[key]) % counts[key]
                for key, one, many in SUMMARY
                if counts[key]
            ]
            seconds = f"{stopwatch.monotonic() - began:.1f}".replace(".", ",")
            self.stdout.write(
                f"Actividad de demostración hasta el {until:%d/%m/%Y} "
                f"({ngettext('%d mes', '%d meses', months) % months}): "
                f"{', '.join(shown)}; en {seconds} s."
            )

    def _accounts(self) -> User:
        load_reference_data()
        office = Office.objects.get(code="LIMA-SEDE")
        rosa = _demo_citizen()
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
        for email, first, last, office_code, _name in REGIONAL_ORIENTADORES:
            staff.append(
                (
                    email,
                    Role.REGULATOR_AGENT,
                    first,
                    last,
                    None,
                    Office.objects.get(code=office_code),
                )
            )
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
            # Each operator's lead: staff, API keys, webhook, attention points.
            staff.append(
                (
                    f"admin.{op.code.lower()}@demo.sgu.pe",
                    Role.OPERATOR_ADMIN,
                    NAMES[op.code],
                    op.code.title(),
                    op,
                    None,
                )
            )
        for email, role, first, last, operator, off in staff:
            if User.objects.filter(email=email).exists():
                continue
            user = create_staff_user(
                email=email,
                password=None,  # set below
                role=role,
                first_name=first,
                last_name=last,
                operator=operator,
                office=off,
            )
            if role == Role.REGULATOR_SUPERVISOR:
                # The demo supervisor also administers the catalog in /admin/.
                User.objects.filter(pk=user.pk).update(is_superuser=True)
        load_attention_areas(password=None, office=office)
        load_suggestion_routing()
        load_knowledge_demo(password=None)
        return rosa

    def _credentials(self) -> None:
        # One PBKDF2 hash per published password, shared by the accounts created just now
        # (each hash costs about half a second; twenty of them were most of this command).
        for password in (PASSWORD_STAFF, PASSWORD_OPERATOR):
            emails = _accounts_with(password)
            fresh = User.objects.filter(
                email__in=emails, password__startswith=UNUSABLE_PASSWORD_PREFIX
            )
            if fresh.exists():
                fresh.update(password=make_password(password))
        # Every demo account that must use two-factor authentication gets the known secret.
        for email in _accounts_with(PASSWORD_STAFF) + _accounts_with(PASSWORD_OPERATOR):
            user = User.objects.filter(email=email).first()
            if user and second_factor_required(user) and confirmed_device(user) is None:
                enrol_known_secret(user=user, secret=DEMO_TOTP_SECRET)

    def _staff(self) -> Staff:
        def user(email: str) -> User:
            return User.objects.get(email=email)

        codes = ("CLARO", "MOVISTAR", "ENTEL", "BITEL")
        return Staff(
            supervisor=user("supervisor@demo.sgu.pe"),
            orientadores=[user("orientador@demo.sgu.pe")]
            + [user(row[0]) for row in REGIONAL_ORIENTADORES],
            especialista=user("especialista@demo.sgu.pe"),
            soporte=user("soporte@demo.sgu.pe"),
            agents={c: user(f"agente.{c.lower()}@demo.sgu.pe") for c in codes},
            admins={c: user(f"admin.{c.lower()}@demo.sgu.pe") for c in codes},
        )
