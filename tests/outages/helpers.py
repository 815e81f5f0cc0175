"""Factories for the outages suites: everything goes through the services."""

from datetime import datetime
from itertools import count

from factories import PASSWORD
from sgu.accounts import services as accounts
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.operators.models import StaffDuty, StaffDutyAssignment
from sgu.outages import services
from sgu.outages.demo import load_outage_catalogs
from sgu.outages.models import AttentionPoint, OutageEvent

_n = count(1)


def make_operator_admin(operator):
    return accounts.create_staff_user(
        email=f"admin.{operator.code.lower()}.{next(_n)}@example.pe",
        password=PASSWORD,
        role=Role.OPERATOR_ADMIN,
        first_name="Administradora",
        last_name=operator.name,
        operator=operator,
    )


def grant(user, *duties: str):
    """Give `user` (operator staff) these duties, as its administrator would in «Personal»."""
    for duty in duties:
        StaffDutyAssignment.objects.get_or_create(user=user, duty=duty)
    return user


def make_staff(operator, *duties: str, role: str = Role.OPERATOR_AGENT, name: str = "Jefa"):
    user = accounts.create_staff_user(
        email=f"{name.lower()}.{operator.code.lower()}.{next(_n)}@example.pe",
        password=PASSWORD,
        role=role,
        first_name=name,
        last_name=operator.name,
        operator=operator,
    )
    return grant(user, *duties)


def make_channel_head(operator):
    return make_staff(operator, StaffDuty.CHANNEL_HEAD, name="Jefa")


def make_supervisor(role: str = Role.REGULATOR_SUPERVISOR):
    return accounts.create_staff_user(
        email=f"supervisor.{next(_n)}@regulador.gob.pe",
        password=PASSWORD,
        role=role,
        first_name="Sofía",
        last_name="Supervisora",
    )


def make_point(admin, **overrides) -> AttentionPoint:
    load_outage_catalogs()  # a transactional test's database lost the migration's rows
    data = {
        "code": f"CAC-{next(_n)}",
        "name": "Tienda principal",
        "kind": "TIENDA",
        "ubigeo": "150101",
        "address": "Av. Larco 345",
    }
    data.update(overrides)
    return services.create_attention_point(
        data=services.PointInput(**data), by=principal_for_user(admin)
    )


def outage_input(point: AttentionPoint, **overrides) -> services.OutageInput:
    data = {
        "attention_point": point.code,
        "procedure_type": "RECLAMOS",
        "scenario": "FALLA_MASIVA",
        "systems": "Sistema de postventa y CRM",
        "started_at": None,
        "manual": False,
        "applications": ("SIAC-UNICO",),
    }
    data.update(overrides)
    load_outage_catalogs()  # a transactional test's database lost the migration's rows
    return services.OutageInput(**data)


def register(
    user, point: AttentionPoint, *, now: datetime | None = None, **overrides
) -> OutageEvent:
    """Registered by `user` acting as the channel's head (the duty is granted if missing)."""
    grant(user, StaffDuty.CHANNEL_HEAD)
    return services.register_outage(
        data=outage_input(point, **overrides), by=principal_for_user(user), now=now
    )


def outage_payload(point_code: str, **overrides) -> dict:
    data = {
        "attention_point": point_code,
        "procedure_type": "RECLAMOS",
        "scenario": "FALLA_MASIVA",
        "systems": "Sistema de postventa y CRM",
        "started_at": "2026-03-09T10:00:00-05:00",
        "manual": False,
        "applications": ["SIAC-UNICO"],
    }
    data.update(overrides)
    return data
