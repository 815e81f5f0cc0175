"""The regulator's pages (orientadores and supervisors): cases overdue right now per operator,
and the review of the cases operators returned as not theirs (reassign or confirm and close).
Thin: parse, call one service or selector, render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sgu.accounts.auth import principal_for_user
from sgu.accounts.decorators import regulator_staff_required
from sgu.cases import selectors, services, staff_tray
from sgu.cases.forms import (
    ConfirmReturnForm,
    ReassignForm,
    SaveTrayViewForm,
    TrayFilterForm,
)
from sgu.cases.workflow import Action, Actor, State, allowed_actions
from sgu.catalog import selectors as catalog
from sgu.core.errors import Conflict, DomainError, ValidationFailed
from sgu.core.principal import Principal
from sgu.core.web import download, is_htmx, or_404, page_of, send_file, vary_on_htmx


@regulator_staff_required
@require_GET
def home(request):
    now = timezone.now()
    overdue = selectors.overdue_counts_by_operator(now)
    rows = [(o.name, overdue.pop(o.code, 0)) for o in catalog.active_operators()]
    rows += sorted(overdue.items())  # an operator deactivated with cases still overdue
    context = {
        "rows": rows,
        "total": sum(n for _, n in rows),
        "returned": selectors.returned_cases().count(),
        "now": now,
        "nav": "staff",
    }
    return render(request, "staff/home.html", context)


@regulator_staff_required
@require_GET
def returns(request):
    cases, paging = page_of(request, selectors.returned_cases(), ["updated_at", "id"])
    context = {
        "cases": cases,
        **paging,
        "now": timezone.now(),
        "nav": "returns",
    }
    template = "staff/returns.html#returned-rows" if is_htmx(request) else "staff/returns.html"
    return vary_on_htmx(render(request, template, context))


def _case_page(request, case, *, reassign_form=None, close_form=None, status=200):
    actions = allowed_actions(case.state, Actor.REGULATOR)
    returned = case.state == State.RETURNED
    context = {
        "case": case,
        "now": timezone.now(),
        # The latest return: a case reassigned and returned again shows the last reason.
        "return_event": next((e for e in reversed(case.timeline) if e.kind == Action.RETURN), None),
        "claim": getattr(case, "claim", None),
        "can_reassign": returned and Action.REASSIGN in actions,
        "can_confirm": returned and Action.CLOSE in actions,
        "reassign_form": reassign_form or ReassignForm(current=case.operator),
        "close_form": close_form or ConfirmReturnForm(),
        "nav": "returns" if returned else "staff",
    }
    return render(request, "staff/case.html", context, status=status)


@regulator_staff_required
@require_GET
def case_detail(request, code: str):
    case = or_404(selectors.regulator_case, request.user, code)
    return _case_page(request, case)


@regulator_staff_required
@require_POST
def reassign(request, code: str):
    case = or_404(selectors.regulator_case, request.user, code)
    form = ReassignForm(request.POST, current=case.operator)
    try:
        moved = services.reassign_case(
            case=case,
            operator_code=form.value("operator"),
            note=form.value("note"),
            by=principal_for_user(request.user),
        )
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("staff:case", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _case_page(request, case, reassign_form=form, status=422)
    messages.success(
        request,
        f"Trasladamos el caso {code} a {moved.operator.name}, con un nuevo plazo. Avisamos al "
        "ciudadano por correo.",
    )
    return redirect("staff:returns")


@regulator_staff_required
@require_POST
def confirm_return(request, code: str):
    case = or_404(selectors.regulator_case, request.user, code)
    form = ConfirmReturnForm(request.POST)
    try:
        services.confirm_return(
            case=case, note=form.value("note"), by=principal_for_user(request.user)
        )
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("staff:case", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _case_page(request, case, close_form=form, status=422)
    messages.success(
        request,
        f"Confirmamos la devolución y cerramos el caso {code}. Enviamos la explicación al "
        "ciudadano por correo.",
    )
    return redirect("staff:returns")


@regulator_staff_required
@require_GET
def attachment(request, code: str, pk: int):
    case = or_404(selectors.regulator_case, request.user, code)
    return download(case, pk)


@regulator_staff_required
@require_GET
def claim_form(request, code: str):
    """The claim form (PDF) of any case's coded reclamo."""
    principal = Principal(actor_role=Actor.REGULATOR, user=request.user)
    claim = or_404(selectors.claim_form_of, principal, code)
    return send_file(claim.form_pdf, filename=f"reclamo-{code}.pdf", content_type="application/pdf")


@regulator_staff_required
@require_GET
def receipt(request, code: str):
    """The constancia, print-friendly (@media print in sgu.css)."""
    case = or_404(selectors.regulator_case, request.user, code)
    return render(request, "staff/receipt.html", {"case": case, "nav": "assisted"})


@regulator_staff_required
@require_POST
def email_receipt(request, code: str):
    case = or_404(selectors.regulator_case, request.user, code)
    services.email_receipt(case=case, by=principal_for_user(request.user))
    messages.success(request, f"Enviamos la constancia a {case.citizen.email}.")
    return redirect("staff:receipt", code=code)


# --- tracking tray ----------------------------------------------------------------------------


@regulator_staff_required
@require_GET
def tray(request):
    htmx = is_htmx(request)
    # The fragment (filtering, "Ver más casos") shows only rows: no form, whose choices cost
    # four catalog queries (docs/benchmarks.md, "Bandeja a 10 millones").
    form = None if htmx else TrayFilterForm(request.GET)
    filters, ordering, errors = staff_tray.parse(request.GET)
    if errors and form is not None:
        form.apply_errors(ValidationFailed.of(errors.errors))
    qs = selectors.tray_rows(staff_tray.tray(filters, ordering))
    cases, paging = page_of(request, qs, ordering)
    context = {
        "form": form,
        "cases": cases,
        **paging,
        "query": paging["plain_query"],  # what «Guardar vista» saves
        "filtered": bool(filters),
        "views": selectors.saved_tray_views(request.user),
        "save_form": SaveTrayViewForm(),
        "now": timezone.now(),
        "nav": "tray",
    }
    template = "staff/tray.html#tray-rows" if htmx else "staff/tray.html"
    return vary_on_htmx(render(request, template, context))


@regulator_staff_required
@require_POST
def save_view(request):
    form = SaveTrayViewForm(request.POST)
    query = request.POST.get("query", "")
    try:
        view = services.save_tray_view(user=request.user, name=form.value("name"), query=query)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(f"{reverse('staff:tray')}?{query.lstrip('?')}")
    messages.success(request, f"Guardamos la vista «{view.name}».")
    return redirect(f"{reverse('staff:tray')}?{view.query}")


@regulator_staff_required
@require_POST
def delete_view(request, pk: int):
    services.delete_tray_view(user=request.user, view_id=pk)
    messages.success(request, "Eliminamos la vista guardada.")
    return redirect("staff:tray")
