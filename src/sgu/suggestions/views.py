"""Suggestions pages: the public form (anyone), and the regulator's pages to route, answer,
record actions and read the annual report. Thin: parse, call one service or selector."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts.auth import principal_for_user
from sgu.accounts.decorators import regulator_staff_required, role_required
from sgu.accounts.models import Role
from sgu.core.calendar import LIMA
from sgu.core.errors import Conflict, DomainError, Forbidden
from sgu.core.export import csv_response
from sgu.core.ratelimit import RateLimited
from sgu.core.web import is_htmx, or_404, page_of, refused_page, vary_on_htmx
from sgu.suggestions import exports, selectors, services
from sgu.suggestions.forms import ActionForm, AnswerForm, FilterForm, RouteForm, SuggestionForm
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


def _detail(request, suggestion, *, route=None, answer=None, action=None, status=200):
    user = request.user
    return render(
        request,
        "suggestions/staff_detail.html",
        {
            "s": suggestion,
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
