"""The public indicators page (no account): the month's figures per operator, each with its
definition, and the link to the month's open data. Thin: parse, call, render."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sgu.core.errors import ValidationFailed
from sgu.core.ratelimit import RateLimited, limit_by_ip
from sgu.core.replica import from_replica
from sgu.core.web import refused_page
from sgu.reporting import public
from sgu.reporting.public_api import open_data_url

TEMPLATE = "reporting/public_indicators.html"


@require_GET
@from_replica
def indicators(request):
    limits = settings.SGU["RATE_LIMITS"]
    try:
        if limits.get("ENABLED", True):
            limit, window = limits["public"]
            limit_by_ip(request, "public-indicators-page", limit=limit, window=window)
    except RateLimited as exc:
        return refused_page(request, exc)
    now = timezone.now()
    current = public.current_period(now)
    context = {
        "nav": "indicators",
        "current": current,
        "indicators": public.public_indicators(),
        "columns": public.OPEN_DATA_COLUMNS,
        "raw_period": request.GET.get("periodo", "")[:20],
    }
    try:
        period = public.parse_period(request.GET.get("periodo"), now=now, field="periodo")
    except ValidationFailed as exc:
        context["error"] = exc.detail
        return render(request, TEMPLATE, context, status=422)
    rows = public.operator_indicators(period, now)
    context |= {
        "period": period,
        "closed": public.is_closed(period, now),
        "previous": period.previous if period.previous.year >= public.FIRST_YEAR else None,
        "next": period.next if period != current else None,
        "operators": [
            {"row": r, "figures": [(i, r[i.key]) for i in context["indicators"]]} for r in rows
        ],
        "open_data_url": open_data_url(period),
        "api_url": f"/api/v1/public/indicators?period={period.key}",
    }
    return render(request, TEMPLATE, context)
