"""Demo attention areas and their members (called by `load_demo`; idempotent)."""

from sgu.accounts.models import Role, User
from sgu.accounts.services import create_staff_user
from sgu.attention.models import Area, AreaMember

DEMO_AREAS = [
    ("ORIENTACION", "Orientación", 1),
    ("USUARIOS", "Protección de usuarios", 2),
    ("FISCALIZACION", "Fiscalización", 2),
    ("TARIFAS", "Tarifas y regulación económica", 2),
    ("SOPORTE-TI", "Soporte técnico", 3),
]

# (email, first name, last name, area code); the demo orientador joins "Orientación".
DEMO_MEMBERS = [
    ("especialista@demo.sgu.pe", "Jorge", "Paredes Lazo", "USUARIOS"),
    ("soporte@demo.sgu.pe", "Ana", "Huamán Cruz", "SOPORTE-TI"),
]


def load_attention_areas(*, password: str | None, office=None) -> None:
    for code, name, level in DEMO_AREAS:
        Area.objects.get_or_create(code=code, defaults={"name": name, "level": level})
    areas = {a.code: a for a in Area.objects.all()}
    orientador = User.objects.filter(email="orientador@demo.sgu.pe").first()
    if orientador:
        AreaMember.objects.get_or_create(area=areas["ORIENTACION"], user=orientador)
    for email, first, last, area_code in DEMO_MEMBERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = create_staff_user(
                email=email,
                password=password,
                role=Role.REGULATOR_AGENT,
                first_name=first,
                last_name=last,
                office=office,
            )
        AreaMember.objects.get_or_create(area=areas[area_code], user=user)
