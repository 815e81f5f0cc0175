"""The operator's information for the citizen's form (instructivo, punto vii), by API: the
operator replaces a list as a whole (a new version each time, older ones kept), anyone reads
an operator's current lists (the form's choices), the regulator sees who is stale."""

from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from sgu.accounts.auth import operator_auth, user_auth
from sgu.catalog import selectors as catalog
from sgu.catalog.models import OperatorInfoKind
from sgu.core.errors import Forbidden
from sgu.core.idempotency import run_idempotent
from sgu.core.openapi import doc
from sgu.core.principal import Principal
from sgu.core.schemas import Day, Problem, refused_as
from sgu.operators import openapi_docs as docs
from sgu.operators import selectors, services

router = Router(tags=["Operadoras"], auth=operator_auth)
public_router = Router(tags=["Catálogo"])
staff_router = Router(tags=["Regulador"], auth=user_auth)


# Declared in the schema (an integer, 1 to 3650) with the web form's message for any refusal.
StaleDays = Annotated[
    int,
    Field(ge=selectors.STALE_DAYS_MIN, le=selectors.STALE_DAYS_MAX),
    refused_as(selectors.STALE_DAYS_MESSAGE),
]


class InfoItemIn(Schema):
    # Lengths are checked by the service (the web form's messages, element by element).
    name: str = Field(examples=["Max 69.90"])
    detail: str = Field(default="", examples=["Internet ilimitado, 30 GB 4G"])


class InfoReplaceIn(Schema):
    # The bounds the service checks (with the web form's messages), declared for clients.
    items: list[InfoItemIn] = Field(
        description="De 1 a 500 elementos.",
        json_schema_extra={"minItems": 1, "maxItems": services.MAX_INFO_ITEMS},
    )
    valid_from: Day | None = Field(
        default=None, description="Primer día de vigencia (AAAA-MM-DD); por defecto, hoy."
    )
    valid_to: Day | None = Field(
        default=None, description="Último día de vigencia (incluido); vacío: hasta reemplazarla."
    )


class InfoItemOut(Schema):
    name: str
    detail: str


class InfoListOut(Schema):
    kind: OperatorInfoKind
    version: int
    valid_from: date
    valid_to: date | None
    created_at: datetime
    source: str
    items: list[InfoItemOut]


class InfoCurrentOut(Schema):
    operator: str
    lists: list[InfoListOut]


class PublicInfoOut(Schema):
    operator: str
    kind: OperatorInfoKind
    version: int | None
    valid_from: date | None
    items: list[str]


class KindFreshnessOut(Schema):
    kind: OperatorInfoKind
    last_updated: datetime | None
    current_items: int
    stale: bool


class OperatorFreshnessOut(Schema):
    operator: str
    name: str
    last_updated: datetime | None
    stale: bool
    lists: list[KindFreshnessOut]


class FreshnessOut(Schema):
    stale_days: int
    items: list[OperatorFreshnessOut]


def list_dict(row) -> dict:
    return {
        "kind": row.kind,
        "version": row.version,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "created_at": row.created_at,
        "source": row.source_label,
        "items": [{"name": i.name, "detail": i.detail} for i in row.items.all()],
    }


@router.get(
    "/information",
    response={200: InfoCurrentOut, 401: Problem, 422: Problem},
    summary="Información vigente de la operadora",
    description="Las listas vigentes hoy de la operadora dueña de la clave (planes, paquetes, "
    "canales de recarga y puntos de venta), cada una con su versión y su vigencia. Una lista "
    "sin versión vigente no aparece.",
    openapi_extra=doc(r200=docs.INFO_CURRENT),
)
def current_information(request):
    principal: Principal = request.auth
    lists = selectors.current_lists(principal.operator)
    return {
        "operator": principal.operator.code,
        "lists": [list_dict(row) for row in lists.values() if row is not None],
    }


@router.put(
    "/information/{kind}",
    response={201: InfoListOut, 401: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Reemplazar una lista de la operadora (nueva versión)",
    description="Reemplaza la lista completa (`PLANS`, `PACKAGES`, `RECHARGE_CHANNELS` o "
    "`POINTS_OF_SALE`) con una versión nueva, vigente desde `valid_from` (hoy por defecto, "
    "nunca una fecha pasada) hasta `valid_to` (incluido; vacío: hasta el próximo reemplazo). "
    "La versión anterior se cierra el día previo y se conserva: nada se borra. De 1 a 500 "
    "elementos, nombres de hasta 120 caracteres sin repetir; «otro» está reservado. Admite "
    "`Idempotency-Key`.",
    openapi_extra=doc(docs.INFO_REPLACE_IN, r201=docs.INFO_LIST),
)
def replace_information(request, kind: OperatorInfoKind, payload: InfoReplaceIn):
    principal: Principal = request.auth

    def create() -> tuple[int, dict]:
        row = services.replace_info(
            operator=principal.operator,
            kind=kind.value,
            items=[services.InfoItemInput(name=i.name, detail=i.detail) for i in payload.items],
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
            by=principal,
        )
        row = selectors.info_version(principal.operator, kind.value, row.version)
        return 201, InfoListOut.model_validate(list_dict(row)).model_dump(mode="json")

    return Status(*run_idempotent(request, f"operator:{principal.operator.pk}", create))


@router.get(
    "/information/{kind}/versions",
    response={200: list[InfoListOut], 401: Problem, 404: Problem, 422: Problem},
    summary="Versiones de una lista de la operadora",
    description="Las últimas 50 versiones de una lista de la operadora dueña de la clave, la "
    "más nueva primero, con su vigencia y sus elementos.",
    openapi_extra=doc(r200=docs.INFO_VERSIONS),
)
def information_versions(request, kind: OperatorInfoKind):
    principal: Principal = request.auth
    return [list_dict(r) for r in selectors.info_versions(principal.operator, kind.value)]


@public_router.get(
    "/operators/{code}/information/{kind}",
    response={200: PublicInfoOut, 422: Problem},
    summary="Opciones de una operadora para el formulario",
    description="Los nombres de la lista vigente hoy de una operadora (lo que el formulario "
    "del ciudadano ofrece en un dato adicional de tipo `OPINFO`; además, siempre se puede "
    "responder `otro` con el texto en `<campo>__otro`). Lista vacía si la operadora no la "
    "informó.",
)
def public_information(request, code: str, kind: OperatorInfoKind):
    operator = catalog.operator_by_code(code, field="code")
    names = selectors.current_names(operator, kind.value)
    current = selectors.current_lists(operator)[kind.value] if names else None
    return {
        "operator": operator.code,
        "kind": kind.value,
        "version": current.version if current else None,
        "valid_from": current.valid_from if current else None,
        "items": names,
    }


@staff_router.get(
    "/operator-information",
    response={200: FreshnessOut, 401: Problem, 403: Problem, 422: Problem},
    summary="Actualización de la información de las operadoras",
    description="Para el personal del regulador: cuándo reemplazó cada operadora activa cada "
    "una de sus listas, cuántos elementos tiene vigentes y cuáles están desactualizadas (sin "
    "lista vigente o sin reemplazar en más de `stale_days` días; por defecto, la configuración "
    "`SGU_OPERATOR_INFO_STALE_DAYS`). Las operadoras desactualizadas primero.",
)
def information_freshness(request, stale_days: StaleDays | None = None):
    principal: Principal = request.auth
    if principal.user is None or not principal.user.is_regulator_staff:
        raise Forbidden("Esta operación es para el personal del regulador.")
    days = selectors.checked_stale_days(stale_days)
    rows = selectors.info_freshness(timezone.now(), days)
    return {
        "stale_days": days,
        "items": [
            {
                "operator": f.operator.code,
                "name": f.operator.name,
                "last_updated": f.last_updated,
                "stale": f.stale,
                "lists": [
                    {
                        "kind": k.kind,
                        "last_updated": k.last_updated,
                        "current_items": k.current_items,
                        "stale": k.stale,
                    }
                    for k in f.kinds
                ],
            }
            for f in rows
        ],
    }
