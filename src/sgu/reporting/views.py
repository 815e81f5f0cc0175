"""Statistics for regulator supervisors: the dashboard (charts + tables, every indicator
with its definition), CSV/XLSX downloads of every breakdown, the daily reports."""

from datetime import timedelta

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sgu.accounts.decorators import role_required
from sgu.accounts.models import Role
from sgu.catalog import selectors as catalog
from sgu.core.export import csv_response, xlsx_response
from sgu.core.replica import from_replica
from sgu.core.templatetags.sgu_ui import cifra
from sgu.core.web import parse_date, period_from
from sgu.reporting import rollups, selectors
from sgu.reporting.indicators import BY_KEY, INDICATORS
from sgu.reporting.models import DailyReport
from sgu.reporting.services import DAILY_HEADERS

supervisor_required = role_required(Role.REGULATOR_SUPERVISOR)

COLUMNS = [
    "cases",
    "answered",
    "answered_on_time_pct",
    "avg_response_business_days",
    "resolved_pct",
    "rated",
    "satisfaction_avg",
    "claims",
    "claims_pct",
    "overdue_now",
]
OPERATOR_COLUMNS = [*COLUMNS, "p90_response_business_days", "cases_per_100k_lines"]
SERVICES = [
    ("", "Todos"),
    ("MOVIL", "Telefonía móvil"),
    ("FIJO", "Telefonía fija"),
    ("INTERNET", "Internet"),
    ("TV", "TV de paga"),
]


def filters_from(request) -> tuple[selectors.Filters, list[str]]:
    """Period (desde/hasta, default: the last 12 months), service and operator; bad values
    are named and replaced by the default."""
    today = timezone.localdate()
    start, end, errors = period_from(
        request, default_from=(today.replace(day=1) - timedelta(days=335)).replace(day=1)
    )
    service = request.GET.get("servicio", "")
    if service not in dict(SERVICES):
        errors.append("Servicio no válido.")
        service = ""
    operator = request.GET.get("operadora", "")[:20]
    return selectors.Filters(start, end, service, operator), errors


def _headers(columns):

    return ["clave", "nombre"] + [f"{BY_KEY[c].name} ({BY_KEY[c].unit})" for c in columns]


def _table(rows, columns):
    return [[r["key"], r["label"], *(r.get(c) for c in columns)] for r in rows]


@supervisor_required
@require_GET
@from_replica
def dashboard(request):
    f, errors = filters_from(request)
    now = timezone.now()
    tables = []
    figures = selectors.Figures(f, now)  # one read of each source for every table
    for dim, title in selectors.DIMENSIONS.items():
        cols = OPERATOR_COLUMNS if dim == "operadora" else COLUMNS
        rows = figures.breakdown(dim)
        if dim == "subcategoria":
            title = "Problemas más frecuentes"
            rows = rows[:10]
        indicators = [BY_KEY[c] for c in cols]
        tables.append(
            {
                "dim": dim,
                "title": title,
                "chart_title": f"Casos registrados por {title.lower()}"
                if dim != "subcategoria"
                else "Casos registrados de los 10 problemas más frecuentes",
                "indicators": indicators,
                "rows": [
                    {
                        "label": r["label"],
                        "cells": [cifra(r.get(i.key), i.unit) for i in indicators],
                    }
                    for r in rows
                ],
                "raw": rows,
            }
        )
    charts = {
        t["dim"]: {
            "labels": [r["label"] for r in t["raw"]],
            "values": [r["cases"] for r in t["raw"]],
            "title": t["chart_title"],
        }
        for t in tables
    }
    summary = figures.summary()
    context = {
        "filters": f,
        "errors": errors,
        "summary": summary,
        # The same figures as shown: decimal comma, thousands spaces, unit.
        "figures": [(i, cifra(summary.get(i.key), i.unit)) for i in INDICATORS if i.key in summary],
        "tables": tables,
        "charts": charts,
        "late_codes": [
            {**r, "late_pct_shown": cifra(r["late_pct"], "%")}
            for r in selectors.late_claim_codes(f, now)
        ],
        "services": SERVICES,
        "operators": catalog.active_operators(),
        "query": f.as_query(),
        "consolidated_at": rollups.watermark(),
        "nav": "stats",
    }
    return render(request, "reporting/dashboard.html", context)


@supervisor_required
@require_GET
@from_replica
def export(request, dimension: str, fmt: str):
    if dimension not in selectors.DIMENSIONS or fmt not in ("csv", "xlsx"):
        raise Http404("No existe esa descarga.")
    f, _ = filters_from(request)
    cols = OPERATOR_COLUMNS if dimension == "operadora" else COLUMNS
    rows = _table(selectors.breakdown(f, dimension), cols)
    name = f"estadisticas-{dimension}-{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}.{fmt}"
    headers = _headers(cols)
    if fmt == "csv":
        return csv_response(headers, rows, name)
    return xlsx_response(headers, rows, name, sheet=dimension, numeric=set(headers[2:]))


@supervisor_required
@require_GET
@from_replica
def late_codes_export(request, fmt: str):
    """Late claim codes per operator, as the dashboard's table shows them."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("No existe esa descarga.")
    f, _ = filters_from(request)
    rows = [
        [r["code"], r["name"], r["due"], r["late"], r["late_pct"], r["missing"]]
        for r in selectors.late_claim_codes(f)
    ]
    headers = selectors.LATE_CODE_HEADERS
    name = f"codigos-de-reclamo-{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(headers, rows, name)
    return xlsx_response(headers, rows, name, sheet="codigos", numeric=set(headers[2:]))


@supervisor_required
@require_GET
@from_replica
def daily_reports(request):
    """The daily reports, the chosen one (?dia=AAAA-MM-DD, else the latest) read on screen."""
    reports = list(DailyReport.objects.all()[:60])
    wanted = parse_date(request.GET.get("dia", ""))
    shown = next((r for r in reports if r.day == wanted), None) or (reports[0] if reports else None)
    names = dict(catalog.active_operators().values_list("code", "name"))
    rows, totals = [], [0] * (len(DAILY_HEADERS) - 1)
    if shown is not None:
        for code, *figures in shown.rows:
            rows.append({"operator": names.get(code, code), "figures": figures})
            totals = [t + (n or 0) for t, n in zip(totals, figures, strict=False)]
    return render(
        request,
        "reporting/daily.html",
        {
            "reports": reports,
            "shown": shown,
            "rows": rows,
            "totals": totals,
            "nav": "stats",
        },
    )


@supervisor_required
@require_GET
@from_replica
def daily_report(request, day: str, fmt: str):
    parsed = parse_date(day)
    report = DailyReport.objects.filter(day=parsed).first() if parsed else None
    if report is None or fmt not in ("csv", "xlsx"):
        raise Http404("No hay reporte de ese día.")
    name = f"reporte-diario-{report.day:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(DAILY_HEADERS, report.rows, name)
    return xlsx_response(
        DAILY_HEADERS, report.rows, name, sheet="Reporte diario", numeric=set(DAILY_HEADERS[1:])
    )
