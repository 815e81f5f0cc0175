"""The starting classification of consultas, the attention manual's families (the operating
system, registries and procedures, legal, other) applied to the telecom regulator. The
administrator maintains it in /admin/ from here on."""

from django.db import migrations

CATALOG = [
    (
        "sgu",
        "Plataforma SGU (uso operativo)",
        False,
        [
            ("sgu-cuenta", "Cuenta, acceso y verificación"),
            ("sgu-registrar", "Cómo registrar un problema o reclamo"),
            ("sgu-seguimiento", "Seguimiento de un caso"),
            ("sgu-calificar", "Calificación, reclamo y apelación en línea"),
        ],
    ),
    (
        "tramites",
        "Trámites y servicios del regulador",
        False,
        [
            ("tramites-plazos", "Plazos de atención de las operadoras"),
            ("tramites-portabilidad", "Portabilidad numérica"),
            ("tramites-bajas", "Bajas y migraciones"),
            ("tramites-cobros", "Cobros, recargas y facturación"),
            ("tramites-cobertura", "Cobertura y calidad del servicio"),
        ],
    ),
    (
        "legal",
        "Legal (normativa)",
        True,
        [
            ("legal-derechos", "Derechos de los usuarios según la normativa"),
            ("legal-procedimiento", "Procedimiento de reclamos y apelaciones"),
            ("legal-contratos", "Contratos y condiciones de uso"),
        ],
    ),
    (
        "otros",
        "Otros",
        False,
        [
            ("otros-informacion", "Información general del regulador"),
            ("otros-competencia", "Fuera de la competencia del regulador"),
        ],
    ),
]


def seed(apps, schema_editor):
    QueryMotive = apps.get_model("attention", "QueryMotive")
    for i, (code, name, legal, children) in enumerate(CATALOG, start=1):
        family, _ = QueryMotive.objects.get_or_create(
            code=code, defaults={"name": name, "legal": legal, "order": i * 10}
        )
        for j, (child_code, child_name) in enumerate(children, start=1):
            QueryMotive.objects.get_or_create(
                code=child_code,
                defaults={"name": child_name, "parent": family, "legal": legal, "order": j},
            )


class Migration(migrations.Migration):
    dependencies = [("attention", "0005_query_motive")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
