"""The citizen's pages: report a problem, follow it, add evidence, rate the answer, turn it
into a reclamo and download the claim form."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sgu.accounts.decorators import citizen_required
from sgu.cases import policies, selectors, services
from sgu.cases.forms import AttachmentForm, CaseForm, ClaimForm, RatingForm
from sgu.cases.models import Channel
from sgu.cases.workflow import Action, Actor, State, allowed_actions
from sgu.core.errors import Conflict, DomainError, NotFound
from sgu.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from sgu.core.idempotency import EarlyAnswer, Placeholder, run_idempotent_early
from sgu.core.principal import Principal
from sgu.core.web import download, format_local, is_htmx, or_404, page_of, send_file, vary_on_htmx

PAGE_SIZE = 20


def _by(request) -> Principal:
    return Principal(actor_role=Actor.CITIZEN, user=request.user)


# --- list ------------------------------------------------------------------------------------


@citizen_required
@require_GET
def case_list(request):
    qs = selectors.citizen_cases(request.user)
    cases, paging = page_of(request, qs, ["-registered_at", "-id"], PAGE_SIZE)
    context = {
        "cases": cases,
        **paging,
        "now": timezone.now(),
        "nav": "cases",
    }
    template = "cases/list.html#case-items" if is_htmx(request) else "cases/list.html"
    return vary_on_htmx(render(request, template, context))


# --- new case ----------------------------------------------------------------------------------


def _registered_message(case) -> str:
    if case.state == State.REGISTERED:
        return (
            f"Registramos su caso {case.code}. Está en espera: se enviará a "
            f"{case.operator.name} apenas confirme su correo, y desde ese momento corre el "
            "plazo de respuesta."
        )
    return (
        f"Registramos su caso {case.code} y lo enviamos a {case.operator.name}. "
        f"La operadora debe responderle hasta el {format_local(case.due_at)} (hora de Lima)."
    )


class _KeyedSubmission:
    """The web form's submission as `core.idempotency.run_idempotent` reads a request: its
    key from the form (the installed app generates it when a report is started offline) and,
    as the body, the report's content (the CSRF token and the files are not part of it)."""

    method = "POST"

    def __init__(self, request, key: str, body: bytes):
        self.path = request.path
        self.META = {IDEMPOTENCY_HEADER: key}
        self.body = body


def _new_case_form(request, data=None) -> CaseForm:
    if data is not None:
        return CaseForm(data)
    return CaseForm(
        initial={
            "subcategory": request.GET.get("subcategory", ""),
            "operator": request.GET.get("operator", ""),
            "channel": Channel.APP if request.GET.get("canal", "").lower() == "app" else "",
            "idempotency_key": str(uuid.uuid4()),
        }
    )


@citizen_required
def new_case(request):
    if request.method != "POST":
        form = _new_case_form(request)
        return render(request, "cases/new.html", {"form": form, "nav": "new"})
    form = CaseForm(request.POST)
    if "show_fields" in request.POST:
        # Without JavaScript: show the extra fields of the chosen subcategory, no errors yet.
        return render(request, "cases/new.html", {"form": form, "nav": "new"})
    created = []

    def create(early: EarlyAnswer | None) -> tuple[int, dict]:
        def store(case) -> None:
            # The answer stored before the case is numbered (not under the year's sequence
            # lock): its provisional code stands for the final one.
            if early is not None:
                early.store(
                    201, {"code": case.code}, Placeholder(case.code, "cases.case", case.pk, "code")
                )

        case = services.register_case(
            citizen=request.user,
            data=form.case_input(),
            by=_by(request),
            channel=form.channel_value(),
            attachments=request.FILES.getlist("attachments"),
            before_numbering=store,
        )
        created.append(case)
        return 201, {"code": case.code}

    key = form.value("idempotency_key").strip()
    try:
        _, body = run_idempotent_early(
            _KeyedSubmission(request, key, form.fingerprint()), f"user:{request.user.pk}", create
        )
    except Conflict:
        # The same report sent before with other data (a page kept in the browser's history):
        # nothing is filed; a fresh key lets the citizen send this one.
        data = request.POST.copy()
        data["idempotency_key"] = str(uuid.uuid4())
        form = CaseForm(data)
        form.add_error(
            None, "Este formulario ya se envió antes con otros datos: revíselo y envíelo de nuevo."
        )
        return render(request, "cases/new.html", {"form": form, "nav": "new"}, status=409)
    except DomainError as exc:
        form.apply_errors(exc)
        return render(request, "cases/new.html", {"form": form, "nav": "new"}, status=422)
    if created:
        messages.success(request, _registered_message(created[0]))
    else:
        messages.info(
            request,
            f"Este reporte ya estaba registrado como el caso {body['code']}: no se registró otro.",
        )
    return redirect("cases:detail", code=body["code"])


@citizen_required
@require_GET
def new_case_fields(request):
    """HTMX fragment: the extra fields of one subcategory, with the chosen operator's lists
    where they offer them, keeping what was already typed."""
    form = CaseForm(request.GET)
    return render(request, "cases/new.html#extra-fields", {"form": form})


# --- one case ----------------------------------------------------------------------------------


def _claim_note(case, refusal: str | None) -> str:
    """Why there is no "No estoy conforme" button, where the citizen would look for one."""
    if refusal is None or case.state not in _CLAIM_NOTE_STATES:
        return ""
    if not case.subcategory.claimable and case.state in {State.FORWARDED, State.IN_PROGRESS}:
        return ""  # said once the plazo passes, not while the operator is working on it
    return refusal


_CLAIM_NOTE_STATES = frozenset(
    {
        State.FORWARDED,
        State.IN_PROGRESS,
        State.OVERDUE,
        State.ANSWERED,
        State.RATED,
        State.CLOSED,
    }
)


def _detail(request, case, *, rating_form=None, attachment_form=None, claim_form=None, status=200):
    now = timezone.now()
    actions = allowed_actions(case.state, Actor.CITIZEN)
    can_attach = (
        case.state in services.ATTACHABLE_STATES
        and len(case.attachments.all()) < settings.SGU["MAX_ATTACHMENTS"]
    )
    claim = getattr(case, "claim", None)
    refusal = services.claim_refusal(case, now) if claim is None else None
    context = {
        "case": case,
        "now": now,
        "can_rate": Action.RATE in actions,
        "rating_form": rating_form or RatingForm(),
        "can_attach": can_attach,
        "attachment_form": attachment_form or AttachmentForm(),
        "claim": claim,
        "can_claim": claim is None and refusal is None,
        "claim_note": _claim_note(case, refusal),
        "claim_after_answer": policies.claim_follows_answer(case),
        "claim_asks_score": policies.claim_records_rating(case, now),
        "claim_window_closes_at": policies.claim_window_closes_at(case),
        "claim_suspends_payments": case.subcategory.suspends_payments,
        "claim_code_late": claim is not None and policies.claim_code_late(claim, now),
        "claim_form": claim_form or ClaimForm(),
        "nav": "cases",
    }
    return render(request, "cases/detail.html", context, status=status)


@citizen_required
@require_GET
def case_detail(request, code: str):
    case = or_404(selectors.citizen_case, request.user, code)
    return _detail(request, case)


@citizen_required
@require_POST
def add_attachments(request, code: str):
    case = or_404(selectors.citizen_case, request.user, code)
    form = AttachmentForm(request.POST)
    try:
        stored = services.add_attachments(
            case=case, files=request.FILES.getlist("attachments"), by=_by(request)
        )
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("cases:detail", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _detail(request, case, attachment_form=form, status=exc.status)
    names = ", ".join(f"«{a.name}»" for a in stored)
    messages.success(request, f"Adjuntamos {names} a su caso.")
    return redirect("cases:detail", code=code)


@citizen_required
@require_POST
def rate(request, code: str):
    case = or_404(selectors.citizen_case, request.user, code)
    form = RatingForm(request.POST)
    try:
        services.rate_case(
            case=case,
            resolved=form.resolved_value(),
            score=form.score_value(),
            comment=form.value("comment"),
            by=_by(request),
        )
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("cases:detail", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _detail(request, case, rating_form=form, status=422)
    messages.success(request, "Gracias por calificar la respuesta de la operadora.")
    return redirect("cases:detail", code=code)


@citizen_required
@require_GET
def attachment(request, code: str, pk: int):
    case = or_404(selectors.citizen_case, request.user, code)
    return download(case, pk)


@citizen_required
@require_POST
def request_claim(request, code: str):
    case = or_404(selectors.citizen_case, request.user, code)
    form = ClaimForm(request.POST)
    try:
        claim = services.request_claim(
            case=case,
            reason=form.value("reason"),
            request=form.value("request"),
            score=form.score_value(),
            by=_by(request),
        )
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("cases:detail", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _detail(request, case, claim_form=form, status=422)
    messages.success(
        request,
        f"Generamos su reclamo a {case.operator.name}. La operadora debe asignarle un código de "
        f"reclamo hasta el {format_local(claim.code_due_at)}; se lo enviaremos por correo con "
        "el formulario.",
    )
    return redirect("cases:detail", code=code)


@citizen_required
@require_GET
def claim_form(request, code: str):
    claim = or_404(selectors.claim_form_of, _by(request), code)
    return send_file(claim.form_pdf, filename=f"reclamo-{code}.pdf", content_type="application/pdf")


@citizen_required
@require_GET
def claim_document(request, code: str, token: str):
    """A document of the case through the claim email's link: only for the citizen it was
    sent to, logged in, before it expires."""
    try:
        case, attachment_id = selectors.claim_document(_by(request), code, token)
    except NotFound as exc:
        # Said in words (410 for an expired link: it existed), with the way to the case page.
        status = 410 if exc.detail == selectors.LINK_EXPIRED else 404
        return render(
            request,
            "cases/claim_document_link.html",
            {"message": exc.detail, "code": code},
            status=status,
        )
    return download(case, attachment_id)
