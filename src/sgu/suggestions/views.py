"""Suggestions pages: the public form (anyone), and the regulator's pages to route, answer,
record actions and read the annual report. Thin: parse, call one service or selector."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts.auth import principal_for_user
from sgu.accounts.decorators import regulator_staff_required, role_required
from sgu.accounts.models import Role
from sgu.core.calendar import LIMA
from sgu.core.errors import Conflict, DomainError, FieldError, Forbidden, ValidationFailed
from sgu.core.export import csv_response
from sgu.core.ratelimit import RateLimited
from sgu.core.web import is_htmx, or_404, page_of, refused_page, vary_on_htmx
from sgu.suggestions import exports, selectors, services
from sgu.suggestions.forms import (
    ActionForm,
    AnswerForm,
    AreaReportForm,
    FilterForm,
    RouteForm,
    StaffEntryForm,
    SuggestionForm,
    TriageForm,
)
from sgu.suggestions.models import SuggestionChannel

SESSION_KEY = "suggestion_sent"

supervisor_required = role_required(Role.REGULATOR_SUPERVISOR)


# --- public ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def send(request):
    user = request.user
    citizen = user if user.is_authenticated and user.role == Role.CITIZEN else None
    if request.method == "POST":
        form = SuggestionForm(request.POST)
        try:
            services.rate_limit(request)
            suggestion = services.submit_suggestion(
                data=form.suggestion_input(), channel=SuggestionChannel.WEB, citizen=citizen
            )
        except RateLimited as exc:
            return refused_page(
                request,
                exc,
                "suggestions/send.html",
                {"form": form, "limited": exc.detail, "nav": "suggestions"},
            )
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            request.session[SESSION_KEY] = suggestion.code
            return redirect("suggestions:sent")
    else:
        initial = {}
        if citizen is not None:
            initial = {"name": citizen.get_full_name(), "email": citizen.email}
        form = SuggestionForm(initial=initial)
    status = 422 if form.errors else 200
    return render(
        request, "suggestions/send.html", {"form": form, "nav": "suggestions"}, status=status
    )


@require_GET
def sent(request):
    code = request.session.get(SESSION_KEY)
    if not code:
        return redirect("suggestions:send")
    return render(request, "suggestions/sent.html", {"code": code, "nav": "suggestions"})


# --- regulator staff ------------------------------------------------------------------------------


@regulator_staff_required
@require_GET
def staff_list(request):
    form = FilterForm(request.GET)
    qs = selectors.staff_list(request.user, form.filters())
    rows, paging = page_of(request, qs, ["-received_at", "-id"])
    context = {
        "form": form,
        "suggestions": rows,
        **paging,
        "nav": "suggestions",
    }
    if is_htmx(request):
        return vary_on_htmx(render(request, "suggestions/staff_list.html#rows", context))
    return vary_on_htmx(render(request, "suggestions/staff_list.html", context))


def _detail(request, suggestion, *, route=None, answer=None, action=None, triage=None, status=200):
    user = request.user
    return render(
        request,
        "suggestions/staff_detail.html",
        {
            "s": suggestion,
            "triage_form": triage or TriageForm(auto_id="calificar_%s"),
            "route_form": route or RouteForm(auto_id="derivar_%s"),
            "answer_form": answer or AnswerForm(auto_id="responder_%s"),
            "action_form": action or ActionForm(auto_id="accion_%s"),
            "can_route": selectors.can_route(user, suggestion),
            "can_answer": selectors.can_answer(user, suggestion),
            "nav": "suggestions",
        },
        status=status,
    )


@regulator_staff_required
@require_GET
def staff_detail(request, code: str):
    return _detail(request, or_404(selectors.for_staff, request.user, code))


def _act(request, code: str, form, call, done: str, form_name: str):
    suggestion = or_404(selectors.for_staff, request.user, code)
    try:
        call(suggestion)
    except (Conflict, Forbidden) as exc:
        messages.error(request, exc.detail)
        return redirect("suggestions_staff:detail", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _detail(request, suggestion, status=422, **{form_name: form})
    messages.success(request, done)
    return redirect("suggestions_staff:detail", code=code)


@regulator_staff_required
@require_POST
def route(request, code: str):
    form = RouteForm(request.POST, auto_id="derivar_%s")
    return _act(
        request,
        code,
        form,
        lambda s: services.route_suggestion(
            suggestion=s,
            area_code=form.value("area"),
            note=form.value("note"),
            by=principal_for_user(request.user),
        ),
        f"Derivó la sugerencia {code}.",
        "route",
    )


@regulator_staff_required
@require_POST
def answer(request, code: str):
    form = AnswerForm(request.POST, auto_id="responder_%s")
    return _act(
        request,
        code,
        form,
        lambda s: services.answer_suggestion(
            suggestion=s,
            answer=form.value("answer"),
            actions=form.value("actions"),
            by=principal_for_user(request.user),
        ),
        f"Respondió la sugerencia {code}; se envió la respuesta por correo al remitente.",
        "answer",
    )


@regulator_staff_required
@require_POST
def action(request, code: str):
    form = ActionForm(request.POST, auto_id="accion_%s")
    return _act(
        request,
        code,
        form,
        lambda s: services.record_action(
            suggestion=s, note=form.value("note"), by=principal_for_user(request.user)
        ),
        f"Registró una acción adoptada para la sugerencia {code}.",
        "action",
    )


def _year(request) -> int:
    value = (request.GET.get("year") or "").strip()
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return timezone.localtime(timezone.now(), LIMA).year


@supervisor_required
@require_GET
def report(request):
    year = _year(request)
    current = timezone.localtime(timezone.now(), LIMA).year
    return render(
        request,
        "suggestions/report.html",
        {
            "report": selectors.annual_report(year),
            "area_reports": selectors.area_reports(year),
            "area_due": selectors.annual_report_due(year),
            "today": timezone.localtime(timezone.now(), LIMA).date(),
            "suggestions": selectors.annual_list(year),
            "years": list(range(current, current - 6, -1)),
            "year": year,
            "nav": "suggestions",
        },
    )


@supervisor_required
@require_GET
def report_csv(request):
    year = _year(request)
    return csv_response(exports.HEADER, exports.rows(year), exports.filename(year))


@regulator_staff_required
@require_POST
def triage(request, code: str):
    form = TriageForm(request.POST, auto_id="calificar_%s")
    choice = form.value("is_suggestion")
    if choice not in ("si", "no"):
        suggestion = or_404(selectors.for_staff, request.user, code)
        form.apply_errors(
            ValidationFailed.of([FieldError("is_suggestion", "Indique si es una sugerencia o no.")])
        )
        return _detail(request, suggestion, status=422, triage=form)
    return _act(
        request,
        code,
        form,
        lambda s: services.triage_suggestion(
            suggestion=s,
            by=principal_for_user(request.user),
            is_suggestion=choice == "si",
            redirected_as=form.value("redirected_as"),
            answer=form.value("answer"),
            reference=form.value("reference"),
        ),
        f"Calificó {code}."
        if choice == "si"
        else f"Registró que {code} no es una sugerencia y se respondió al remitente.",
        "triage",
    )


@regulator_staff_required
@require_http_methods(["GET", "POST"])
def enter(request):
    if request.method == "GET":
        return render(
            request,
            "suggestions/enter.html",
            {"form": StaffEntryForm(), "nav": "suggestions"},
        )
    form = StaffEntryForm(request.POST)
    try:
        suggestion = services.enter_suggestion(
            data=services.StaffEntry(
                channel=form.value("channel"),
                text=form.value("text"),
                name=form.value("name"),
                email=form.value("email"),
                topic=form.value("topic"),
            ),
            by=principal_for_user(request.user),
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None
    except DomainError as exc:
        form.apply_errors(exc)
        return render(
            request,
            "suggestions/enter.html",
            {"form": form, "nav": "suggestions"},
            status=422,
        )
    messages.success(request, f"Registramos la sugerencia {suggestion.code}.")
    return redirect("suggestions_staff:detail", code=suggestion.code)


@regulator_staff_required
@require_http_methods(["GET", "POST"])
def area_report(request):
    """An area hands in its annual report of the previous year (its members, a supervisor)."""
    year = timezone.localtime(timezone.now(), LIMA).year - 1
    areas = selectors.reporting_areas(request.user)
    if not areas:
        raise PermissionDenied
    form = AreaReportForm(request.POST or None, areas=areas)
    status = 200
    if request.method == "POST":
        try:
            services.submit_annual_report(
                year=year,
                area_code=form.value("area"),
                summary=form.value("summary"),
                by=principal_for_user(request.user),
            )
        except (Conflict, Forbidden) as exc:
            messages.error(request, exc.detail)
        except DomainError as exc:
            form.apply_errors(exc)
            status = 422
        else:
            messages.success(request, f"Presentó el informe anual de sugerencias de {year}.")
            return redirect("suggestions_staff:area_report")
    rows = [r for r in selectors.area_reports(year) if r.area in areas]
    return render(
        request,
        "suggestions/area_report.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "due": selectors.annual_report_due(year),
            "today": timezone.localtime(timezone.now(), LIMA).date(),
            "nav": "suggestions",
        },
        status=status,
    )
