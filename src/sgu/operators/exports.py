"""An operator's tray as CSV or XLSX, streamed (sgu.core.export), for its own systems and
spreadsheets. The same filters as the tray (web or API), `updated_since` for synchronising.

Only what the operator needs to work its own cases: the case, its line and its dates. No
citizen name, document or contact (those are on the case itself, `GET /operator/cases/{code}`),
and no free text typed by the citizen.

Two readers: the operator's systems (the API) get the codes of every enum; a person who
downloads it from the tray page gets each one's Spanish label instead (estado «En atención»,
canal «Web», vencido «Sí»); the case and the problem keep their codes there too, being what
both look cases up by.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sgu.core import audit, export
from sgu.core.calendar import LIMA

CHUNK = 2000
FORMATS = ("csv", "xlsx")

# (header, field of Case.values_list); the order is the layout (docs: API.md / OpenAPI).
COLUMNS: list[tuple[str, str]] = [
    ("codigo", "code"),
    ("estado", "state"),
    ("problema_codigo", "subcategory__code"),
    ("problema", "subcategory__name"),
    ("servicio", "service"),
    ("canal", "channel"),
    ("numero_servicio", "service_number"),
    ("registrado", "registered_at"),
    ("trasladado", "forwarded_at"),
    ("vence", "due_at"),
    ("en_atencion_desde", "acknowledged_at"),
    ("respondido", "answered_at"),
    ("resultado", "solution__outcome"),
    ("reclamo_estado", "claim__state"),
    ("reclamo_codigo", "claim__claim_code"),
    ("actualizado", "updated_at"),
]
HEADERS = [h for h, _ in COLUMNS] + ["vencido"]
_RUNNING = ("FORWARDED", "IN_PROGRESS")


def _dt(value: datetime | None) -> str:
    return timezone.localtime(value, LIMA).isoformat(timespec="seconds") if value else ""


def rows(
    qs: QuerySet, now: datetime, *, labels: dict[str, dict[str, str]] | None = None
) -> Iterator[list[Any]]:
    """One list per case, read in chunks (never the whole tray in memory). With `labels`
    (field → {code: Spanish label}, given by the caller that knows the enums), the enums in
    words for a person; without, their codes for a system."""
    fields = [f for _, f in COLUMNS]
    state_at, due_at = fields.index("state"), fields.index("due_at")
    names = labels or {}
    spoken = [(i, names[f]) for i, f in enumerate(fields) if f in names]
    yes, no = ("Sí", "No") if labels else ("SI", "NO")
    for values in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        state, due = values[state_at], values[due_at]
        overdue = state == "OVERDUE" or (state in _RUNNING and due is not None and due < now)
        out = [_dt(v) if isinstance(v, datetime) else ("" if v is None else v) for v in values]
        for i, words in spoken:
            out[i] = words.get(out[i], out[i])
        yield [*out, yes if overdue else no]


def tray_export(
    *,
    qs: QuerySet,
    ordering: list[str],
    fmt: str,
    operator,
    filters: dict,
    user=None,
    api_key_id: int | None = None,
    request=None,
    labels: dict[str, dict[str, str]] | None = None,
):
    """The download (streamed CSV or write-only XLSX), audited with who, which filters and
    how many rows (one COUNT on the same indexed filter)."""
    now = timezone.now()
    qs = qs.order_by(*ordering)
    count = qs.count()
    audit.record(
        "cases.exported",
        actor=user,
        target=f"operator:{operator.code}",
        request=request,
        data={
            "format": fmt,
            "rows": count,
            "filters": {k: _plain(v) for k, v in filters.items() if v not in (None, "")},
            **({"api_key": api_key_id} if api_key_id else {}),
        },
    )
    stamp = f"{timezone.localtime(now, LIMA):%Y%m%d-%H%M}"
    filename = f"bandeja-{operator.code.lower()}-{stamp}.{fmt}"
    if fmt == "xlsx":
        return export.xlsx_response(
            HEADERS, rows(qs, now, labels=labels), filename, sheet="Bandeja"
        )
    return export.csv_response(HEADERS, rows(qs, now, labels=labels), filename)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
