"""What anyone may see of the statistics, without an account: the monthly indicators per
operator (the same figures and definitions as the supervisors' dashboard, computed by the
same selectors) and the month's open data, one row per case with no personal data.

Periods are whole months of Lima time, closed or the current one (its figures are
provisional); docs/indicators.md says why each open-data column is there and why the others
are not.
"""

import contextlib
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from sgu.catalog.models import Office, Operator, Subcategory
from sgu.core.calendar import LIMA, MONTHS_ES
from sgu.core.errors import FieldError, ValidationFailed
from sgu.core.export import csv_chunks
from sgu.reporting import selectors
from sgu.reporting.indicators import BY_KEY, Indicator

# The figures published per operator (API.md, "Public"), in the order shown.
PUBLIC_INDICATORS = [
    "cases",
    "answered",
    "answered_on_time_pct",
    "avg_response_business_days",
    "resolved_pct",
    "rated",
    "satisfaction_avg",
    "claims_pct",
    "cases_per_100k_lines",
]
FIRST_YEAR = 2000
MONTHS = MONTHS_ES
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class Period:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next.first_day - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month - 1]} de {self.year}"

    @property
    def next(self) -> "Period":
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> "Period":
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return self.key


def current_period(now: datetime | None = None) -> Period:
    today = timezone.localtime(now or timezone.now(), LIMA).date()
    return Period(today.year, today.month)


def last_closed_period(now: datetime | None = None) -> Period:
    return current_period(now).previous


def is_closed(period: Period, now: datetime | None = None) -> bool:
    return period != current_period(now)


def parse_period(raw: str | None, *, now: datetime | None = None, field: str = "period") -> Period:
    """A month `AAAA-MM` from January 2000 up to the current month (Lima); nothing given means
    the last closed month. Anything else is refused with a Spanish message."""
    text = (raw or "").strip()
    if not text:
        return last_closed_period(now)
    match = _PERIOD.fullmatch(text)
    if not match:
        raise _bad(field, "El periodo debe tener el formato AAAA-MM (por ejemplo, 2026-10).")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise _bad(field, "El mes del periodo debe estar entre 01 y 12.")
    if year < FIRST_YEAR:
        raise _bad(field, "No hay indicadores antes de enero de 2000.")
    period, current = Period(year, month), current_period(now)
    if (year, month) > (current.year, current.month):
        raise _bad(
            field,
            f"El periodo {period.key} aún no empieza: elija el mes en curso ({current.key}) "
            "o uno anterior.",
        )
    return period


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.of([FieldError(field, message)])


# --- indicators ------------------------------------------------------------------------------


def public_indicators() -> list[Indicator]:
    return [BY_KEY[key] for key in PUBLIC_INDICATORS]


def operator_indicators(period: Period, now: datetime | None = None) -> list[dict]:
    """Per operator, by name, the published figures of the month: every active operator (one
    without cases shows 0 cases and no rates) and any inactive one that had cases. Computed by
    the statistics' own breakdown, never a second copy of its queries."""
    rows = {
        r["key"]: r
        for r in selectors.breakdown(selectors.month_filters(period.key), "operadora", now)
    }
    operators = Operator.objects.filter(Q(active=True) | Q(code__in=list(rows))).order_by(
        "name", "code"
    )
    out = []
    for op in operators:
        row = rows.get(op.code)
        if row is None:
            row = _no_cases(op)
        out.append(
            {"operator": op.code, "operator_name": op.name}
            | {key: row.get(key) for key in PUBLIC_INDICATORS}
        )
    return out


def _no_cases(op: Operator) -> dict:
    return {
        "cases": 0,
        "answered": 0,
        "rated": 0,
        "cases_per_100k_lines": 0.0 if op.mobile_lines else None,
    }


# --- open data ---------------------------------------------------------------------------------

# (column, what it holds) — the data dictionary; docs/indicators.md and the page show it.
OPEN_DATA_COLUMNS: list[tuple[str, str]] = [
    ("periodo", "Mes de registro del caso, AAAA-MM (hora de Lima)."),
    (
        "id_caso",
        "Identificador anónimo del caso: 16 caracteres hexadecimales, el mismo en cada "
        "descarga; no es el código del caso ni permite obtenerlo.",
    ),
    ("operadora", "Código de la empresa operadora (CLARO, MOVISTAR, ENTEL, BITEL…)."),
    ("servicio", "MOVIL, FIJO, INTERNET o TV."),
    ("categoria", "Código de la categoría del problema."),
    ("categoria_nombre", "Nombre de la categoría."),
    ("subcategoria", "Código del problema (subcategoría)."),
    ("subcategoria_nombre", "Nombre del problema."),
    ("canal", "WEB, APP, PRESENCIAL (oficina del regulador) o TELEFONICO."),
    (
        "ubigeo_departamento",
        "Código INEI (2 dígitos) del departamento de la oficina que registró el caso; vacío "
        "en los casos registrados por web o aplicativo.",
    ),
    ("departamento", "Nombre de ese departamento; vacío en web y aplicativo."),
    (
        "estado",
        "Estado al momento de la descarga: REGISTERED, FORWARDED, IN_PROGRESS, ANSWERED, "
        "RATED, OVERDUE, RETURNED, CLAIM_REQUESTED, CLAIM_CODED o CLOSED.",
    ),
    ("fecha_registro", "Día de registro, AAAA-MM-DD (hora de Lima)."),
    ("fecha_plazo", "Día en que vence el plazo de respuesta; vacío si aún no corre."),
    ("fecha_respuesta", "Día en que la operadora registró su solución; vacío si no respondió."),
    ("respondido_a_tiempo", "SI o NO; vacío si no respondió."),
    (
        "dias_habiles_respuesta",
        "Días hábiles desde el día de recepción hasta la respuesta (0 = el mismo día); vacío "
        "si no respondió.",
    ),
    ("calificado", "SI si el usuario calificó la respuesta; si no, NO."),
    ("resuelto", "SI o NO según el usuario; vacío si no calificó."),
    ("satisfaccion", "Satisfacción del usuario de 1 a 5; vacía si no calificó."),
    ("reclamo", "SI si el caso se convirtió en reclamo formal; si no, NO."),
]
OPEN_DATA_HEADER = [name for name, _ in OPEN_DATA_COLUMNS]

# Foreign keys are read as ids and named from the (small) catalog, and dates are cut in Lima
# by the database: per row, Python only formats values.
_OPEN_DATA_FIELDS = (
    "id",
    "operator_id",
    "service",
    "subcategory_id",
    "channel",
    "office_id",
    "state",
    "registered_on",
    "due_on",
    "answered_on",
    "solution__on_time",
    "solution__response_business_days",
    "rating__id",
    "rating__resolved",
    "rating__score",
    "claim__id",
)


def open_data_filename(period: Period) -> str:
    return f"sgu-casos-{period.key}.csv"


def _pseudonym_key() -> bytes:
    return hashlib.sha256(b"sgu.reporting.open-data.case:" + settings.SECRET_KEY.encode()).digest()


def case_pseudonym(case_id: int, key: bytes | None = None) -> str:
    """A keyed hash of the internal id: stable across downloads, impossible to walk back to
    the case (a plain hash of sequential numbers would be reversed by trying them all)."""
    key = key or _pseudonym_key()
    return hmac.new(key, str(case_id).encode(), hashlib.sha256).hexdigest()[:16]


def _yes_no(value) -> str:
    return "" if value is None else ("SI" if value else "NO")


def _catalog_names() -> tuple[dict, dict, dict]:

    operators = dict(Operator.objects.values_list("id", "code"))
    subcategories = {
        pk: (cat_code, cat_name, code, name)
        for pk, cat_code, cat_name, code, name in Subcategory.objects.values_list(
            "id", "category__code", "category__name", "code", "name"
        )
    }
    offices = {
        pk: ((ubigeo or "")[:2], department or "")
        for pk, ubigeo, department in Office.objects.values_list("id", "ubigeo", "department")
    }
    return operators, subcategories, offices


def _day(value) -> str:
    return "" if value is None else value.isoformat()


def open_data_rows(period: Period) -> Iterator[list]:
    """The month's cases, one list per case: one query in registration order, read in
    chunks (memory holds one day at most). Inside a day the rows are ordered by their
    anonymous id: the file never shows the order in which cases were registered, which would
    match rows to the sequential case codes."""
    key = _pseudonym_key()
    operators, subcategories, offices = _catalog_names()
    no_office = ("", "")
    rows = (
        selectors.cases_in(selectors.month_filters(period.key))
        .annotate(
            registered_on=TruncDate("registered_at", tzinfo=LIMA),
            due_on=TruncDate("due_at", tzinfo=LIMA),
            answered_on=TruncDate("answered_at", tzinfo=LIMA),
        )
        .order_by("registered_at", "id")
        .values_list(*_OPEN_DATA_FIELDS)
        .iterator(chunk_size=2000)
    )
    for _day_key, cases in groupby(rows, key=itemgetter(7)):
        day = []
        for (
            pk,
            operator_id,
            service,
            subcategory_id,
            channel,
            office_id,
            state,
            registered_on,
            due_on,
            answered_on,
            on_time,
            response_days,
            rating_id,
            resolved,
            score,
            claim_id,
        ) in cases:
            rated = rating_id is not None
            day.append(
                [
                    period.key,
                    case_pseudonym(pk, key),
                    operators.get(operator_id, ""),
                    service,
                    *subcategories.get(subcategory_id, ("", "", "", "")),
                    channel,
                    *offices.get(office_id, no_office),
                    state,
                    _day(registered_on),
                    _day(due_on),
                    _day(answered_on),
                    _yes_no(on_time),
                    "" if response_days is None else response_days,
                    _yes_no(rated),
                    _yes_no(resolved if rated else None),
                    score if rated else "",
                    _yes_no(claim_id is not None),
                ]
            )
        day.sort(key=itemgetter(1))
        yield from day


# --- the month's file, kept for a while ------------------------------------------------------
# A month at scale is ~400 000 rows (tens of seconds of database and CPU). The file written by
# one download is served to the next ones for OPEN_DATA_MAX_AGE seconds (default one hour);
# after that the next download writes it again. Kept under MEDIA_ROOT/open-data (never served
# directly: only through the rate-limited endpoint).


def open_data_max_age() -> int:
    return int(settings.SGU.get("OPEN_DATA_MAX_AGE", 3600))


def open_data_path(period: Period) -> Path:
    return Path(settings.MEDIA_ROOT) / "open-data" / open_data_filename(period)


def fresh_open_data(period: Period, now: datetime | None = None) -> Path | None:
    """The month's file if one was written less than OPEN_DATA_MAX_AGE seconds ago."""
    path = open_data_path(period)
    try:
        written = path.stat().st_mtime
    except OSError:
        return None
    age = (now or timezone.now()).timestamp() - written
    return path if 0 <= age < open_data_max_age() else None


def open_data_stream(period: Period) -> Iterator[bytes]:
    """The month's CSV (core/export's format and formula guard) as it is written, copied to
    a temporary file that replaces the kept one only once complete: a download cut halfway
    never leaves half a file behind."""
    path = open_data_path(period)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    complete = False
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in csv_chunks(OPEN_DATA_HEADER, open_data_rows(period)):
                data = chunk.encode("utf-8")
                out.write(data)
                yield data
        # Stamped with the platform's clock (the one fresh_open_data reads), not the disk's.
        stamp = timezone.now().timestamp()
        os.utime(tmp, (stamp, stamp))
        os.replace(tmp, path)
        complete = True
    finally:
        if not complete:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
