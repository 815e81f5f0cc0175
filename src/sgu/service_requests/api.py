"""Bajas y migraciones over the API: operators send their daily report (a file, or rows as
JSON) and follow its processing; anyone looks up one request's status; regulator staff read
the monitoring lists.

Mounted at the API root: paths start with /operator/…, /public/… and /staff/….
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from sgu.accounts.auth import operator_auth, user_auth
from sgu.core.calendar import load_calendar
from sgu.core.errors import (
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from sgu.core.export import csv_response
from sgu.core.idempotency import run_idempotent
from sgu.core.openapi import doc
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.principal import Principal
from sgu.core.ratelimit import limit_by_ip
from sgu.core.schemas import Day, Limit, Problem
from sgu.service_requests import exports, selectors, services
from sgu.service_requests import openapi_docs as docs
from sgu.service_requests.ingest import config
from sgu.service_requests.models import (
    Batch,
    DailyReport,
    ServiceRequest,
    service_state_words,
)

router = Router()

OPERATOR_TAG = ["Bajas y migraciones — operadoras"]
PUBLIC_TAG = ["Bajas y migraciones — consulta pública"]
STAFF_TAG = ["Bajas y migraciones — regulador"]
ERRORS_SHOWN = 1000

# --- schemas ------------------------------------------------------------------------------------


class BatchCreated(Schema):
    id: int
    state: str = Field(description="QUEUED, PROCESSING, DONE o REJECTED.")
    report_date: date
    created: bool = Field(
        description="Falso si ese mismo contenido ya se había recibido para ese día: la "
        "respuesta es el reporte de entonces (reenviar es inofensivo)."
    )


class BatchErrorOut(Schema):
    row: int = Field(description="Fila del archivo (1 = encabezado; 0 = el archivo entero).")
    field: str
    message: str


class BatchOut(Schema):
    id: int
    state: str = Field(description="QUEUED, PROCESSING, DONE o REJECTED.")
    report_date: date
    source: str = Field(description="CSV, XLSX o JSON.")
    file_name: str
    size: int
    sha256: str
    on_error: str = Field(
        description="REJECT_FILE (por defecto: una fila con errores rechaza todo el reporte) "
        "o SKIP_ROWS (se cargan las filas válidas)."
    )
    uploaded_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: int = Field(description="Avance de la lectura, 0 a 100.")
    rows_read: int
    rows_total: int
    rows_ok: int
    rows_rejected: int
    bajas: int
    migraciones: int
    replaced_by: int | None = Field(
        description="Reporte posterior del mismo día que reemplazó a este."
    )
    errors_total: int
    errors: list[BatchErrorOut] = Field(
        description=f"Los primeros {ERRORS_SHOWN} errores; todos, en `errors_csv`."
    )
    errors_csv: str


class BatchSummary(Schema):
    id: int
    state: str
    report_date: date
    source: str
    file_name: str
    uploaded_at: datetime
    rows_total: int
    rows_ok: int
    rows_rejected: int
    replaced_by: int | None


class BatchPage(Schema):
    items: list[BatchSummary]
    next_cursor: str | None


def _text_or_whole(value):
    # A spreadsheet's number cell comes as an integer; true/false or 1.5 is no number of a
    # document or a line (pydantic would take false as 0).
    if isinstance(value, bool | float):
        raise PydanticCustomError("string_type", "text or a whole number is required")
    return value


TextOrWhole = Annotated[str | int, BeforeValidator(_text_or_whole)]


class RowIn(Schema):
    """One request: the same columns as the file (docs/service_requests.md). Values are
    checked after the batch is received, exactly as a file's."""

    model_config = ConfigDict(extra="forbid")

    request_code: str | None = Field(default=None, max_length=200)
    kind: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=200)
    requested_at: str | None = Field(default=None, max_length=200)
    document_type: str | None = Field(default=None, max_length=200)
    document_number: TextOrWhole | None = Field(default=None)
    service_number: TextOrWhole | None = Field(default=None)
    contract: str | None = Field(default=None, max_length=200)
    service: str | None = Field(default=None, max_length=200)
    from_plan: str | None = Field(default=None, max_length=600)
    to_plan: str | None = Field(default=None, max_length=600)
    reason: str | None = Field(default=None, max_length=2000)
    status: str | None = Field(default=None, max_length=200)
    scheduled_date: str | None = Field(default=None, max_length=200)
    executed_at: str | None = Field(default=None, max_length=200)
    rejection_reason: str | None = Field(default=None, max_length=2000)
    service_state: str | None = Field(
        default=None,
        max_length=200,
        description="Estado del servicio: ACTIVO, SUSPENDIDO, DADO_DE_BAJA o MIGRADO. Si "
        "ninguna fila lo trae, el envío se lee con el formato anterior (estado no informado).",
    )


class RowBatchIn(Schema):
    report_date: Day = Field(description="El día que se reporta (AAAA-MM-DD, hora de Lima).")
    rows: list[RowIn] = Field(description="Todas las solicitudes del día (puede ser vacía).")


class StatusOut(Schema):
    request_code: str
    kind: str = Field(description="BAJA o MIGRACION.")
    status: str = Field(description="REGISTRADA, EN_PROCESO, EJECUTADA, RECHAZADA o ANULADA.")
    status_label: str = Field(description="El estado de la solicitud, en palabras.")
    service_state: str = Field(
        description="Estado del servicio: ACTIVO, SUSPENDIDO, DADO_DE_BAJA, MIGRADO, o vacío "
        "si la operadora no lo informó."
    )
    service_state_label: str = Field(description="El estado del servicio, en palabras.")
    requested_at: datetime
    scheduled_date: date | None
    executed_at: datetime | None


class RequestOut(Schema):
    operator: str
    request_code: str
    kind: str
    channel: str
    service: str
    requested_at: datetime
    status: str
    service_state: str = Field(
        description="ACTIVO, SUSPENDIDO, DADO_DE_BAJA, MIGRADO, o vacío si no se informó."
    )
    scheduled_date: date | None
    executed_at: datetime | None
    from_plan: str
    to_plan: str
    rejection_reason: str
    report_date: date
    answer_due_at: datetime | None = Field(
        default=None, description="Solo migraciones: plazo de respuesta (3 días hábiles)."
    )


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: str | None


class DayOut(Schema):
    operator: str
    report_date: date
    due_at: datetime
    received_at: datetime | None
    late: bool = Field(description="Reportado fuera de plazo, o no reportado.")
    missing: bool = Field(description="Sin reporte aceptado (marcado a la mañana siguiente).")
    batch: int | None
    rows: int
    bajas: int
    migraciones: int


class DayPage(Schema):
    items: list[DayOut]
    next_cursor: str | None


# --- helpers ------------------------------------------------------------------------------------


def _errors_url(batch: Batch) -> str:
    return reverse("api:service_request_batch_errors", kwargs={"batch_id": batch.pk})


def batch_dict(batch: Batch, *, with_errors: bool = True) -> dict:
    data = {
        "id": batch.pk,
        "state": batch.state,
        "report_date": batch.report_date,
        "source": batch.source,
        "file_name": batch.original_name,
        "size": batch.size,
        "sha256": batch.sha256,
        "on_error": batch.on_error,
        "uploaded_at": batch.uploaded_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
        "progress": batch.progress,
        "rows_read": batch.rows_read,
        "rows_total": batch.rows_total,
        "rows_ok": batch.rows_ok,
        "rows_rejected": batch.rows_rejected,
        "bajas": batch.bajas,
        "migraciones": batch.migraciones,
        "replaced_by": batch.replaced_by_id,
        "errors_total": batch.errors_total,
        "errors_csv": _errors_url(batch),
    }
    if with_errors:
        data["errors"] = [
            {"row": e.row, "field": e.field, "message": e.message}
            for e in selectors.batch_errors(batch, ERRORS_SHOWN)
        ]
    return data


def _scope(principal: Principal) -> str:
    if principal.api_key_id is not None:
        return f"operator-key:{principal.api_key_id}"
    return f"user:{principal.user_id}"


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) or None
    except ValueError:
        return None


def _created(batch: Batch, created: bool) -> dict:
    return {
        "id": batch.pk,
        "state": batch.state,
        "report_date": batch.report_date,
        "created": created,
    }


# --- operators ------------------------------------------------------------------------------------

_MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "report_date"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (UTF-8, `,` o `;`) o XLSX de una sola hoja.",
                        },
                        "report_date": {
                            "type": "string",
                            "format": "date",
                            "description": "El día que se reporta (AAAA-MM-DD).",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/operator/service-requests/batches",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={
        202: BatchCreated,
        401: Problem,
        403: Problem,
        413: Problem,
        415: Problem,
        422: Problem,
    },
    summary="Enviar el reporte diario de bajas y migraciones (archivo)",
    description="Multipart con `file` (CSV UTF-8 con `,` o `;`, o XLSX de una hoja; formato en "
    "docs/service_requests.md) y `report_date`. Responde 202 y el reporte se procesa en "
    "segundo plano: consulte `GET …/batches/{id}`. El mismo archivo para el mismo día es el "
    "mismo reporte (reenviarlo es inofensivo: 202 con el mismo `id`); otro archivo para un día "
    "ya reportado lo reemplaza al cargarse. Tamaño máximo: `SGU_SR_MAX_UPLOAD_MB` (250 MB).",
    openapi_extra={
        **_MULTIPART,
        "responses": {202: {"content": {"application/json": {"example": docs.BATCH_CREATED}}}},
    },
)
def upload_batch(request):
    principal: Principal = request.auth
    # A body over the limit is refused before it is read.
    services.refuse_too_large_request(_content_length(request))
    if not (request.content_type or "").startswith("multipart/form-data"):
        # Nothing was sent the way a file is sent: say so next to each missing field.
        raise ValidationFailed.of(
            [
                FieldError(
                    "file",
                    "Adjunte el archivo del reporte (CSV o XLSX) como multipart/form-data, "
                    "en el campo «file».",
                ),
                FieldError("report_date", "Indique el día que reporta (AAAA-MM-DD)."),
            ]
        )
    upload = request.FILES.get("file")
    batch, created = services.receive_report(
        file=upload,
        report_date=request.POST.get("report_date", ""),
        by=principal,
        name=upload.name if upload is not None else None,
    )
    return Status(202, _created(batch, created))


@router.post(
    "/operator/service-requests/row-batches",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={202: BatchCreated, 401: Problem, 403: Problem, 413: Problem, 422: Problem},
    summary="Enviar el reporte diario como filas JSON",
    description="Las mismas columnas que el archivo, una fila por solicitud, todas las del día "
    "(hasta `MAX_JSON_ROWS`, 20 000; para más, envíe el archivo). Se procesa igual que un "
    "archivo: 202 y luego `GET …/batches/{id}`; las filas se numeran desde 1. Admite "
    "`Idempotency-Key`; además, el mismo contenido para el mismo día es el mismo reporte.",
    openapi_extra=doc(docs.ROW_BATCH_IN, r202=docs.BATCH_CREATED),
)
def upload_rows(request, payload: RowBatchIn):
    principal: Principal = request.auth

    def create() -> tuple[int, dict]:
        # Only the keys sent: a batch whose rows never give service_state is the layout
        # before it (services.receive_rows).
        rows = [row.model_dump(exclude_unset=True) for row in payload.rows]
        batch, created = services.receive_rows(
            rows=rows, report_date=payload.report_date, by=principal
        )
        return 202, BatchCreated.model_validate(_created(batch, created)).model_dump(mode="json")

    return Status(*run_idempotent(request, _scope(principal), create))


@router.get(
    "/operator/service-requests/batches",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: BatchPage, 401: Problem, 422: Problem},
    summary="Reportes enviados por la operadora",
    description="Los reportes de la operadora dueña de la clave, del más reciente al más "
    "antiguo, con su estado y el conteo de filas. `report_date` filtra por día reportado; "
    "`replaced_by` indica el reporte que reemplazó a este. Paginado por cursor.",
    openapi_extra=doc(r200=docs.BATCH_PAGE),
)
def list_batches(
    request, report_date: Day | None = None, limit: Limit | None = None, cursor: str | None = None
):
    principal: Principal = request.auth
    qs = selectors.operator_batches(principal.operator)
    if report_date:
        qs = qs.filter(report_date=report_date)
    rows, next_cursor = keyset_page(qs, ["-uploaded_at", "-id"], cursor, clamp_limit(limit))
    return {
        "items": [
            {
                "id": b.pk,
                "state": b.state,
                "report_date": b.report_date,
                "source": b.source,
                "file_name": b.original_name,
                "uploaded_at": b.uploaded_at,
                "rows_total": b.rows_total,
                "rows_ok": b.rows_ok,
                "rows_rejected": b.rows_rejected,
                "replaced_by": b.replaced_by_id,
            }
            for b in rows
        ],
        "next_cursor": next_cursor,
    }


@router.get(
    "/operator/service-requests/batches/{batch_id}",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: BatchOut, 401: Problem, 404: Problem},
    summary="Estado de un reporte y sus errores (404 si es de otra operadora)",
    description="Estado (`QUEUED`, `PROCESSING`, `DONE`, `REJECTED`), avance, conteos de filas "
    "(bajas y migraciones cargadas, rechazadas) y los primeros errores `{row, field, "
    "message}`; todos los errores están en `errors_csv`. Consulte hasta que el estado sea "
    "`DONE` o `REJECTED`.",
    openapi_extra=doc(r200=docs.BATCH),
)
def get_batch(request, batch_id: int):
    principal: Principal = request.auth
    return batch_dict(selectors.operator_batch(principal.operator, batch_id))


@router.get(
    "/operator/service-requests/batches/{batch_id}/errors.csv",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: None, 401: Problem, 404: Problem},
    url_name="service_request_batch_errors",
    summary="Todos los errores de un reporte (CSV: fila, columna, mensaje)",
    description="Cada fila rechazada con la columna y el mensaje, en CSV UTF-8 (con BOM), "
    "transmitido mientras se genera. Vacío (solo el encabezado) si no hubo errores.",
    openapi_extra={
        "responses": {
            200: {
                "description": "El CSV de errores, como adjunto.",
                "content": {
                    "text/csv": {
                        "schema": {"type": "string"},
                        "example": "\ufefffila,columna,mensaje\r\n"
                        "17,document_number,El DNI tiene 8 dígitos.\r\n",
                    }
                },
            }
        }
    },
)
def batch_errors_csv(request, batch_id: int):
    principal: Principal = request.auth
    batch = selectors.operator_batch(principal.operator, batch_id)
    return csv_response(
        exports.ERROR_HEADERS, exports.error_rows(batch), exports.error_filename(batch)
    )


# --- public ---------------------------------------------------------------------------------------


@router.get(
    "/public/service-requests/status",
    auth=None,
    tags=PUBLIC_TAG,
    response={200: StatusOut, 404: Problem, 422: Problem, 429: Problem},
    summary="Estado de una baja o migración (código de pedido + documento del titular)",
    description="404 salvo que el código de pedido y el número de documento del titular "
    "coincidan; no se muestra nada más. Limitado por IP (429 con Retry-After).",
)
def public_status(request, request_code: str = "", document_number: str = ""):
    cfg = config()
    limit_by_ip(
        request,
        "sr-lookup",
        limit=int(cfg["LOOKUP_LIMIT"]),
        window=int(cfg["LOOKUP_WINDOW_SECONDS"]),
    )
    found = selectors.public_status(request_code, document_number)
    return {
        "request_code": found.request_code,
        "kind": found.kind,
        "status": found.status,
        "status_label": found.get_status_display(),
        "service_state": found.service_state,
        "service_state_label": service_state_words(found.service_state),
        "requested_at": found.requested_at,
        "scheduled_date": found.scheduled_date,
        "executed_at": found.executed_at,
    }


# --- regulator ------------------------------------------------------------------------------------


def _staff(request) -> Principal:
    principal: Principal = request.auth
    if principal.user is None or not principal.user.is_regulator_staff:
        raise Forbidden("Esta operación es para el personal del regulador.")
    return principal


def request_dict(r: ServiceRequest, cal=None) -> dict:
    return {
        "operator": r.operator.code,
        "request_code": r.request_code,
        "kind": r.kind,
        "channel": r.channel,
        "service": r.service,
        "requested_at": r.requested_at,
        "status": r.status,
        "service_state": r.service_state,
        "scheduled_date": r.scheduled_date,
        "executed_at": r.executed_at,
        "from_plan": r.from_plan,
        "to_plan": r.to_plan,
        "rejection_reason": r.rejection_reason,
        "report_date": r.report_date,
        "answer_due_at": selectors.answer_due(cal, r.requested_at) if cal is not None else None,
    }


def day_dict(d: DailyReport) -> dict:
    return {
        "operator": d.operator.code,
        "report_date": d.report_date,
        "due_at": d.due_at,
        "received_at": d.received_at,
        "late": d.late,
        "missing": d.batch_id is None,
        "batch": d.batch_id,
        "rows": d.batch.rows_ok if d.batch_id else 0,
        "bajas": d.batch.bajas if d.batch_id else 0,
        "migraciones": d.batch.migraciones if d.batch_id else 0,
    }


_ALERTS = {
    "overdue-bajas": (lambda f: selectors.overdue_bajas(f), ["scheduled_date", "id"]),
    "unanswered-migrations": (lambda f: selectors.unanswered_migrations(f), ["requested_at", "id"]),
    "rejected-bajas": (lambda f: selectors.rejected_bajas(f), ["-requested_at", "-id"]),
}


@router.get(
    "/staff/service-requests/{alert}",
    auth=user_auth,
    tags=STAFF_TAG,
    response={200: RequestPage, 401: Problem, 403: Problem, 404: Problem, 422: Problem},
    summary="Alertas de bajas y migraciones",
    description="`overdue-bajas`: bajas no ejecutadas en su fecha programada (abiertas después "
    "de esa fecha, o ejecutadas después); `unanswered-migrations`: migraciones sin respuesta "
    "(REGISTRADA) después de 3 días hábiles; `rejected-bajas`: bajas rechazadas. Filtros: "
    "operadora, servicio, canal, fecha de solicitud (`requested_from`, `requested_to`, "
    "inclusive, hora de Lima).",
)
def staff_alerts(
    request,
    alert: str,
    operator: str | None = None,
    service: str | None = None,
    channel: str | None = None,
    requested_from: Day | None = None,
    requested_to: Day | None = None,
    limit: Limit | None = None,
    cursor: str | None = None,
):
    _staff(request)
    if alert not in _ALERTS:
        raise NotFound("Use overdue-bajas, unanswered-migrations o rejected-bajas.")
    make, ordering = _ALERTS[alert]
    f = selectors.Filters(
        operator=operator or "",
        service=service or "",
        channel=channel or "",
        date_from=requested_from,
        date_to=requested_to,
    )
    rows, next_cursor = keyset_page(make(f), ordering, cursor, clamp_limit(limit))
    cal = load_calendar() if alert == "unanswered-migrations" else None
    return {"items": [request_dict(r, cal) for r in rows], "next_cursor": next_cursor}


@router.get(
    "/staff/service-request-days",
    auth=user_auth,
    tags=STAFF_TAG,
    response={200: DayPage, 401: Problem, 403: Problem, 422: Problem},
    summary="Días reportados por operadora: volúmenes, atrasos y días sin reporte",
    description="`late=true`: solo los días reportados fuera de plazo o no reportados.",
)
def staff_days(
    request,
    operator: str | None = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    late: bool = False,
    limit: Limit | None = None,
    cursor: str | None = None,
):
    _staff(request)
    f = selectors.Filters(
        operator=operator or "", date_from=date_from, date_to=date_to, only_late=late
    )
    rows, next_cursor = keyset_page(
        selectors.daily_reports(f), ["-report_date", "-id"], cursor, clamp_limit(limit)
    )
    return {"items": [day_dict(d) for d in rows], "next_cursor": next_cursor}
