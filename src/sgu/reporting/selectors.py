"""Statistics as SQL aggregates, never a Python loop over cases: one GROUP BY per source at
the finest grain (month × operator × subcategory × channel × office, a few thousand rows for a
year), folded in Python into the summary and each breakdown (`Figures`). Response times come
from Solution.response_business_days, computed once at answer time with the business calendar.
At scale the additive figures come from the daily rollups (sgu.reporting.rollups) plus, for the
days changed since their last refresh, from the cases; "overdue now" always from the cases.
Same figures either way (tests/reporting)."""

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Aggregate, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sgu.cases.models import Case, Claim, Solution
from sgu.cases.policies import claim_code_late_q
from sgu.cases.workflow import State
from sgu.catalog.models import Office, Operator, Subcategory
from sgu.core.calendar import LIMA
from sgu.reporting import rollups
from sgu.reporting.models import CaseDayStat, ResponseDayStat

# The figures of one group of cases: each additive count by name (rollups.COUNTS, overdue_now).
Counts = dict[str, int]
# One indicator row (a summary, a breakdown's value): the counts and the rates from them.
Indicators = dict[str, int | float | None]
# A breakdown's row: its value's key and label, then its Indicators (and, per operator, more).
BreakdownRow = dict[str, str | int | float | None]
# The finest grain (FINE): month (YYYY-MM), operator, subcategory, channel, office.
FineKey = tuple[str, int | None, int | None, str, int | None]


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date  # inclusive
    service: str = ""
    operator: str = ""

    def as_query(self) -> str:
        return urlencode(
            {
                "desde": self.date_from.isoformat(),
                "hasta": self.date_to.isoformat(),
                "servicio": self.service,
                "operadora": self.operator,
            }
        )


def month_filters(period: str, **kw: str) -> Filters:
    """YYYY-MM → the whole month."""
    year, month = (int(p) for p in period.split("-"))
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Filters(start, end, **kw)


def cases_in(f: Filters) -> QuerySet[Case]:
    start = datetime.combine(f.date_from, datetime.min.time(), tzinfo=LIMA)
    end = datetime.combine(f.date_to, datetime.min.time(), tzinfo=LIMA) + timedelta(days=1)
    qs = Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
    if f.service:
        qs = qs.filter(service=f.service)
    if f.operator:
        qs = qs.filter(operator__code=f.operator)
    return qs


def _overdue(now: datetime) -> Q:
    return Q(state=State.OVERDUE) | Q(
        state__in=[State.FORWARDED, State.IN_PROGRESS], due_at__lt=now
    )


def _aggregates(now: datetime) -> dict[str, Aggregate]:
    return {**rollups.case_counts(), "overdue_now": Count("id", filter=_overdue(now))}


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _round(value: Decimal | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _ratio(total: int, n: int) -> Decimal | None:
    # The same value the database's AVG gives, before rounding.
    return Decimal(total) / Decimal(n) if n else None


def _finish(row: Counts) -> Indicators:
    return {
        "cases": row["cases"],
        "answered": row["answered"],
        "answered_on_time_pct": _pct(row["on_time"], row["answered"]),
        "avg_response_business_days": _round(_ratio(row["response_sum"], row["response_n"])),
        "resolved_pct": _pct(row["resolved"], row["answered"]),
        "rated": row["rated"],
        "satisfaction_avg": _round(_ratio(row["score_sum"], row["rated"])),
        "claims": row["claims"],
        "claims_pct": _pct(row["claims"], row["cases"]),
        "overdue_now": row["overdue_now"],
    }


# --- where the figures come from: the rollups (sgu.reporting.rollups) plus, for the days changed
# since their last refresh, the cases themselves; or only the cases when there are no rollups.


@dataclass(frozen=True)
class _Source:
    rollups: bool
    live_from: date | None = None  # days from this one on come from the cases


def _source(f: Filters) -> _Source:
    first_live = rollups.live_from()
    if first_live is None:
        return _Source(False)
    return _Source(True, max(first_live, f.date_from))


def _rollup_part(
    model: type[CaseDayStat] | type[ResponseDayStat], f: Filters, src: _Source
) -> QuerySet[Any]:
    qs = model.objects.filter(day__gte=f.date_from, day__lte=f.date_to, day__lt=src.live_from)
    if f.service:
        qs = qs.filter(service=f.service)
    if f.operator:
        qs = qs.filter(operator__code=f.operator)
    return qs


def _live_part(f: Filters, src: _Source) -> Filters | None:
    assert src.live_from is not None  # read with rollups (_source)
    if src.live_from > f.date_to:
        return None
    return Filters(src.live_from, f.date_to, f.service, f.operator)


# The finest grain every figure is read at; the summary and each breakdown are folds of it, so
# the dashboard (a summary and six breakdowns) reads each source once instead of seven times.
FINE = ("month", "operator_id", "subcategory_id", "channel", "office_id")
_ZERO = dict.fromkeys([*rollups.COUNTS, "overdue_now"], 0)


def _fine(
    qs: QuerySet[Any], counts: Mapping[str, Aggregate], *, by_day: bool
) -> list[dict[str, Any]]:
    month = TruncMonth("day") if by_day else TruncMonth("registered_at", tzinfo=LIMA)
    return list(qs.annotate(month=month).values(*FINE).annotate(**counts).order_by())


def _fine_figures(f: Filters, now: datetime, src: _Source) -> dict[FineKey, Counts]:
    """Every additive figure plus overdue_now per FINE key."""
    merged: dict[FineKey, Counts] = {}

    def add(rows: list[dict[str, Any]], names: list[str] | tuple[str, ...]) -> None:
        for r in rows:
            key: FineKey = (
                r["month"].strftime("%Y-%m"),
                r["operator_id"],
                r["subcategory_id"],
                r["channel"],
                r["office_id"],
            )
            acc = merged.setdefault(key, dict(_ZERO))
            for c in names:
                acc[c] += r[c] or 0

    if not src.rollups:
        add(_fine(cases_in(f), _aggregates(now), by_day=False), [*rollups.COUNTS, "overdue_now"])
        return merged
    sums = {c: Sum(c) for c in rollups.COUNTS}
    add(_fine(_rollup_part(CaseDayStat, f, src), sums, by_day=True), rollups.COUNTS)
    live = _live_part(f, src)
    if live is not None:
        add(_fine(cases_in(live), rollups.case_counts(), by_day=False), rollups.COUNTS)
    # The explicit state list lets PostgreSQL use the small partial index of unanswered cases
    # (an index-only scan: every FINE column is in it); COUNT(*) because the id is not.
    unanswered = [State.FORWARDED, State.IN_PROGRESS, State.OVERDUE]
    overdue = cases_in(f).filter(state__in=unanswered).filter(_overdue(now))
    add(_fine(overdue, {"overdue_now": Count("*")}, by_day=False), ["overdue_now"])
    return merged


def _labels() -> dict[str, dict[int, tuple[str, str]]]:
    """(key, label) of each dimension's values, by the ids in FINE (small catalog reads)."""

    subs = list(
        Subcategory.objects.values_list("id", "code", "name", "category__code", "category__name")
    )
    return {
        "operadora": {i: (c, n) for i, c, n in Operator.objects.values_list("id", "code", "name")},
        "categoria": {i: (cc, cn) for i, _c, _n, cc, cn in subs},
        "subcategoria": {i: (c, n) for i, c, n, _cc, _cn in subs},
        # One row per office, its department in the label: two offices of one department
        # are two rows (keyed by department they were one, named after either office).
        "oficina": {
            i: (c, f"{d} · {n}")
            for i, c, d, n in Office.objects.values_list("id", "code", "department", "name")
        },
    }


class Figures:
    """The figures of one period at one moment, read once and folded per dimension."""

    def __init__(self, f: Filters, now: datetime | None = None):
        self.f = f
        self.now = now or timezone.now()
        self.src = _source(f)
        self._rows: dict[FineKey, Counts] | None = None
        self._names: dict[str, dict[int, tuple[str, str]]] | None = None

    def rows(self, dimension: str | None) -> list[tuple[str | None, str | None, Counts]]:
        """(key, label, counts) per value of the dimension (one row when None), unsorted."""
        if self._rows is None:
            self._rows = _fine_figures(self.f, self.now, self.src)
        if dimension in ("operadora", "categoria", "subcategoria", "oficina") and not self._names:
            self._names = _labels()
        merged: dict[str | None, Counts] = {}
        labels: dict[str | None, str | None] = {}
        for key, acc in self._rows.items():
            k, label = self._value(dimension, key)
            out = merged.setdefault(k, dict(_ZERO))
            labels.setdefault(k, label)
            for c, v in acc.items():
                out[c] += v
        if dimension is None and not merged:
            merged[None] = dict(_ZERO)
        return [(k, labels.get(k), acc) for k, acc in merged.items()]

    def _value(self, dimension: str | None, key: FineKey) -> tuple[str | None, str | None]:
        """(key, label) of the dimension's value for one FINE key."""
        month, operator_id, subcategory_id, channel, office_id = key
        if dimension is None:
            return None, None
        if dimension == "mes":
            return month, month
        if dimension == "canal":
            return channel, channel
        ident = {"operadora": operator_id, "oficina": office_id}.get(dimension, subcategory_id)
        assert self._names is not None  # read by rows() for these dimensions
        if ident is None:
            return None, None
        return self._names[dimension].get(ident, (None, None))

    def summary(self) -> Indicators:
        row = _finish(self.rows(None)[0][2])
        row["p90_response_business_days"] = _p90(self.f, self.src)
        return row

    def breakdown(self, dimension: str) -> list[BreakdownRow]:
        return _breakdown(self, dimension)


def _p90(f: Filters, src: _Source) -> int | None:
    if not src.rollups:
        return p90_response(f, _live=True)
    hist: dict[int, int] = defaultdict(int)
    qs = _rollup_part(ResponseDayStat, f, src)
    for days, n in qs.values("days").annotate(total=Sum("n")).values_list("days", "total"):
        hist[days] += n
    live = _live_part(f, src)
    if live is not None:
        solutions = Solution.objects.filter(
            case__in=cases_in(live).values("id"), response_business_days__isnull=False
        )
        for days, n in (
            solutions.values("response_business_days")
            .annotate(total=Count("id"))
            .values_list("response_business_days", "total")
            .order_by()
        ):
            if days is not None:  # excluded by the filter: for the types
                hist[days] += n
    return rollups.percentile_from_histogram(hist)


def p90_response(f: Filters, *, _live: bool = False) -> int | None:
    """Nearest-rank 90th percentile of the response time: from the rollups' histogram, or two
    indexed queries over the cases (any database)."""
    if not _live:
        return _p90(f, _source(f))
    qs = Solution.objects.filter(
        case__in=cases_in(f).values("id"), response_business_days__isnull=False
    )
    n = qs.count()
    if not n:
        return None
    k = math.ceil(0.9 * n)
    value: int | None = qs.order_by("response_business_days").values_list(
        "response_business_days", flat=True
    )[k - 1]
    return value


def summary(f: Filters, now: datetime | None = None) -> Indicators:
    return Figures(f, now).summary()


DIMENSIONS = {  # key: title
    "mes": "Mes",
    "operadora": "Operadora",
    "categoria": "Categoría",
    "subcategoria": "Problema (subcategoría)",
    "canal": "Canal",
    "oficina": "Oficina (departamento)",  # keyed by the office's code
}


def breakdown(f: Filters, dimension: str, now: datetime | None = None) -> list[BreakdownRow]:
    """One row per value of the dimension, with every indicator."""
    return Figures(f, now).breakdown(dimension)


def _breakdown(figures: Figures, dimension: str) -> list[BreakdownRow]:
    f, src = figures.f, figures.src
    rows = figures.rows(dimension)
    if dimension == "mes":
        rows.sort(key=lambda r: r[0] or "")  # months: never None
        return [{"key": k, "label": label, **_finish(counts)} for k, label, counts in rows]
    # Most cases first, then by key (a missing office last, as PostgreSQL sorts NULL).
    rows.sort(key=lambda r: (-r[2]["cases"], r[0] is None, r[0] or ""))
    lines = _lines() if dimension == "operadora" else {}
    out: list[BreakdownRow] = []
    for k, label, counts in rows:
        name = label
        if dimension == "oficina":
            name = label if k else "Sin oficina (web y app)"
        elif dimension == "canal":
            name = {
                "WEB": "Web",
                "APP": "Aplicativo",
                "PRESENCIAL": "Presencial",
                "TELEFONICO": "Telefónico",
            }.get(k or "", k)
        row: BreakdownRow = {"key": k or "", "label": name, **_finish(counts)}
        if dimension == "operadora":
            n = lines.get(k or "") or 0
            row["cases_per_100k_lines"] = round(counts["cases"] * 100_000 / n, 2) if n else None
            row["p90_response_business_days"] = _p90(
                Filters(f.date_from, f.date_to, f.service, k or ""), src
            )
        out.append(row)
    return out


def _lines() -> dict[str, int | None]:
    """Each operator's mobile lines, by its code (the per-100k rate's denominator)."""
    return dict(Operator.objects.values_list("code", "mobile_lines"))


def top_problems(f: Filters, limit: int = 10) -> list[BreakdownRow]:
    return breakdown(f, "subcategoria")[:limit]


def overdue_now(f: Filters, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return (
        cases_in(f)
        .filter(
            Q(state=State.OVERDUE)
            | Q(state__in=[State.FORWARDED, State.IN_PROGRESS], due_at__lt=now)
        )
        .count()
    )


# --- late claim codes ----------------------------------------------------------------------------

LATE_CODE_HEADERS = [
    "operadora",
    "nombre",
    "reclamos con plazo de código en el periodo",
    "códigos fuera de plazo",
    "códigos fuera de plazo (%)",
    "aún sin código, vencidos",
]


def late_claim_codes(f: Filters, now: datetime | None = None) -> list[dict[str, object]]:
    """Per operator, the claims whose code plazo ended in the period (Lima days) and how many
    of them had their code late or still have none ("de manera inmediata", 1 business hour by
    default): one GROUP BY, whatever the number of claims."""
    now = now or timezone.now()
    start = datetime.combine(f.date_from, datetime.min.time(), tzinfo=LIMA)
    end = datetime.combine(f.date_to, datetime.min.time(), tzinfo=LIMA) + timedelta(days=1)
    qs = Claim.objects.filter(code_due_at__gte=start, code_due_at__lt=min(end, now))
    if f.service:
        qs = qs.filter(service=f.service)
    if f.operator:
        qs = qs.filter(operator__code=f.operator)
    rows = (
        qs.values("operator__code", "operator__name")
        .annotate(
            due=Count("id"),
            late=Count("id", filter=claim_code_late_q(now)),
            missing=Count("id", filter=Q(coded_at__isnull=True)),
        )
        .order_by("operator__name")
    )
    return [
        {
            "code": r["operator__code"],
            "name": r["operator__name"],
            "due": r["due"],
            "late": r["late"],
            "late_pct": _pct(r["late"], r["due"]),
            "missing": r["missing"],
        }
        for r in rows
    ]
