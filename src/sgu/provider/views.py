"""The provider's pages: the register of requirements (filters, CSV/XLSX), a requirement with
its stages and actions, replicas (confirmations, evaluation, % of deployment), the advisor's
own trainings and the periodic report. Thin: parse, call one service or selector, render."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts.auth import principal_for_user
from sgu.accounts.decorators import role_required
from sgu.accounts.models import PROVIDER_ROLES, REGULATOR_ROLES, Role
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import Conflict, DomainError, Forbidden, NotFound
from sgu.core.export import csv_response, xlsx_response
from sgu.core.web import or_404, page_of, send_file
from sgu.knowledge.selectors import in_force
from sgu.provider import selectors, services
from sgu.provider.forms import (
    ActionForm,
    AttachmentForm,
    EvaluationForm,
    RegisterFilterForm,
    ReplicaFilterForm,
    ReplicaForm,
    ReportForm,
    RequirementForm,
)
from sgu.provider.models import ReplicaState, Stage
from sgu.provider.workflow import (
    ACTIONS,
    TRAINERS,
    action_prompt,
    allowed_actions,
    may_attach,
)

PAGE = 100


def seat_required(view):
    """Regulator staff, or a provider's staff with their seat; nobody else (403)."""

    @role_required(*REGULATOR_ROLES, *PROVIDER_ROLES)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.seat_of(request.user).sees_anything:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _ctx(request, **extra) -> dict:
    seat = selectors.seat_of(request.user)
    return {"nav": "provider", "seat": seat, "is_regulator": seat.regulator, **extra}


# --- the register ---------------------------------------------------------------------------


def _filtered(request):
    form = RegisterFilterForm(request.GET, providers=selectors.providers_for(request.user))
    return form, selectors.register(request.user, form.filters())


@seat_required
@require_GET
def register(request):
    form, qs = _filtered(request)
    now = timezone.now()
    calendar = load_calendar()
    rows, paging = page_of(request, qs, ["-filed_at", "-id"], PAGE)
    return render(
        request,
        "provider/register.html",
        _ctx(
            request,
            form=form,
            rows=[(r, selectors.status_of(r, now, calendar)) for r in rows],
            # The % of the whole filtered register, not of this page.
            total=selectors.register_totals(qs, now),
            query=paging["plain_query"],
            **paging,
        ),
    )


def _export_name(ext: str) -> str:
    return f"requerimientos-proveedor-{timezone.localtime(timezone.now(), LIMA):%Y%m%d-%H%M}.{ext}"


def _export_rows(request):
    _, qs = _filtered(request)
    return selectors.register_rows(qs.iterator(chunk_size=500), timezone.now(), load_calendar())


@seat_required
@require_GET
def export_csv(request):
    return csv_response(selectors.REGISTER_HEADER, _export_rows(request), _export_name("csv"))


@seat_required
@require_GET
def export_xlsx(request):
    return xlsx_response(
        selectors.REGISTER_HEADER,
        _export_rows(request),
        _export_name("xlsx"),
        sheet="Requerimientos",
        numeric=(
            "plazo_otorgado_dias",
            "etapas_en_plazo",
            "etapas_fuera_de_plazo",
            "cumplimiento_pct",
        ),
    )


@role_required(*REGULATOR_ROLES)
@require_http_methods(["GET", "POST"])
def new_requirement(request):
    providers = list(selectors.providers_for(request.user))
    form = RequirementForm(request.POST or None, providers=providers)
    status = 200
    if request.method == "POST":
        try:
            provider = selectors.provider_for(request.user, form.value("provider"))
            req = services.file_requirement(
                provider=provider,
                data=services.RequirementInput(
                    type=form.value("type"),
                    topic=form.value("topic"),
                    description=form.value("description"),
                    requested_date=form.value("requested_date") or None,
                ),
                by=principal_for_user(request.user),
                attachments=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            # The API's status for the same mistake (422; 413 or 415 for a refused file).
            form.apply_errors(exc)
            status = exc.status
        else:
            messages.success(request, f"Requerimiento {req.code} registrado.")
            return redirect("provider:requirement", code=req.code)
    return render(
        request, "provider/requirement_form.html", _ctx(request, form=form), status=status
    )


# --- one requirement --------------------------------------------------------------------------


def _requirement_page(request, req, *, attachment_form=None, status=200):
    now = timezone.now()
    replicas = list(selectors.replicas_for(request.user).filter(requirement=req))
    can_plan = request.user.role in TRAINERS and req.stage in (
        Stage.DEPLOYMENT_START,
        Stage.REPLICA,
    )
    can_attach = may_attach(req.stage, request.user.role)
    return render(
        request,
        "provider/requirement.html",
        _ctx(
            request,
            req=req,
            status=selectors.status_of(req, now, load_calendar()),
            steps=[
                (s, selectors.VERDICT_LABELS[selectors.step_verdict(s, now)])
                for s in req.steps.all()
            ],
            actions=[
                (a, action_prompt(a.name, req.type))
                for a in allowed_actions(req.stage, request.user.role)
            ],
            form=ActionForm(),
            replicas=[(r, selectors.deployment_of(r)) for r in replicas],
            replica_form=_replica_form(req) if can_plan else None,
            attachments=list(req.attachments.all()),
            attachment_form=(attachment_form or AttachmentForm()) if can_attach else None,
        ),
        status=status,
    )


@seat_required
@require_GET
def requirement(request, code: str):
    return _requirement_page(request, or_404(selectors.requirement_for, request.user, code))


@seat_required
@require_POST
def add_attachments(request, code: str):
    req = or_404(selectors.requirement_for, request.user, code)
    form = AttachmentForm(request.POST)
    try:
        stored = services.add_attachments(
            requirement=req,
            files=request.FILES.getlist("attachments"),
            by=principal_for_user(request.user),
        )
    except (Conflict, Forbidden) as exc:
        messages.error(request, exc.detail)
        return redirect("provider:requirement", code=req.code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _requirement_page(request, req, attachment_form=form, status=exc.status)
    names = ", ".join(f"«{a.name}»" for a in stored)
    messages.success(request, f"Adjuntamos {names} al requerimiento.")
    return redirect("provider:requirement", code=req.code)


@seat_required
@require_GET
def attachment(request, code: str, pk: int):
    found = or_404(selectors.attachment_for, request.user, code, pk)
    return send_file(found.file, filename=found.name, content_type=found.content_type)


def _replica_form(req, data=None):
    return ReplicaForm(
        data,
        versions=in_force(),
        trainers=selectors.staff_of(req.provider, TRAINERS),
        advisors=selectors.staff_of(req.provider, [Role.PROVIDER_ADVISOR]),
    )


@seat_required
@require_POST
def act(request, code: str, action: str):
    req = or_404(selectors.requirement_for, request.user, code)
    form = ActionForm(request.POST)
    if action not in ACTIONS:
        raise PermissionDenied
    try:
        services.act(
            requirement=req,
            action=action,
            by=principal_for_user(request.user),
            text=form.value("text"),
            granted_days=form.granted(),
        )
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{ACTIONS[action].label}: hecho.")
    return redirect("provider:requirement", code=req.code)


def _message(exc: DomainError) -> str:
    if exc.errors:
        return " ".join(e.message for e in exc.errors)
    return exc.detail


@seat_required
@require_POST
def plan_replica(request, code: str):
    req = or_404(selectors.requirement_for, request.user, code)
    form = _replica_form(req, request.POST)
    staff = selectors.staff_of(req.provider, PROVIDER_ROLES)
    try:
        replica = services.plan_replica(
            requirement=req,
            article_version=in_force().filter(pk=_int(form.value("article_version"))).first(),
            memory_aid=form.value("memory_aid"),
            scheduled_for=form.value("scheduled_for"),
            trainer=staff.filter(pk=_int(form.value("trainer"))).first(),
            advisors=list(staff.filter(pk__in=[_int(v) for v in request.POST.getlist("advisors")])),
            by=principal_for_user(request.user),
        )
    except DomainError as exc:
        messages.error(request, _message(exc))
        return redirect("provider:requirement", code=req.code)
    messages.success(request, "Réplica programada.")
    return redirect("provider:replica", pk=replica.pk)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- replicas ------------------------------------------------------------------------------------


@seat_required
@require_GET
def replicas(request):
    """Every replica by topic, date, state and team, with its % of deployment."""
    providers = selectors.providers_for(request.user)
    form = ReplicaFilterForm(request.GET, providers=providers)
    qs = selectors.replica_register(request.user, form.filters())
    rows, paging = page_of(request, qs, ["-scheduled_for", "-id"], PAGE)
    return render(
        request,
        "provider/replicas.html",
        _ctx(
            request,
            nav="replicas",
            form=form,
            rows=[(r, selectors.percent_of(r.ready, r.people)) for r in rows],
            **paging,
        ),
    )


@seat_required
@require_GET
def replica(request, pk: int):
    found = or_404(selectors.replica_for, request.user, pk)
    trainees = list(found.trainees.all())
    me = next((t for t in trainees if t.user_id == request.user.pk), None)
    evaluation = selectors.evaluation_of(found)
    attempts = []
    if evaluation is not None and me is not None:
        attempts = list(evaluation.attempts.filter(user=request.user))
    deployment = selectors.deployment_of(found, trainees)
    is_trainer = request.user.role in TRAINERS and not selectors.is_regulator(request.user)
    return render(
        request,
        "provider/replica.html",
        _ctx(
            request,
            replica=found,
            trainees=trainees,
            deployment=deployment,
            me=me,
            can_confirm=(
                me is not None
                and me.confirmed_at is None
                and found.state == ReplicaState.IN_PROGRESS
                and (me.lead or deployment.advisors_unlocked)
            ),
            evaluation=evaluation,
            attempts=attempts,
            can_take=(
                evaluation is not None
                and me is not None
                and not me.lead
                and me.confirmed_at is not None
                and me.passed_at is None
                and len(attempts) < evaluation.max_attempts
                and timezone.now() >= evaluation.opens_at
            ),
            can_start=is_trainer and found.state == ReplicaState.PLANNED,
            can_evaluate=is_trainer and evaluation is None and found.state != ReplicaState.CLOSED,
            evaluation_form=EvaluationForm(),
        ),
    )


def _replica_post(request, pk: int, do, done: str):
    found = or_404(selectors.replica_for, request.user, pk)
    try:
        do(found, principal_for_user(request.user))
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, done)
    return redirect("provider:replica", pk=found.pk)


@seat_required
@require_POST
def start_replica(request, pk: int):
    return _replica_post(
        request,
        pk,
        lambda r, by: services.start_replica(replica=r, by=by),
        "Réplica iniciada; se avisó al cliente.",
    )


@seat_required
@require_POST
def confirm(request, pk: int):
    return _replica_post(
        request,
        pk,
        lambda r, by: services.confirm_training(replica=r, by=by),
        "Confirmó haber sido informado y capacitado.",
    )


@seat_required
@require_POST
def schedule_evaluation(request, pk: int):
    form = EvaluationForm(request.POST)
    return _replica_post(
        request,
        pk,
        lambda r, by: services.schedule_evaluation(
            replica=r,
            questions=form.parsed(),
            pass_mark=form.number("pass_mark"),
            max_attempts=form.number("max_attempts"),
            opens_at=None,
            by=by,
        ),
        "Evaluación programada.",
    )


@seat_required
@require_POST
def take_evaluation(request, pk: int):
    found = or_404(selectors.replica_for, request.user, pk)
    evaluation = selectors.evaluation_of(found)
    n = len(evaluation.questions) if evaluation else 0
    answers = [
        _int(request.POST.get(f"q{i}", "-1")) if request.POST.get(f"q{i}") else -1 for i in range(n)
    ]
    try:
        attempt = services.submit_evaluation(
            replica=found, answers=answers, by=principal_for_user(request.user)
        )
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        result = "aprobó" if attempt.passed else "no alcanzó la nota aprobatoria"
        messages.success(request, f"Nota: {attempt.score} % — {result}.")
    return redirect("provider:replica", pk=found.pk)


@role_required(*PROVIDER_ROLES)
@require_GET
def my_trainings(request):
    return render(
        request,
        "provider/my_trainings.html",
        _ctx(request, trainings=list(selectors.my_trainings(request.user))),
    )


# --- reports --------------------------------------------------------------------------------------


def _report(request):
    form = ReportForm(request.GET or None)
    period, count = "monthly", 6
    if form.is_bound and form.is_valid():
        period, count = form.cleaned_data["period"], form.cleaned_data["count"]
    today = timezone.localtime(timezone.now(), LIMA).date()
    try:
        rows = selectors.report(request.user, period, today, count)
    except (Forbidden, NotFound):
        raise PermissionDenied from None
    return form, period, rows


@seat_required
@require_GET
def reports(request):
    form, period, rows = _report(request)
    return render(
        request,
        "provider/reports.html",
        _ctx(
            request,
            form=form,
            rows=rows,
            period=period,
            query=request.GET.urlencode(),
            providers=list(selectors.providers_for(request.user)),
            periods=selectors.PERIODS,
        ),
    )


@seat_required
@require_GET
def reports_csv(request):
    _, period, rows = _report(request)
    return csv_response(
        selectors.REPORT_HEADER,
        (selectors.report_values(r) for r in rows),
        f"reporte-proveedor-{period}.csv",
    )


@seat_required
@require_GET
def reports_xlsx(request):
    _, period, rows = _report(request)
    return xlsx_response(
        selectors.REPORT_HEADER,
        (selectors.report_values(r) for r in rows),
        f"reporte-proveedor-{period}.xlsx",
        sheet="Reporte",
        numeric=selectors.REPORT_HEADER[2:],
    )


@role_required(*REGULATOR_ROLES)
@require_POST
def subscribe(request):
    try:
        provider = selectors.provider_for(request.user, request.POST.get("provider", ""))
        sub = services.subscribe_report(
            provider=provider,
            email=request.POST.get("email", ""),
            period=request.POST.get("period", ""),
            by=principal_for_user(request.user),
        )
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            f"{sub.email} recibirá el reporte {selectors.PERIODS[sub.period].lower()} "
            f"de {provider.name}.",
        )
    return redirect("provider:reports")
