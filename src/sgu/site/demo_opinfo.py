"""Demo of the operators' information for the citizen's form (instructivo, punto vii): each
demo operator's plans, packages, recharge channels and points of sale, with a history of
versions; some lists stale, one missing, so the regulator's page has something to flag. The
demo catalog asks for them where a problem needs them (the plan a migration was asked for,
the unsolicited package, where the recharge was made, the point of sale of a chip swap).

Idempotent: an operator that already has lists is left as it is."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sgu.catalog.models import FieldType, Operator, OperatorInfoKind, Subcategory, SubcategoryField
from sgu.core import reference
from sgu.core.principal import Actor, Principal
from sgu.operators import services
from sgu.operators.models import InfoList

P, K, R, S = (
    OperatorInfoKind.PLANS,
    OperatorInfoKind.PACKAGES,
    OperatorInfoKind.RECHARGE_CHANNELS,
    OperatorInfoKind.POINTS_OF_SALE,
)

# (subcategory, field name, label, kind, required, help text)
FORM_FIELDS = [
    ("migracion-no-ejecutada", "plan_destino", "Plan al que pidió migrar", P, True, ""),
    ("servicio-no-solicitado", "servicio", "Paquete o servicio que no pidió", K, True, ""),
    ("recarga-no-acreditada", "medio_recarga", "¿Dónde recargó?", R, True, ""),
    (
        "chip-o-titular-no-solicitado",
        "punto_venta",
        "¿En qué tienda o punto de venta se hizo?",
        S,
        False,
        "Si lo sabe: aparece en el mensaje o la constancia de la operación.",
    ),
]

RECHARGE = [
    ("Bodega o agente autorizado", "Con su número de celular"),
    ("Yape o Plin", "Opción «Recargas» del aplicativo"),
    ("Banca por internet", "BCP, Interbank, BBVA, Scotiabank"),
    ("Tarjeta de recarga física", ""),
]

# operator -> kind -> (days ago of each version, newest last), items of the current version
LISTS: dict[str, dict[str, tuple[list[int], list[tuple[str, str]]]]] = {
    "CLARO": {
        P: (
            [240, 12],
            [
                ("Max 39.90", "Internet ilimitado (30 GB en alta velocidad), llamadas y SMS"),
                ("Max 55.90", "Internet ilimitado (60 GB en alta velocidad), Claro Video"),
                ("Max 69.90", "Internet ilimitado (90 GB en alta velocidad), roaming América"),
                ("Max 99.90", "Internet ilimitado (150 GB en alta velocidad), HBO Max"),
                ("Prepago Chévere", "Recargas desde S/ 3"),
            ],
        ),
        K: (
            [12],
            [
                ("Paquete 3 GB por 7 días", "S/ 5"),
                ("Paquete de redes sociales 30 días", "S/ 10"),
                ("Claro Música", "Suscripción mensual"),
                ("Roaming Internacional 7 días", "S/ 29"),
                ("Minutos internacionales 100", "S/ 15"),
            ],
        ),
        R: ([12], [("Aplicativo Mi Claro", ""), *RECHARGE]),
        S: (
            [12],
            [
                ("Tienda Claro Jockey Plaza", "Av. Javier Prado Este 4200, Santiago de Surco"),
                ("Centro de Atención Claro Lince", "Av. Arequipa 1315, Lince"),
                ("Tienda Claro Mall Aventura Arequipa", "Av. Porongoche 500, Paucarpata"),
                ("Tienda Claro Real Plaza Trujillo", "Av. César Vallejo 1345, Trujillo"),
            ],
        ),
    },
    "MOVISTAR": {
        P: (
            [30],
            [
                ("Ilimitado 49.90", "Internet ilimitado (40 GB en alta velocidad)"),
                ("Ilimitado 69.90", "Internet ilimitado (80 GB en alta velocidad), Movistar TV"),
                ("Ilimitado 89.90", "Internet ilimitado (120 GB en alta velocidad)"),
                ("Prepago Todo en Uno", "Recargas desde S/ 5"),
            ],
        ),
        K: (
            [30],
            [
                ("Paquete Internet 2 GB por 3 días", "S/ 5"),
                ("Paquete WhatsApp ilimitado 30 días", "S/ 8"),
                ("Movistar Play", "Suscripción mensual"),
                ("Paquete de juegos Gameloft", "Suscripción semanal"),
            ],
        ),
        R: ([30], [("Aplicativo Mi Movistar", ""), *RECHARGE]),
        S: (
            [30],
            [
                ("Tienda Movistar Larcomar", "Malecón de la Reserva 610, Miraflores"),
                ("Tienda Movistar Plaza Norte", "Av. Alfredo Mendiola 1400, Independencia"),
                ("Tienda Movistar Cusco", "Av. El Sol 319, Cusco"),
            ],
        ),
    },
    # Entel's lists were not replaced for months: stale for the regulator.
    "ENTEL": {
        P: (
            [400, 200],
            [
                ("Entel Power 35.90", "Internet ilimitado (25 GB en alta velocidad)"),
                ("Entel Power 55.90", "Internet ilimitado (55 GB en alta velocidad)"),
                ("Entel Power 79.90", "Internet ilimitado (100 GB en alta velocidad)"),
                ("Prepago Entel Chip", "Recargas desde S/ 3"),
            ],
        ),
        K: (
            [200],
            [
                ("Bolsa 5 GB por 15 días", "S/ 10"),
                ("Entel Música", "Suscripción mensual"),
                ("Bolsa de minutos a fijos", "S/ 5"),
            ],
        ),
        R: ([200], [("Aplicativo Entel Perú", ""), *RECHARGE]),
        S: (
            [200],
            [
                ("Tienda Entel Mega Plaza", "Av. Alfredo Mendiola 3698, Independencia"),
                ("Tienda Entel San Isidro", "Av. Rivera Navarrete 501, San Isidro"),
            ],
        ),
    },
    # Bitel never informed its points of sale: flagged as missing.
    "BITEL": {
        P: (
            [45],
            [
                ("Ilimitado Bitel 29.90", "Internet ilimitado (20 GB en alta velocidad)"),
                ("Ilimitado Bitel 39.90", "Internet ilimitado (35 GB en alta velocidad)"),
                ("Ilimitado Bitel 55.90", "Internet ilimitado (70 GB en alta velocidad)"),
                ("Prepago Bitel", "Recargas desde S/ 1"),
            ],
        ),
        K: (
            [45],
            [
                ("Paquete 1 GB diario", "S/ 1"),
                ("Paquete TikTok ilimitado 7 días", "S/ 3"),
                ("Bitel Tono de espera", "Suscripción mensual"),
            ],
        ),
        R: ([45], [("Aplicativo Mi Bitel", ""), *RECHARGE]),
    },
}


def ask_for_lists() -> None:
    """The demo catalog's fields that offer the chosen operator's lists."""
    for sub_code, name, label, kind, required, help_text in FORM_FIELDS:
        sub = Subcategory.objects.filter(code=sub_code).first()
        if sub is None:
            continue
        values = {
            "label": label,
            "type": FieldType.OPERATOR_INFO,
            "info_kind": kind,
            "required": required,
            "choices": [],
            "help_text": help_text,
        }
        if not SubcategoryField.objects.filter(subcategory=sub, name=name).update(**values):
            SubcategoryField.objects.create(
                subcategory=sub, name=name, order=sub.fields.count(), **values
            )
    reference.bump()


@transaction.atomic
def load_operator_info_demo(now: datetime | None = None) -> None:
    now = now or timezone.now()
    ask_for_lists()
    for operator in Operator.objects.filter(code__in=LISTS):
        if InfoList.objects.filter(operator=operator).exists():
            continue
        by = Principal(actor_role=Actor.OPERATOR, operator=operator)
        for kind, (ages, items) in LISTS[operator.code].items():
            for i, days in enumerate(ages):
                at = now - timedelta(days=days)
                # An older version had one item fewer: the history shows a change.
                shown = items if i == len(ages) - 1 else items[:-1]
                services.replace_info(
                    operator=operator,
                    kind=kind,
                    items=[services.InfoItemInput(name=n, detail=d) for n, d in shown],
                    by=by,
                    now=at,
                )
