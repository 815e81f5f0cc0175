"""People and areas of the attention levels, made through the services."""

import importlib

from factories import PASSWORD, Api, dni, staff_token
from sgu.accounts import services as accounts
from sgu.attention.models import Area, AreaMember
from sgu.catalog.models import Office

AREAS = [
    ("ORIENTACION", "Orientación", 1),
    ("USUARIOS", "Protección de usuarios", 2),
    ("FISCALIZACION", "Fiscalización", 2),
    ("SOPORTE-TI", "Soporte técnico", 3),
    ("REDES", "Redes y sistemas", 3),
]


def make_motives() -> None:
    """The starting motive catalog (its data migration); a transactional test flushes it."""
    from django.apps import apps

    seed = importlib.import_module("sgu.attention.migrations.0006_query_motive_catalog").seed
    seed(apps, None)


def make_areas() -> dict[str, Area]:
    make_motives()
    for code, name, level in AREAS:
        Area.objects.get_or_create(code=code, defaults={"name": name, "level": level})
    return {a.code: a for a in Area.objects.all()}


def make_staff(
    *, area: str | None = None, role: str = "REGULATOR_AGENT", office=True, first="Luis"
):
    user = accounts.create_staff_user(
        email=f"staff{dni()}@regulador.example.pe",
        password=PASSWORD,
        role=role,
        first_name=first,
        last_name="Torres",
        office=Office.objects.get(code="LIMA-SEDE") if office else None,
    )
    if area:
        AreaMember.objects.create(area=Area.objects.get(code=area), user=user)
    return user


def api_for(user) -> Api:
    """The staff API as this member of an attention level."""
    return Api(staff_token(user))


QUERY = {
    "channel": "EMAIL",
    "name": "Rosa Quispe",
    "email": "rosa@example.pe",
    "topic": "Portabilidad",
    "motive": "tramites-portabilidad",
    "question": "¿Cuánto demora?",
}
