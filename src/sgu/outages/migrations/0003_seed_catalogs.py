"""The document's lists as data: closing reasons each scenario allows, and the common
catalog of affected applications."""

from django.db import migrations

RULES = {
    "FALLA_MASIVA": [
        "CONECTIVIDAD",
        "INTERMITENCIA",
        "MANTENIMIENTO_APLICATIVOS",
        "FALLA_MASIVA_APLICATIVO",
    ],
    "EVENTO_NO_PREVISTO": ["SIN_FLUIDO_ELECTRICO", "INFRAESTRUCTURA"],
}

APPLICATIONS = [
    ("SISACT-PREPAGO", "SISACT Prepago", "VENTA", ""),
    ("SISACT", "SISACT", "VENTA", ""),
    (
        "SICAR",
        "SICAR",
        "VENTA",
        "Solo cuando hay que pagar para terminar la transacción registrada en SISACT o "
        "SISACT Prepago.",
    ),
    ("SIAC-UNICO", "SIAC ÚNICO", "POSTVENTA", ""),
    ("WEB-ASESOR-RECLAMOS", "Web Asesor reclamos", "POSTVENTA", ""),
    ("SGA", "SGA", "POSTVENTA", ""),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("outages", "ScenarioClosingReason")
    App = apps.get_model("outages", "AffectedApplication")
    for scenario, reasons in RULES.items():
        for reason in reasons:
            Rule.objects.get_or_create(scenario=scenario, closing_reason=reason)
    for order, (code, name, group, note) in enumerate(APPLICATIONS):
        App.objects.get_or_create(
            operator=None,
            code=code,
            defaults={"name": name, "group": group, "note": note, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("outages", "0002_review")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
