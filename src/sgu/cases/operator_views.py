"""The operator portal: the tray of the agent's own operator, each case in it (answer it or
return it as not theirs) and the claims waiting for the operator's code."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sgu.accounts.decorators import operator_staff_required
from sgu.cases import selectors, services
from sgu.cases.models import Channel, ClaimState, Outcome
from sgu.cases.operator_forms import (
    ClaimCodeForm,
    ClaimFilterForm,
    ReturnForm,
    SolutionForm,
    TrayFilterForm,
)
from sgu.cases.workflow import Action, Actor, State, allowed_actions
from sgu.catalog.models import Service
from sgu.core.errors import Conflict, DomainError
from sgu.core.principal import Principal
from sgu.core.web import download, is_htmx, or_404, page_of, send_file, vary_on_htmx
from sgu.operators.exports import tray_export as export


def _by(request) -> Principal:
    return Principal(actor_role=Actor.OPERATOR, user=request.user, operator=request.user.operator)


@operator_staff_required
@require_GET
def tray(request):
    operator = request.user.operator
    now = timezone.now()
    form = TrayFilterForm(request.GET)
    filters = form.filters()
    qs = selectors.tray_rows(selectors.operator_tray(operator, now=now, **filters))
    ordering = form.ordering()
    cases, paging = page_of(request, qs, ordering)
    context = {
        "form": form,
        "cases": cases,
        **paging,
        "filtered": any(v is not None for k, v in filters.items() if k != "pending_only"),
        "pending_only": filters["pending_only"],
        "now": now,
        "nav": "tray",
    }
    if is_htmx(request):
        return vary_on_htmx(render(request, "operators/tray.html#tray-rows", context))
    context["counts"] = selectors.operator_tray_counts(operator, now=now)
    return vary_on_htmx(render(request, "operators/tray.html", context))


def _spoken_enums() -> dict[str, dict[str, str]]:
    """For a person downloading the tray: each enum column's code → its Spanish label."""
    return {
        "state": dict(State.choices),
        "service": dict(Service.Code.choices),
        "channel": dict(Channel.choices),
        "solution__outcome": dict(Outcome.choices),
        "claim__state": dict(ClaimState.choices),
    }


@operator_staff_required
@require_GET
def tray_export(request, fmt: str):
    """The tray as it is filtered on screen, as CSV or XLSX (every page, not just this one)."""

    operator = request.user.operator
    form = TrayFilterForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    return export(
        qs=selectors.operator_tray(operator, now=now, **filters),
        ordering=form.ordering(),
        fmt=fmt,
        operator=operator,
        filters={
            **{k: v for k, v in filters.items() if k != "pending_only"},
            "show": "por atender" if filters["pending_only"] else None,
            "sort": form.cleaned_data.get("sort") or None,
        },
        user=request.user,
        request=request,
        labels=_spoken_enums(),
    )


def _detail(request, case, *, solution_form=None, return_form=None, status=200):
    actions = allowed_actions(case.state, Actor.OPERATOR)
    context = {
        "case": case,
        "now": timezone.now(),
        "can_acknowledge": Action.ACKNOWLEDGE in actions,
        "can_answer": Action.ANSWER in actions,
        "solution_form": solution_form or SolutionForm(agent=request.user),
        "can_return": Action.RETURN in actions,
        "return_form": return_form or ReturnForm(),
        "claim": getattr(case, "claim", None),
        "nav": "tray",
    }
    return render(request, "operators/case.html", context, status=status)


@operator_staff_required
@require_GET
def case_detail(request, code: str):
    case = or_404(selectors.operator_case, request.user.operator, code)
    return _detail(request, case)


@operator_staff_required
@require_POST
def acknowledge(request, code: str):
    case = or_404(selectors.operator_case, request.user.operator, code)
    try:
        services.acknowledge_case(case=case, by=_by(request))
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Tomó en atención el caso {code}.")
    return redirect("operators:case", code=code)


@operator_staff_required
@require_POST
def answer(request, code: str):
    case = or_404(selectors.operator_case, request.user.operator, code)
    form = SolutionForm(request.POST, agent=request.user)
    try:
        services.record_solution(case=case, data=form.solution_input(), by=_by(request))
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("operators:case", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _detail(request, case, solution_form=form, status=422)
    messages.success(
        request, f"Registró la respuesta del caso {code}. Se la enviamos al usuario por correo."
    )
    return redirect("operators:case", code=code)


@operator_staff_required
@require_GET
def attachment(request, code: str, pk: int):
    case = or_404(selectors.operator_case, request.user.operator, code)
    return download(case, pk)


@operator_staff_required
@require_GET
def claim_form(request, code: str):
    """The claim form (PDF) of one of the operator's own cases."""
    claim = or_404(selectors.claim_form_of, _by(request), code)
    return send_file(claim.form_pdf, filename=f"reclamo-{code}.pdf", content_type="application/pdf")


@operator_staff_required
@require_POST
def return_case(request, code: str):
    case = or_404(selectors.operator_case, request.user.operator, code)
    form = ReturnForm(request.POST)
    try:
        services.return_case(case=case, reason=form.value("reason"), by=_by(request))
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("operators:case", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _detail(request, case, return_form=form, status=422)
    messages.success(
        request,
        f"Devolvió el caso {code}. El regulador revisará la devolución; avisamos al usuario "
        "por correo.",
    )
    return redirect("operators:case", code=code)


# --- claims ------------------------------------------------------------------------------------


def _claims(request, *, failed: ClaimCodeForm | None = None, status: int = 200):
    """The claims tray; `failed` is a code form the service refused, shown with its errors."""
    operator = request.user.operator
    now = timezone.now()
    form = ClaimFilterForm(request.GET)
    qs = selectors.operator_claims(operator, state=form.state_filter())
    claims, paging = page_of(request, qs, form.ordering())
    if failed is not None and all(c.pk != failed.claim.pk for c in claims):
        claims.insert(0, failed.claim)
    rows = [
        (c, failed if failed is not None and failed.claim.pk == c.pk else ClaimCodeForm(claim=c))
        for c in claims
    ]
    context = {
        "form": form,
        "rows": rows,
        "failed": failed,
        **paging,
        "here_query": paging["plain_query"],
        "now": now,
        "nav": "claims",
    }
    if is_htmx(request) and failed is None:
        return vary_on_htmx(render(request, "operators/claims.html#claim-rows", context))
    return vary_on_htmx(render(request, "operators/claims.html", context, status=status))


@operator_staff_required
@require_GET
def claims(request):
    return _claims(request)


@operator_staff_required
@require_POST
def assign_claim_code(request, claim_id: int):
    claim = or_404(selectors.operator_claim, request.user.operator, claim_id)
    form = ClaimCodeForm(request.POST, claim=claim)
    back = reverse("operators:claims") + (f"?{request.GET.urlencode()}" if request.GET else "")
    try:
        claim = services.assign_claim_code(
            claim=claim, claim_code=form.value("claim_code"), by=_by(request)
        )
    except DomainError as exc:
        if isinstance(exc, Conflict) and not exc.errors:
            messages.error(request, exc.detail)
            return redirect(back)
        form.apply_errors(exc)
        return _claims(request, failed=form, status=422)
    messages.success(
        request,
        f"Asignó el código {claim.claim_code} al reclamo del caso {claim.case.code}. Enviamos "
        "al usuario el código, el formulario en PDF y el plazo de resolución.",
    )
    return redirect(back)
