"""The launch catalog (DOMAIN §4) and reference data (DOMAIN §9). Idempotent: keyed by codes."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from sgu.catalog.models import (
    Category,
    DeadlineUnit,
    FieldType,
    Office,
    Operator,
    Service,
    Subcategory,
    SubcategoryField,
    UitValue,
)
from sgu.core import reference

OPERATORS = [
    # Mobile lines, June 2025 (DOMAIN §9).
    ("CLARO", "Claro (América Móvil Perú)", 13_000_000),
    ("MOVISTAR", "Movistar (Telefónica del Perú)", 10_700_000),
    ("ENTEL", "Entel Perú", 9_700_000),
    ("BITEL", "Bitel (Viettel Perú)", 10_100_000),
]

OPERATOR_CHOICES = ["CLARO", "MOVISTAR", "ENTEL", "BITEL", "OTRA"]

D = "date"
T = "text"
M = "money"
C = "choice"

# (category code, category name, [(subcategory code, name, plazo days, claim days|None, fields)])
# fields: (name, label, type, required, choices)
MOVIL_CATALOG = [
    (
        "bloqueo",
        "Bloqueo y desbloqueo",
        [
            (
                "linea-bloqueada-sin-causa",
                "Línea o equipo bloqueado sin causa",
                1,
                3,
                [
                    ("fecha_bloqueo", "Fecha en que notó el bloqueo", D, True, []),
                    ("imei", "IMEI del equipo (si el bloqueado es el equipo)", T, False, []),
                ],
            ),
            (
                "no-desbloquean",
                "No se desbloquea la línea o el equipo",
                1,
                3,
                [
                    ("fecha_solicitud", "Fecha en que pidió el desbloqueo", D, True, []),
                    ("codigo_pedido", "Código de pedido que le dieron", T, False, []),
                ],
            ),
        ],
    ),
    (
        "baja",
        "Baja del servicio",
        [
            (
                "baja-no-ejecutada",
                "No ejecutaron la baja solicitada",
                2,
                3,
                [
                    ("codigo_pedido", "Código de pedido de la baja", T, True, []),
                    ("fecha_solicitud", "Fecha en que pidió la baja", D, True, []),
                ],
            ),
        ],
    ),
    (
        "migracion",
        "Migración de plan",
        [
            (
                "migracion-no-ejecutada",
                "No ejecutaron la migración solicitada",
                2,
                20,
                [
                    ("codigo_pedido", "Código de pedido de la migración", T, True, []),
                    ("plan_destino", "Plan al que pidió migrar", T, True, []),
                ],
            ),
        ],
    ),
    (
        "facturacion",
        "Facturación y cobros",
        [
            (
                "cobro-no-reconocido-menor",
                "Cobro no reconocido (hasta 0,5 UIT)",
                3,
                15,
                [
                    ("monto_reclamado", "Monto que no reconoce (S/)", M, True, []),
                    ("numero_recibo", "Número de recibo", T, False, []),
                ],
            ),
            (
                "cobro-no-reconocido-mayor",
                "Cobro no reconocido (más de 0,5 UIT)",
                3,
                20,
                [
                    ("monto_reclamado", "Monto que no reconoce (S/)", M, True, []),
                    ("numero_recibo", "Número de recibo", T, False, []),
                ],
            ),
            (
                "recibo-en-disputa",
                "Recibo en disputa: pido suspender el pago del monto reclamado",
                3,
                15,
                [
                    ("monto_reclamado", "Monto en disputa (S/)", M, True, []),
                    ("numero_recibo", "Número de recibo", T, True, []),
                ],
            ),
        ],
    ),
    (
        "recargas",
        "Recargas",
        [
            (
                "recarga-no-acreditada",
                "Recarga no acreditada / saldo descontado",
                1,
                15,
                [
                    ("monto_recarga", "Monto de la recarga (S/)", M, True, []),
                    ("fecha_recarga", "Fecha de la recarga", D, True, []),
                    (
                        "medio_recarga",
                        "¿Dónde recargó?",
                        C,
                        True,
                        [
                            "Bodega o agente",
                            "Aplicativo de la operadora",
                            "Banca por internet",
                            "Tarjeta física",
                            "Otro",
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "no-solicitados",
        "Servicios no solicitados",
        [
            (
                "servicio-no-solicitado",
                "Paquete o servicio adicional no solicitado",
                2,
                20,
                [
                    ("servicio", "Paquete o servicio que no pidió", T, True, []),
                    ("monto_cobrado", "Monto cobrado (S/)", M, False, []),
                ],
            ),
        ],
    ),
    (
        "portabilidad",
        "Portabilidad",
        [
            (
                "portabilidad-rechazada",
                "Portabilidad rechazada o no ejecutada",
                1,
                3,
                [
                    (
                        "operadora_cedente",
                        "Operadora de la que se quiere ir",
                        C,
                        True,
                        OPERATOR_CHOICES,
                    ),
                    ("fecha_solicitud", "Fecha de la solicitud de portabilidad", D, True, []),
                ],
            ),
        ],
    ),
    (
        "calidad",
        "Calidad del servicio",
        [
            (
                "sin-senal",
                "Sin señal / llamadas o datos intermitentes",
                2,
                3,
                [
                    (
                        "tipo_falla",
                        "¿Qué falla?",
                        C,
                        True,
                        [
                            "Sin señal",
                            "Las llamadas se cortan",
                            "Datos lentos o intermitentes",
                            "No llegan SMS",
                        ],
                    ),
                    ("lugar", "Dirección o zona donde ocurre", T, True, []),
                ],
            ),
        ],
    ),
    (
        "titularidad",
        "Titularidad y chip",
        [
            (
                "chip-o-titular-no-solicitado",
                "Reposición de chip o cambio de titular no solicitado",
                1,
                3,
                [("fecha_hecho", "Fecha en que ocurrió", D, False, [])],
            ),
        ],
    ),
    (
        "atencion",
        "Atención",
        [
            (
                "sin-codigo",
                "No entregan código de pedido o de reclamo",
                1,
                None,
                [
                    (
                        "canal_atencion",
                        "¿Dónde pidió el código?",
                        C,
                        True,
                        ["Tienda", "Teléfono 123", "Web o aplicativo", "Otro"],
                    ),
                ],
            ),
            ("info-reclamo", "Información sobre procedimiento de reclamo", 2, None, []),
        ],
    ),
]

# Billing claims: 15 business days up to 0.5 UIT claimed, 20 above (DOMAIN §4). The amount
# the citizen claims decides, whichever of the two subcategories they picked.
BILLING_SPLIT = {
    code: {
        "claim_deadline_days": 15,
        "claim_amount_field": "monto_reclamado",
        "claim_deadline_days_above_half_uit": 20,
    }
    for code in ("cobro-no-reconocido-menor", "cobro-no-reconocido-mayor")
}

# A reclamo that implies the suspension of payments is not generated through the SGU (the
# operator's reclamo procedure): the citizen is told where to file it instead.
PAYMENT_SUSPENSION = {
    "recibo-en-disputa": {
        "suspends_payments": True,
        "claim_elsewhere": "Presente el reclamo directamente ante su operadora (centro de "
        "atención, línea gratuita o página web): así queda suspendida la obligación de pagar el "
        "monto en disputa mientras se resuelve.",
    }
}

FIELD_TYPES = {D: FieldType.DATE, T: FieldType.TEXT, M: FieldType.MONEY, C: FieldType.CHOICE}

OFFICES = [
    {
        "code": "LIMA-SEDE",
        "name": "Oficina Lima — Sede central",
        "address": "Calle de la Prosa 136, San Borja",
        "ubigeo": "150130",
        "department": "Lima",
        "province": "Lima",
        "district": "San Borja",
        "latitude": Decimal("-12.089120"),
        "longitude": Decimal("-77.004380"),
    },
    # Regional offices: the demo's assisted registrations come from several of them.
    {
        "code": "AREQUIPA",
        "name": "Oficina Arequipa",
        "address": "Calle Santa Catalina 210, Cercado",
        "ubigeo": "040101",
        "department": "Arequipa",
        "province": "Arequipa",
        "district": "Arequipa",
        "latitude": Decimal("-16.396300"),
        "longitude": Decimal("-71.536900"),
    },
    {
        "code": "TRUJILLO",
        "name": "Oficina Trujillo",
        "address": "Jr. Pizarro 540, Cercado",
        "ubigeo": "130101",
        "department": "La Libertad",
        "province": "Trujillo",
        "district": "Trujillo",
        "latitude": Decimal("-8.111700"),
        "longitude": Decimal("-79.028700"),
    },
    {
        "code": "CUSCO",
        "name": "Oficina Cusco",
        "address": "Av. El Sol 345",
        "ubigeo": "080101",
        "department": "Cusco",
        "province": "Cusco",
        "district": "Cusco",
        "latitude": Decimal("-13.520900"),
        "longitude": Decimal("-71.972200"),
    },
]

UIT = {2024: Decimal("5150"), 2025: Decimal("5350"), 2026: Decimal("5500")}


@transaction.atomic
def load_reference_data() -> None:
    reference.bump()  # every process reloads the catalog it cached
    for code, name, lines in OPERATORS:
        Operator.objects.update_or_create(
            code=code,
            defaults={"name": name, "mobile_lines": lines, "lines_as_of": date(2025, 6, 30)},
        )
    for office in OFFICES:
        Office.objects.update_or_create(code=office["code"], defaults=office)
    for year, value in UIT.items():
        UitValue.objects.update_or_create(year=year, defaults={"value": value})
    for i, (code, name) in enumerate(Service.Code.choices):
        Service.objects.update_or_create(
            code=code, defaults={"name": name, "order": i, "active": code == "MOVIL"}
        )
    movil = Service.objects.get(code="MOVIL")
    for c_order, (c_code, c_name, subs) in enumerate(MOVIL_CATALOG):
        category, _ = Category.objects.update_or_create(
            service=movil, code=c_code, defaults={"name": c_name, "order": c_order}
        )
        for s_order, (s_code, s_name, days, claim_days, fields) in enumerate(subs):
            sub, _ = Subcategory.objects.update_or_create(
                code=s_code,
                defaults={
                    "category": category,
                    "name": s_name,
                    "deadline_amount": days,
                    "deadline_unit": DeadlineUnit.BUSINESS_DAYS,
                    "claimable": claim_days is not None,
                    "claim_deadline_days": claim_days,
                    **BILLING_SPLIT.get(s_code, {}),
                    **PAYMENT_SUSPENSION.get(s_code, {}),
                    "order": s_order,
                },
            )
            for f_order, (f_name, label, kind, required, choices) in enumerate(fields):
                SubcategoryField.objects.update_or_create(
                    subcategory=sub,
                    name=f_name,
                    defaults={
                        "label": label,
                        "type": FIELD_TYPES[kind],
                        "required": required,
                        "choices": choices,
                        "order": f_order,
                    },
                )
