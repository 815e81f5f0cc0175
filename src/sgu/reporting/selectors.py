"""Statistics as SQL aggregates: one GROUP BY query per breakdown, never a Python loop over
cases. Response times come from Solution.response_business_days, computed once at answer
time with the business calendar."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sgu.cases.models import Case, Solution
from sgu.cases.workflow import State
from sgu.core.calendar import LIMA


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date  # inclusive
    service: str = ""
    operator: str = ""

    def as_query(self) -> str:
        from urllib.parse import urlencode

        return urlencode(
            {
                "desde": self.date_from.isoformat(),
                "hasta": self.date_to.isoformat(),
                "servicio": self.service,
                "operadora": self.operator,
            }
        )


def month_filters(period: str, **kw) -> Filters:
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


def _aggregates(now: datetime) -> dict:
    overdue = Q(state=State.OVERDUE) | Q(
        state__in=[State.FORWARDED, State.IN_PROGRESS], due_at__lt=now
    )
    return {
        "cases": Count("id"),
        "answered": Count("solution"),
        "on_time": Count("solution", filter=Q(solution__on_time=True)),
        "avg_bd": Avg("solution__response_business_days"),
        "rated": Count("rating"),
        "resolved": Count("rating", filter=Q(rating__resolved=True)),
        "satisfaction": Avg("rating__score"),
        "claims": Count("claim"),
        "overdue_now": Count("id", filter=overdue),
    }


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _round(value, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _finish(row: dict) -> dict:
    return {
        "cases": row["cases"],
        "answered": row["answered"],
        "answered_on_time_pct": _pct(row["on_time"], row["answered"]),
        "avg_response_business_days": _round(row["avg_bd"]),
        "resolved_pct": _pct(row["resolved"], row["answered"]),
        "rated": row["rated"],
        "satisfaction_avg": _round(row["satisfaction"]),
        "claims": row["claims"],
        "claims_pct": _pct(row["claims"], row["cases"]),
        "overdue_now": row["overdue_now"],
    }


def p90_response(f: Filters) -> int | None:
    """Nearest-rank 90th percentile of the response time: two indexed queries, any database."""
    qs = Solution.objects.filter(
        case__in=cases_in(f).values("id"), response_business_days__isnull=False
    )
    n = qs.count()
    if not n:
        return None
    k = math.ceil(0.9 * n)
    return qs.order_by("response_business_days").values_list("response_business_days", flat=True)[
        k - 1
    ]


def summary(f: Filters, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    row = _finish(cases_in(f).aggregate(**_aggregates(now)))
    row["p90_response_business_days"] = p90_response(f)
    return row


DIMENSIONS = {
    "mes": ("Mes", None),
    "operadora": ("Operadora", ("operator__code", "operator__name")),
    "categoria": ("Categoría", ("subcategory__category__code", "subcategory__category__name")),
    "subcategoria": ("Problema (subcategoría)", ("subcategory__code", "subcategory__name")),
    "canal": ("Canal", ("channel", "channel")),
    "oficina": ("Oficina (departamento)", ("office__department", "office__name")),
}


def breakdown(f: Filters, dimension: str, now: datetime | None = None) -> list[dict]:
    """One row per value of the dimension, with every indicator. One query."""
    now = now or timezone.now()
    qs = cases_in(f)
    if dimension == "mes":
        rows = (
            qs.annotate(month=TruncMonth("registered_at", tzinfo=LIMA))
            .values("month")
            .annotate(**_aggregates(now))
            .order_by("month")
        )
        return [
            {
                "key": r["month"].strftime("%Y-%m"),
                "label": r["month"].strftime("%Y-%m"),
                **_finish(r),
            }
            for r in rows
        ]
    key, label = DIMENSIONS[dimension][1]
    rows = qs.values(k=F(key), l=F(label)).annotate(**_aggregates(now)).order_by("-cases", "k")
    out = []
    for r in rows:
        name = r["l"]
        if dimension == "oficina":
            name = f"{r['k']} · {r['l']}" if r["k"] else "Sin oficina (web y app)"
        elif dimension == "canal":
            name = {
                "WEB": "Web",
                "APP": "Aplicativo",
                "PRESENCIAL": "Presencial",
                "TELEFONICO": "Telefónico",
            }.get(r["k"], r["k"])
        out.append({"key": r["k"] or "", "label": name, **_finish(r)})
    if dimension == "operadora":
        _per_lines(out)
        for row in out:
            row["p90_response_business_days"] = p90_response(
                Filters(f.date_from, f.date_to, f.service, row["key"])
            )
    return out


def _per_lines(rows: list[dict]) -> None:
    from sgu.catalog.models import Operator

    lines = dict(Operator.objects.values_list("code", "mobile_lines"))
    for row in rows:
        n = lines.get(row["key"]) or 0
        row["cases_per_100k_lines"] = round(row["cases"] * 100_000 / n, 2) if n else None


def top_problems(f: Filters, limit: int = 10) -> list[dict]:
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
