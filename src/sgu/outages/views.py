"""HTML pages: the operator's attention points and inoperatividad register (scoped to
`request.user.operator`), and the regulator's register view, export and contingency windows.
Thin: parse, call one service or selector, render."""

from django.contrib import messages
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts.auth import principal_for_user
from sgu.accounts.decorators import (
    operator_staff_required,
    regulator_staff_required,
    role_required,
)
from sgu.accounts.models import Role
from sgu.accounts.selectors import operator_admins
from sgu.core.errors import Conflict, DomainError, Forbidden, Refused
from sgu.core.web import is_htmx, or_404, page_of, vary_on_htmx
from sgu.outages import export, policies, selectors, services
from sgu.outages.forms import (
    DATETIME_FORMAT,
    ApplicationForm,
    CloseForm,
    ConfirmForm,
    EvaluateForm,
    EventFilterForm,
    OutageForm,
    PointForm,
    WindowForm,
    parse_local_datetime,
)
from sgu.outages.models import ClosingReason, Scenario

operator_admin_required = role_required(Role.OPERATOR_ADMIN)
supervisor_required = role_required(Role.REGULATOR_SUPERVISOR)


# --- operator: attention points ---------------------------------------------------------------


@operator_staff_required
@require_GET
def points(request):
    return render(
        request,
        "outages/points.html",
        {
            "points": selectors.operator_points(request.user.operator),
            "can_manage": request.user.role == Role.OPERATOR_ADMIN,
            "admins": operator_admins(request.user.operator),
            "nav": "outages",
        },
    )


@operator_admin_required
@require_http_methods(["GET", "POST"])
def point_new(request):
    # An empty POST is still a submission (a bound form), not a first visit.
    form = PointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            point = services.create_attention_point(
                data=form.point_input(), by=principal_for_user(request.user)
            )
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"Registró el punto de atención {point.name}.")
            return redirect("outages:points")
    status = 422 if form.errors else 200
    return render(
        request, "outages/point_form.html", {"form": form, "nav": "outages"}, status=status
    )


@operator_admin_required
@require_http_methods(["GET", "POST"])
def point_edit(request, pk: int):
    point = or_404(selectors.operator_point, request.user.operator, pk)
    if request.method == "POST":
        form = PointForm(request.POST)
        try:
            services.update_attention_point(
                point=point, data=form.point_input(), by=principal_for_user(request.user)
            )
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"Actualizó el punto de atención {point.name}.")
            return redirect("outages:points")
    else:
        form = PointForm(
            initial={
                "code": point.code,
                "name": point.name,
                "kind": point.kind,
                "ubigeo": point.ubigeo,
                "address": point.address,
                "active": point.active,
            }
        )
    status = 422 if form.errors else 200
    return render(
        request,
        "outages/point_form.html",
        {"form": form, "point": point, "nav": "outages"},
        status=status,
    )


# --- operator: outage events ------------------------------------------------------------------


def _with_review(rows):
    """Each event with its review state and flags now (policies), for the templates."""
    now = timezone.now()
    rows = list(rows)
    for e in rows:
        e.review_label = policies.review_state_label(e)
        e.flag_list = policies.flags(e, now)
    return rows


def _require_registrar(request) -> None:
    principal = principal_for_user(request.user)
    if not policies.can_register(principal):
        raise Refused(policies.register_refusal(request.user.operator))


@operator_staff_required
@require_GET
def events(request):
    operator = request.user.operator
    closed, page = page_of(
        request, selectors.operator_closed_events(operator), ["-started_at", "-id"]
    )
    context = {"closed": _with_review(closed), "nav": "outages", **page}
    if is_htmx(request) and page["cursor"]:
        return vary_on_htmx(render(request, "outages/events.html#closed-rows", context))
    context["open_events"] = _with_review(selectors.operator_open_events(operator))
    principal = principal_for_user(request.user)
    context["can_register"] = policies.can_register(principal)
    if not context["can_register"]:
        context["register_refusal"] = policies.register_refusal(operator)
    context["has_points"] = selectors.operator_points(operator, active=True).exists()
    context["can_manage_points"] = request.user.role == Role.OPERATOR_ADMIN
    context["admins"] = operator_admins(operator)
    return vary_on_htmx(render(request, "outages/events.html", context))


@operator_staff_required
@require_http_methods(["GET", "POST"])
def event_new(request):
    operator = request.user.operator
    _require_registrar(request)
    if request.method == "POST":
        form = OutageForm(request.POST, operator=operator)
        try:
            event = services.register_outage(
                data=form.outage_input(), by=principal_for_user(request.user)
            )
        except Forbidden as exc:
            raise Refused(exc.detail) from None
        except Conflict as exc:
            form.add_error(None, exc.detail)
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request,
                f"Registró el evento N.º {event.number} ({event.attention_point.name}, "
                f"{event.get_procedure_type_display()}).",
            )
            return redirect("outages:events")
    else:
        now = timezone.localtime(timezone.now())
        form = OutageForm(operator=operator, initial={"started_at": f"{now:{DATETIME_FORMAT}}"})
    status = 422 if form.errors else 200
    return render(
        request, "outages/event_form.html", {"form": form, "nav": "outages"}, status=status
    )


@operator_staff_required
@require_http_methods(["GET", "POST"])
def event_close(request, pk: int):
    event = or_404(selectors.operator_event, request.user.operator, pk)
    _require_registrar(request)
    if request.method == "POST":
        form = CloseForm(request.POST, auto_id=f"cerrar{pk}_%s", scenario=event.scenario)
        ended_at, reason = form.close_input()
        try:
            services.close_outage(
                event=event,
                ended_at=ended_at,
                closing_reason=reason,
                closing_justification=form.value("closing_justification"),
                by=principal_for_user(request.user),
            )
        except Forbidden as exc:
            raise Refused(exc.detail) from None
        except Conflict as exc:
            messages.error(request, exc.detail)
            return redirect("outages:events")
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"Cerró el evento N.º {event.number}.")
            return redirect("outages:events")
    else:
        if not event.is_open:
            messages.error(request, f"El evento N.º {event.number} ya está cerrado.")
            return redirect("outages:events")
        now = timezone.localtime(timezone.now())
        form = CloseForm(
            initial={"ended_at": f"{now:{DATETIME_FORMAT}}"},
            auto_id=f"cerrar{pk}_%s",
            scenario=event.scenario,
        )
    context = {"form": form, "event": event, "nav": "outages"}
    if is_htmx(request) and request.method == "GET":
        return vary_on_htmx(render(request, "outages/event_close.html#close-form", context))
    status = 422 if form.errors else 200
    return vary_on_htmx(render(request, "outages/event_close.html", context, status=status))


# --- operator: one event and its review before reporting ----------------------------------------


def _detail(request, event, *, forms: dict | None = None, status: int = 200):
    principal = principal_for_user(request.user)
    event = _with_review([event])[0]
    if event.evaluation is not None:
        figures = event.evaluation
    elif not event.is_open and not event.discarded:
        figures = selectors.evaluation_figures(event)
    else:
        figures = None
    forms = forms or {}
    steps = {
        "confirm": policies.can_confirm(event) and policies.can_review(principal, "confirm"),
        "evaluate": policies.can_evaluate(event) and policies.can_review(principal, "evaluate"),
        "approve": policies.can_approve(event) and policies.can_review(principal, "approve"),
    }
    context = {
        "event": event,
        "figures": figures,
        "evaluation_due_at": policies.evaluation_due_at(event),
        "long_event_minutes": policies.LONG_EVENT_MINUTES,
        "can_close": event.is_open and policies.can_register(principal),
        "can_confirm": steps["confirm"],
        "can_evaluate": steps["evaluate"],
        "can_approve": steps["approve"],
        "confirm_form": forms.get("confirm") or ConfirmForm(auto_id="confirmar_%s"),
        "evaluate_form": forms.get("evaluate") or EvaluateForm(auto_id="evaluar_%s"),
        "nav": "outages",
    }
    return render(request, "outages/event_detail.html", context, status=status)


@operator_staff_required
@require_GET
def event_detail(request, pk: int):
    return _detail(request, or_404(selectors.operator_event, request.user.operator, pk))


def _review_step(request, pk: int, step: str, call, form=None):
    event = or_404(selectors.operator_event, request.user.operator, pk)
    try:
        call(event, principal_for_user(request.user))
    except Forbidden as exc:
        raise Refused(exc.detail) from None
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("outages:event", pk=pk)
    except DomainError as exc:
        if form is None:
            raise
        form.apply_errors(exc)
        return _detail(request, event, forms={step: form}, status=422)
    return None


@operator_staff_required
@require_POST
def event_confirm(request, pk: int):
    form = ConfirmForm(request.POST, auto_id="confirmar_%s")
    refused = _review_step(
        request,
        pk,
        "confirm",
        lambda event, by: services.confirm_mass_failure(
            event=event,
            failure_started_at=parse_local_datetime(form.value("failure_started_at")),
            failure_ended_at=parse_local_datetime(form.value("failure_ended_at")),
            by=by,
        ),
        form,
    )
    if refused is not None:
        return refused
    messages.success(request, "Confirmó la falla masiva.")
    return redirect("outages:event", pk=pk)


@operator_staff_required
@require_POST
def event_evaluate(request, pk: int):
    form = EvaluateForm(request.POST, auto_id="evaluar_%s")
    refused = _review_step(
        request,
        pk,
        "evaluate",
        lambda event, by: services.evaluate_outage(
            event=event, proceeds=form.proceeds_value(), note=form.value("note"), by=by
        ),
        form,
    )
    if refused is not None:
        return refused
    messages.success(request, "Registró la evaluación del evento.")
    return redirect("outages:event", pk=pk)


@operator_staff_required
@require_POST
def event_approve(request, pk: int):
    refused = _review_step(
        request, pk, "approve", lambda event, by: services.approve_outage(event=event, by=by)
    )
    if refused is not None:
        return refused
    messages.success(request, "Aprobó el evento: quedó reportado al regulador.")
    return redirect("outages:event", pk=pk)


# --- operator: the catalog of affected applications -----------------------------------------


@operator_staff_required
@require_http_methods(["GET", "POST"])
def applications(request):
    operator = request.user.operator
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            app = services.create_application(
                data=form.application_input(), by=principal_for_user(request.user)
            )
        except Forbidden as exc:
            raise Refused(exc.detail) from None
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"Agregó el aplicativo {app.name} a su catálogo.")
            return redirect("outages:applications")
    return render(
        request,
        "outages/applications.html",
        {
            "form": form,
            "applications": selectors.operator_applications(operator, active=None),
            "can_manage": request.user.role == Role.OPERATOR_ADMIN,
            "closing_table": [
                (label, [ClosingReason(r).label for r in policies.allowed_closing_reasons(s)])
                for s, label in Scenario.choices
            ],
            "nav": "outages",
        },
        status=422 if form.errors else 200,
    )


# --- regulator: the register of every operator ------------------------------------------------


@regulator_staff_required
@require_GET
def regulator_events(request):
    form = EventFilterForm(request.GET)
    qs = selectors.regulator_events(form.filters())
    rows, page = page_of(request, qs, ["-started_at", "-id"])
    context = {"form": form, "events": _with_review(rows), "nav": "outages", **page}
    if is_htmx(request):
        return vary_on_htmx(render(request, "outages/regulator_events.html#event-rows", context))
    return vary_on_htmx(render(request, "outages/regulator_events.html", context))


def _export_qs(request):
    return selectors.regulator_events(EventFilterForm(request.GET).filters())


def _export_name(ext: str) -> str:
    return f"inoperatividad-{timezone.localtime(timezone.now()):%Y%m%d-%H%M}.{ext}"


@regulator_staff_required
@require_GET
def export_csv(request):
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in export.csv_chunks(_export_qs(request))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@regulator_staff_required
@require_GET
def export_xlsx(request):
    response = FileResponse(
        export.write_xlsx(_export_qs(request)),
        as_attachment=True,
        filename=_export_name("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- regulator: contingency windows -----------------------------------------------------------


@regulator_staff_required
@require_GET
def windows(request):
    rows, page = page_of(request, selectors.contingency_windows(), ["-starts_at", "-id"])
    return render(
        request,
        "outages/windows.html",
        {
            "windows": rows,
            "can_register": request.user.role == Role.REGULATOR_SUPERVISOR,
            "nav": "contingency",
            **page,
        },
    )


@supervisor_required
@require_http_methods(["GET", "POST"])
def window_new(request):
    form = WindowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            result = services.register_contingency_window(
                data=form.window_input(), by=principal_for_user(request.user)
            )
        except DomainError as exc:
            form.apply_errors(exc)
        else:
            _result_message(request, result)
            return redirect("outages:window", pk=result.window.pk)
    status = 422 if form.errors else 200
    return render(
        request, "outages/window_form.html", {"form": form, "nav": "contingency"}, status=status
    )


def _result_message(request, result: services.ApplyResult) -> None:
    text = (
        f"Contingencia N.º {result.window.pk}: se ampliaron {result.extended} casos"
        f" de {result.candidates} del periodo"
    )
    if result.reopened:
        text += f"; {result.reopened} vencidos volvieron a estar abiertos"
    if result.now_on_time:
        text += f"; {result.now_on_time} respuestas quedan dentro del plazo"
    if result.reapplied:
        text += f"; {result.reapplied} ampliaciones de ventanas posteriores"
    messages.success(request, text + ".")


@regulator_staff_required
@require_GET
def window_detail(request, pk: int):
    window = or_404(selectors.contingency_window, pk)
    extensions = selectors.window_extensions(window)
    return render(
        request,
        "outages/window_detail.html",
        {
            "window": window,
            "label": services.window_label(window),
            "span": services.describe_window(window),
            "extensions": extensions[:500],
            "more": max(0, window.n_extended - 500),
            "can_apply": request.user.role == Role.REGULATOR_SUPERVISOR,
            "nav": "contingency",
        },
    )


@supervisor_required
@require_POST
def window_apply(request, pk: int):
    window = or_404(selectors.contingency_window, pk)
    result = services.apply_contingency_window(window=window, by=principal_for_user(request.user))
    _result_message(request, result)
    return redirect("outages:window", pk=pk)
