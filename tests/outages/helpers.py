"""Factories for the outages suites: everything goes through the services."""

from datetime import datetime
from itertools import count

from factories import PASSWORD
from sgu.accounts import services as accounts
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.outages import services
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


def make_supervisor(role: str = Role.REGULATOR_SUPERVISOR):
    return accounts.create_staff_user(
        email=f"supervisor.{next(_n)}@regulador.gob.pe",
        password=PASSWORD,
        role=role,
        first_name="Sofía",
        last_name="Supervisora",
    )


def make_point(admin, **overrides) -> AttentionPoint:
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
    }
    data.update(overrides)
    return services.OutageInput(**data)


def register(
    user, point: AttentionPoint, *, now: datetime | None = None, **overrides
) -> OutageEvent:
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
    }
    data.update(overrides)
    return data
