"""Demo attention points of each operator (called by `load_demo`; idempotent by code): the
inoperatividad register needs them before any event can be registered."""

from sgu.core.principal import Principal
from sgu.operators import selectors as operators
from sgu.operators import services as operator_services
from sgu.operators.models import StaffDuty
from sgu.outages import services
from sgu.outages.models import AffectedApplication, AttentionPoint, ScenarioClosingReason

# (code, name, kind, ubigeo, address)
POINTS = [
    ("CAC-MIRAFLORES", "CAC Miraflores", "TIENDA", "150122", "Av. Larco 345"),
    ("CAC-SAN-JUAN-LURIGANCHO", "CAC San Juan de Lurigancho", "TIENDA", "150132", ""),
    ("CAC-AREQUIPA", "CAC Arequipa Cercado", "TIENDA", "040101", "Calle Mercaderes 120"),
    ("CAC-TRUJILLO", "CAC Trujillo", "TIENDA", "130101", "Jr. Gamarra 480"),
    ("CALL-123", "Centro de llamadas 123", "CENTRO_LLAMADAS", "150101", ""),
]


def load_attention_points(*, by: Principal) -> list[AttentionPoint]:
    """The operator's points, created by its administrator (`by`) through the service."""
    operator = by.operator
    known = set(AttentionPoint.objects.filter(operator=operator).values_list("code", flat=True))
    for code, name, kind, ubigeo, address in POINTS:
        if code not in known:
            services.create_attention_point(
                data=services.PointInput(
                    code=code, name=name, kind=kind, ubigeo=ubigeo, address=address
                ),
                by=by,
            )
    return list(AttentionPoint.objects.filter(operator=operator).order_by("code"))


def grant_channel_head(user, *duties: str, by=None) -> None:
    """Demo set-up: `user` holds the channel head's duty (and `duties`), ticked in «Personal»
    by the operator's administrator `by` (the user itself when it is the administrator)."""
    held = operators.duties_of(user)
    operator_services.set_staff_duties(
        operator=user.operator,
        user_id=user.pk,
        duties=sorted(held | {StaffDuty.CHANNEL_HEAD, *duties}),
        by=by or user,
    )


# The document's lists, as migration 0003 loads them (kept here for databases emptied after
# migrating, such as the browser tests' between tests).
CLOSING_RULES = {
    "FALLA_MASIVA": [
        "CONECTIVIDAD",
        "INTERMITENCIA",
        "MANTENIMIENTO_APLICATIVOS",
        "FALLA_MASIVA_APLICATIVO",
    ],
    "EVENTO_NO_PREVISTO": ["SIN_FLUIDO_ELECTRICO", "INFRAESTRUCTURA"],
}
COMMON_APPLICATIONS = [
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


def load_outage_catalogs() -> None:
    """The closing-reason table and the common applications (idempotent: reference data the
    regulator's administrator keeps, not an operator's domain record)."""
    for scenario, reasons in CLOSING_RULES.items():
        for reason in reasons:
            ScenarioClosingReason.objects.get_or_create(scenario=scenario, closing_reason=reason)
    for order, (code, name, group, note) in enumerate(COMMON_APPLICATIONS):
        AffectedApplication.objects.get_or_create(
            operator=None,
            code=code,
            defaults={"name": name, "group": group, "note": note, "order": order},
        )
