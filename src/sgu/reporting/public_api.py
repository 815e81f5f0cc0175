"""Public indicators and open data over the API, without an account. Mounted at /public.

Both are limited per IP: the middleware's limit for /api/v1/public/ and, for the open-data
file (a whole month of cases), a smaller one of its own."""

from datetime import date, datetime

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from sgu.core import replica
from sgu.core.ratelimit import limit_by_ip
from sgu.core.replica import from_replica
from sgu.core.schemas import Problem
from sgu.reporting import public

router = Router()
TAG = ["Indicadores públicos y datos abiertos"]
CSV_TYPE = "text/csv; charset=utf-8"


class OperatorIndicators(Schema):
    operator: str = Field(description="Código de la operadora.")
    operator_name: str
    cases: int
    answered: int
    answered_on_time_pct: float | None = Field(description="Nulo si no respondió ningún caso.")
    avg_response_business_days: float | None
    resolved_pct: float | None
    rated: int
    satisfaction_avg: float | None
    claims_pct: float | None
    cases_per_100k_lines: float | None = Field(
        description="Nulo si el catálogo no tiene el número de líneas de la operadora."
    )


class IndicatorDefinition(Schema):
    key: str
    name: str
    unit: str
    version: str
    definition: str


class IndicatorsOut(Schema):
    period: str = Field(description="AAAA-MM (meses de hora de Lima).")
    date_from: date
    date_to: date
    closed: bool = Field(
        description="Falso para el mes en curso: sus cifras son provisionales y cambian."
    )
    generated_at: datetime
    operators: list[OperatorIndicators]
    indicators: list[IndicatorDefinition] = Field(
        description="Definición y versión de cada cifra (las mismas de docs/indicators.md)."
    )
    open_data_url: str = Field(description="Los casos del mes, sin datos personales (CSV).")


def open_data_url(period: public.Period) -> str:
    return reverse("api:public_open_data") + f"?period={period.key}"


def rate_limit(request, scope: str) -> None:
    limits = settings.SGU["RATE_LIMITS"]
    if not limits.get("ENABLED", True):
        return
    limit, window = limits.get(scope, (10, 60))
    limit_by_ip(request, f"public-{scope}", limit=limit, window=window)


@router.get(
    "/indicators",
    auth=None,
    tags=TAG,
    response={200: IndicatorsOut, 422: Problem, 429: Problem},
    url_name="public_indicators",
    summary="Indicadores del mes por operadora, con sus definiciones",
    description="`period` = AAAA-MM, desde 2000-01 hasta el mes en curso (provisional); sin "
    "él, el último mes cerrado. Periodo mal escrito, futuro o anterior a 2000: 422. "
    "Limitado por IP (429 con Retry-After).",
)
@from_replica
def indicators(request, period: str = ""):
    now = timezone.now()
    month = public.parse_period(period, now=now)
    return {
        "period": month.key,
        "date_from": month.first_day,
        "date_to": month.last_day,
        "closed": public.is_closed(month, now),
        "generated_at": now,
        "operators": public.operator_indicators(month, now),
        "indicators": [
            {
                "key": i.key,
                "name": i.name,
                "unit": i.unit,
                "version": i.version,
                "definition": i.definition,
            }
            for i in public.public_indicators()
        ],
        "open_data_url": open_data_url(month),
    }


@router.get(
    "/open-data/cases.csv",
    auth=None,
    tags=TAG,
    response={200: None, 422: Problem, 429: Problem},
    url_name="public_open_data",
    summary="Datos abiertos: los casos del mes, sin datos personales (CSV)",
    description="Una fila por caso registrado en el mes (hora de Lima): operadora, servicio, "
    "problema, canal, departamento, estado, fechas, tiempo de respuesta, calificación y "
    "reclamo. Sin nombres, documentos, líneas, correos, códigos de caso ni textos libres. "
    "CSV UTF-8 con BOM, separado por comas; diccionario de columnas en docs/indicators.md. "
    "El archivo escrito por una descarga se sirve a las siguientes durante una hora "
    "(SGU_OPEN_DATA_MAX_AGE). Limitado por IP (429 con Retry-After).",
)
@from_replica
def open_data(request, period: str = ""):
    now = timezone.now()
    month = public.parse_period(period, now=now)
    rate_limit(request, "open_data")
    kept = public.fresh_open_data(month, now)
    if kept is not None:
        response = FileResponse(kept.open("rb"), content_type=CSV_TYPE)
    else:
        response = StreamingHttpResponse(
            replica.streamed(public.open_data_stream(month)), content_type=CSV_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{public.open_data_filename(month)}"'
    # Public data, but a month in progress changes: caches keep it no longer than the file.
    response["Cache-Control"] = f"public, max-age={min(public.open_data_max_age(), 3600)}"
    return response
