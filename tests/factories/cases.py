"""Cases through the real services: registered, answered, rated, overdue, claimed, returned."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from factories.api import case_payload
from factories.people import make_citizen
from sgu.accounts.auth import principal_for_user
from sgu.cases import services
from sgu.cases.models import Case
from sgu.cases.workflow import Actor
from sgu.core.principal import Principal

LIMA = ZoneInfo("America/Lima")


def lima(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    """An aware instant given in Lima's wall clock."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA)


def citizen_principal(user) -> Principal:
    return principal_for_user(user)


def operator_principal(operator) -> Principal:
    return Principal(actor_role=Actor.OPERATOR, operator=operator)


def make_case(citizen=None, *, now: datetime | None = None, **overrides) -> Case:
    """A case registered through the service (forwarded if the citizen is verified)."""
    citizen = citizen or make_citizen()
    data = case_payload(**overrides)
    return services.register_case(
        citizen=citizen,
        data=services.CaseInput(**data),
        by=citizen_principal(citizen),
        now=now,
    )


def acknowledge(case: Case, now: datetime | None = None) -> Case:
    return services.acknowledge_case(case=case, by=operator_principal(case.operator), now=now)


def solution_input(**overrides) -> services.SolutionInput:
    data = {
        "outcome": "RESOLVED",
        "detail": "Se acreditó la recarga de S/ 10 en la línea del usuario.",
        "actions": "Revisión del registro de recargas y abono manual.",
        "executed_at": date(2026, 1, 16),
        "responsible": "Mesa de ayuda de recargas",
    }
    data.update(overrides)
    return services.SolutionInput(**data)


def answer(case: Case, now: datetime | None = None, **overrides) -> Case:
    if "executed_at" not in overrides:
        overrides["executed_at"] = timezone.localdate(now or timezone.now())
    return services.record_solution(
        case=case, data=solution_input(**overrides), by=operator_principal(case.operator), now=now
    )


def rate(case: Case, *, resolved=True, score=5, comment="", now: datetime | None = None) -> Case:
    return services.rate_case(
        case=case,
        resolved=resolved,
        score=score,
        comment=comment,
        by=citizen_principal(case.citizen),
        now=now,
    )


def solution_payload(**overrides) -> dict:
    data = {
        "outcome": "RESOLVED",
        "detail": "Se acreditó la recarga de S/ 10 en la línea del usuario.",
        "actions": "Revisión del registro de recargas y abono manual.",
        "executed_at": timezone.localdate().isoformat(),
        "responsible": "Mesa de ayuda de recargas",
    }
    data.update(overrides)
    return data


def register_case(citizen, now=None, attachments=None, **overrides):
    """A case as the citizen would register it (through the service)."""
    payload = case_payload(**overrides)
    return services.register_case(
        citizen=citizen,
        data=services.CaseInput(**payload),
        by=Principal(actor_role=Actor.CITIZEN, user=citizen),
        attachments=attachments,
        now=now,
    )


def case_form(**overrides) -> dict:
    """The new-case form as a browser posts it."""
    payload = case_payload()
    data = {
        "operator": payload["operator"],
        "subcategory": payload["subcategory"],
        "service_number": payload["service_number"],
        "description": payload["description"],
    }
    for name, value in payload["fields"].items():
        data[f"fields.{name}"] = value
    data.update(overrides)
    return data


NOT_CLAIMABLE = {"subcategory": "sin-codigo", "fields": {"canal_atencion": "Tienda"}}


CLAIM_REASON = "La operadora no respondió y la recarga de S/ 10 sigue sin acreditarse."


def overdue_case(citizen, *, expire: bool = True, **overrides):
    """A case forwarded 20 days ago: its plazo passed. With `expire`, the scheduler's
    function has already marked it OVERDUE (otherwise it is past due but unmoved)."""

    case = register_case(citizen, now=timezone.now() - timedelta(days=20), **overrides)
    if expire:
        services.expire_overdue_cases()
        case.refresh_from_db()
    return case


def request_claim(case, reason: str = CLAIM_REASON, now=None):
    return services.request_claim(
        case=case,
        reason=reason,
        by=Principal(actor_role=Actor.CITIZEN, user=case.citizen),
        now=now,
    )


def assign_code(claim, code: str, now=None):
    return services.assign_claim_code(
        claim=claim,
        claim_code=code,
        by=Principal(actor_role=Actor.OPERATOR, operator=claim.operator),
        now=now,
    )


def return_case(case, reason: str = "La línea 987654321 no pertenece a nuestra empresa."):
    return services.return_case(
        case=case, reason=reason, by=Principal(actor_role=Actor.OPERATOR, operator=case.operator)
    )
