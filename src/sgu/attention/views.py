"""The regulator's attention pages: consultas, the 1st-level queue, each area's queue, one
escalation with its actions, the supervisor's monthly indicators and survey results; and
the citizen's survey (single-use link or account). Thin: parse, call one service or
selector, render."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgu.accounts.decorators import citizen_required, regulator_staff_required, role_required
from sgu.accounts.models import Role, User
from sgu.attention import selectors, services
from sgu.attention.forms import (
    AnswerForm,
    CloseForm,
    EscalateForm,
    ExtendForm,
    InformForm,
    PauseForm,
    QueryFilterForm,
    QueryForm,
    ResumeForm,
    ReviewForm,
    SendBackForm,
    SurveyForm,
)
from sgu.attention.indicators import BY_KEY, CRITICALITIES, INDICATORS
from sgu.attention.models import Escalation
from sgu.attention.workflow import (
    HopAction,
    HopState,
    allowed_actions,
    can_extend,
    can_pause,
    can_resume,
    can_review_query,
    can_take,
    query_in_review,
    query_needs_review,
    query_open_for_answer,
    solution_late,
    validation_late,
)
from sgu.cases import selectors as cases
from sgu.core.errors import Conflict, DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from sgu.core.export import csv_response, xlsx_response
from sgu.core.forms import ServiceForm
from sgu.core.ratelimit import RateLimited, limit_by_ip
from sgu.core.web import (
    is_htmx,
    or_404,
    page_of,
    parse_date,
    parse_int,
    period_from,
    refused_page,
    vary_on_htmx,
)

supervisor_required = role_required(Role.REGULATOR_SUPERVISOR)


def first_level_required(view):
    """Regulator staff of the 1st level (not the level-2/3-only specialists)."""

    @regulator_staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.seat_of(request.user).first_level:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def attention_staff_required(view):
    @regulator_staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.is_attention_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- home: where the user sits ---------------------------------------------------------------


@attention_staff_required
@require_GET
def home(request):
    seat = selectors.seat_of(request.user)
    if not seat.first_level:
        areas = selectors.areas_of(request.user)
        if len(areas) == 1:
            return redirect("attention:area", code=areas[0].code)
        return render(request, "attention/areas.html", {"areas": areas, "nav": "attention"})
    mine = request.GET.get("mias") == "1"
    hops, paging = page_of(
        request,
        selectors.first_level_queue(mine_of=request.user if mine else None),
        ["updated_at", "id"],
    )
    context = {
        "hops": hops,
        **paging,
        "mine": mine,
        "running": selectors.running_escalations().count(),
        "running_first": list(selectors.running_escalations().order_by("due_at", "id")[:10]),
        "areas": selectors.areas_of(request.user),
        "now": timezone.now(),
        "nav": "attention",
    }
    template = "attention/home.html#queue-rows" if is_htmx(request) else "attention/home.html"
    return vary_on_htmx(render(request, template, context))


@attention_staff_required
@require_GET
def area(request, code: str):
    found = or_404(selectors.area_for_queue, request.user, code)
    state = "done" if request.GET.get("ver") == "atendidos" else "open"
    ordering = ["due_at", "id"] if state == "open" else ["-updated_at", "-id"]
    hops, paging = page_of(request, selectors.area_queue(found, state=state), ordering)
    context = {
        "area": found,
        "hops": hops,
        "state": state,
        **paging,
        "areas": selectors.areas_of(request.user),
        "now": timezone.now(),
        "nav": "attention",
    }
    template = "attention/area.html#queue-rows" if is_htmx(request) else "attention/area.html"
    return vary_on_htmx(render(request, template, context))


# --- consultas -------------------------------------------------------------------------------


@first_level_required
@require_GET
def queries(request):
    form = QueryFilterForm(request.GET, families=selectors.motive_families())
    now = timezone.now()
    qs = selectors.queries(
        state=form.value("estado"),
        search=form.value("q"),
        motive=form.value("motivo"),
        late=form.value("plazo") == "vencidas",
        now=now,
    )
    items, paging = page_of(request, qs, ["-registered_at", "-id"])
    context = {
        "form": form,
        "queries": items,
        "now": now,
        **paging,
        "nav": "queries",
    }
    template = "attention/queries.html#query-rows" if is_htmx(request) else "attention/queries.html"
    return vary_on_htmx(render(request, template, context))


@first_level_required
@require_http_methods(["GET", "POST"])
def new_query(request):
    families = selectors.motive_families()
    if request.method != "POST":
        form = QueryForm(initial={"channel": "PRESENCIAL"}, families=families)
        return render(request, "attention/new_query.html", {"form": form, "nav": "queries"})
    form = QueryForm(request.POST, families=families)
    try:
        query = services.register_query(
            agent=request.user,
            channel=form.value("channel"),
            motive=form.value("motive"),
            topic=form.value("topic"),
            anonymous=bool(form.value("anonymous")),
            question=form.value("question"),
            name=form.value("name"),
            document_type=form.value("document_type"),
            document_number=form.value("document_number"),
            email=form.value("email"),
            phone=form.value("phone"),
            region=form.value("region"),
        )
    except DomainError as exc:
        form.apply_errors(exc)
        return render(
            request, "attention/new_query.html", {"form": form, "nav": "queries"}, status=422
        )
    messages.success(request, f"Registramos la consulta {query.code}.")
    return redirect("attention:query", code=query.code)


def _query_page(
    request, query, *, answer_form=None, escalate_form=None, review_form=None, status=200
):
    hops = selectors.hops_of(query=query)
    active = next((h for h in hops if h.state not in (HopState.INFORMED, HopState.CLOSED)), None)
    open_ = query_open_for_answer(query)
    is_supervisor = request.user.role == Role.REGULATOR_SUPERVISOR
    context = {
        "query": query,
        "hops": hops,
        "events": selectors.events_of(escalations=hops, query=query),
        "can_answer": open_ and (active is None or active.state == HopState.SENT_BACK),
        "can_escalate": open_ and (active is None or active.state == HopState.SENT_BACK),
        "can_review": can_review_query(query, is_supervisor=is_supervisor),
        "in_review": query_in_review(query),
        "goes_to_review": query_needs_review(query, by_supervisor=is_supervisor),
        "review_form": review_form or ReviewForm(),
        "active": active,
        "answer_form": answer_form or AnswerForm(initial={"answer": query.draft_answer}),
        "escalate_form": escalate_form or _escalate_form(initial={"code": query.code}),
        "now": timezone.now(),
        "nav": "queries",
    }
    return render(request, "attention/query.html", context, status=status)


def _escalate_form(data=None, *, level=2, with_code=True, **kwargs):
    return EscalateForm(
        data,
        areas=selectors.escalation_targets(level),
        criticality_days=services.criticality_days(),
        with_code=with_code,
        **kwargs,
    )


@first_level_required
@require_GET
def query(request, code: str):
    return _query_page(request, or_404(selectors.query_for, request.user, code))


@first_level_required
@require_POST
def answer_query(request, code: str):
    found = or_404(selectors.query_for, request.user, code)
    form = AnswerForm(request.POST)
    try:
        services.answer_query(query=found, agent=request.user, answer=form.value("answer"))
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("attention:query", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _query_page(request, found, answer_form=form, status=422)
    found.refresh_from_db()
    if query_in_review(found):
        messages.success(
            request,
            f"La respuesta de la consulta {code} pasó a la revisión de calidad: sale cuando el "
            "supervisor le dé conformidad.",
        )
        return redirect("attention:query", code=code)
    messages.success(
        request,
        f"Respondimos la consulta {code}."
        + (" Enviamos la respuesta a su correo." if found.email else ""),
    )
    return redirect("attention:query", code=code)


@supervisor_required
@require_POST
def review_query(request, code: str):
    found = or_404(selectors.query_for, request.user, code)
    form = ReviewForm(request.POST)
    try:
        services.review_query(
            query=found,
            supervisor=request.user,
            decision=form.value("decision"),
            observations=form.value("observations"),
        )
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("attention:query", code=code)
    except DomainError as exc:
        form.apply_errors(exc)
        return _query_page(request, found, review_form=form, status=422)
    found.refresh_from_db()
    messages.success(
        request,
        f"Dio conformidad a la respuesta de {code}: salió al ciudadano."
        if found.state == "ANSWERED"
        else f"Devolvió la respuesta de {code} con sus observaciones.",
    )
    return redirect("attention:query", code=code)


# --- escalating from the 1st level -------------------------------------------------------------


def _item_for(user, code: str):
    """(case, query) for a code typed by the 1st level; NotFound in Spanish."""
    code = (code or "").strip().upper()
    prefix = settings.SGU.get("ATTENTION", {}).get("QUERY_CODE_PREFIX", "CON")
    if code.startswith(f"{prefix}-"):
        return None, selectors.query_for(user, code)

    return cases.regulator_case(user, code), None


@first_level_required
@require_http_methods(["GET", "POST"])
def escalate(request):
    if request.method != "POST":
        code = request.GET.get("codigo", "")
        form = _escalate_form(initial={"code": code, "complexity": "INDEFINIDA"})
        return render(request, "attention/escalate.html", {"form": form, "nav": "attention"})
    form = _escalate_form(request.POST)
    try:
        try:
            case, query_ = _item_for(request.user, form.value("code"))
        except NotFound as exc:
            raise ValidationFailed.of([FieldError("code", exc.detail)]) from None
        hop = services.escalate(
            agent=request.user,
            case=case,
            query=query_,
            area_code=form.value("area"),
            criticality=form.value("criticality"),
            complexity=form.value("complexity"),
            priority=form.value("priority") or "MEDIA",
            region=form.value("region"),
            reason=form.value("reason"),
        )
    except DomainError as exc:
        form.apply_errors(exc)
        return render(
            request, "attention/escalate.html", {"form": form, "nav": "attention"}, status=422
        )
    messages.success(
        request,
        f"Escalamos {hop.item_code} a {hop.area.name}. Debe responder a más tardar el "
        f"{timezone.localtime(hop.due_at):%d/%m/%Y}.",
    )
    return redirect("attention:escalation", pk=hop.pk)


# --- one escalation ------------------------------------------------------------------------------


def _escalation_page(request, hop, forms=None, status=200):
    now_ = timezone.now()
    actors = selectors.actors_for(request.user, hop)
    actions = allowed_actions(hop.state, actors, hop.level)
    top = hop.parent or hop
    hops = selectors.hops_of(case=top.case) if top.case_id else selectors.hops_of(query=top.query)
    forms = forms or {}
    inform_initial = {"message": hop.answer} if hop.state == HopState.ANSWERED else {}
    received = [c for c in hop.children.all() if c.state in (HopState.ANSWERED, HopState.SENT_BACK)]
    answer_initial = {"answer": received[-1].answer} if received and received[-1].answer else {}
    chain = selectors.chain(top)
    seat = selectors.seat_of(request.user)
    readable = {
        h.pk
        for h in chain
        if seat.first_level
        or h.area_id in seat.area_ids
        or (h.parent_id is not None and top.area_id in seat.area_ids)
    }
    context = {
        "hop": hop,
        "actions": actions,
        "chain": chain,
        "readable": readable,
        "events": selectors.events_of(escalations=[h for h in hops if h.pk == top.pk]),
        "answer_form": forms.get("answer") or AnswerForm(initial=answer_initial),
        "send_back_form": forms.get("send_back") or SendBackForm(),
        "inform_form": forms.get("inform") or InformForm(initial=inform_initial),
        "close_form": forms.get("close") or CloseForm(),
        "can_take": can_take(hop, actors),
        "can_extend": can_extend(hop, actors),
        "extend_form": forms.get("extend") or ExtendForm(),
        "validation_late": validation_late(hop, now_),
        "solution_late": solution_late(hop, now_),
        "can_pause": can_pause(hop, actors),
        "can_resume": can_resume(hop, actors),
        "pause_form": forms.get("pause") or PauseForm(),
        "resume_form": forms.get("resume") or ResumeForm(),
        "pauses": list(hop.pauses.select_related("paused_by", "resumed_by")),
        "up_form": forms.get("up")
        or _escalate_form(level=3, with_code=False, initial={"complexity": hop.complexity}),
        "citizen_email": hop.query.email if hop.query_id else hop.case.citizen.email,
        "now": timezone.now(),
        "nav": "attention",
        "HopAction": HopAction,
    }
    return render(request, "attention/escalation.html", context, status=status)


@attention_staff_required
@require_GET
def escalation(request, pk: int):
    return _escalation_page(request, or_404(selectors.escalation_for, request.user, pk))


# Each action of the escalation page: what it does with the form, and what it tells the person.
# One function per action; `escalation_action` loads the hop, runs it and renders the outcome.


def _answer(hop: Escalation, user: User, form: ServiceForm) -> str:
    services.answer_escalation(
        escalation=hop,
        user=user,
        answer=form.value("answer"),
        outcome=form.value("outcome") or "SOLVED",
        requirement_title=form.value("requirement_title"),
        coordination=form.value("coordination") or "NONE",
        coordination_with=form.value("coordination_with"),
    )
    return "Enviamos la respuesta al nivel anterior."


def _pause(hop: Escalation, user: User, form: ServiceForm) -> str:
    services.pause_solution(
        escalation=hop,
        user=user,
        waiting_on=form.value("waiting_on"),
        waiting_on_name=form.value("waiting_on_name"),
        reason=form.value("reason"),
    )
    return "El plazo de solución quedó en pausa hasta que responda el tercero."


def _resume(hop: Escalation, user: User, form: ServiceForm) -> str:
    pause = services.resume_solution(escalation=hop, user=user, note=form.value("note"))
    return (
        f"Reanudamos el plazo de solución: estuvo en pausa {pause.paused_label}; ahora "
        f"vence el {timezone.localtime(pause.due_after):%d/%m/%Y a las %H:%M}."
    )


def _send_back(hop: Escalation, user: User, form: ServiceForm) -> str:
    services.send_back(escalation=hop, user=user, reason=form.value("reason"))
    return "Devolvimos el escalamiento al nivel anterior."


def _inform(hop: Escalation, user: User, form: ServiceForm) -> str:
    services.inform_citizen(escalation=hop, user=user, message=form.value("message"))
    return "Registramos que se informó al ciudadano."


def _extend(hop: Escalation, user: User, form: ServiceForm) -> str:
    services.extend_escalation(
        escalation=hop, user=user, days=form.value("days"), reason=form.value("reason")
    )
    return "Ampliamos el plazo y se lo avisamos al ciudadano."


def _close(hop: Escalation, user: User, form: ServiceForm) -> str:
    services.close_sent_back(escalation=hop, user=user, note=form.value("note"))
    return "Cerramos la devolución."


def _up(hop: Escalation, user: User, form: ServiceForm) -> str:
    up = services.escalate_up(
        escalation=hop,
        user=user,
        area_code=form.value("area"),
        criticality=form.value("criticality"),
        complexity=form.value("complexity"),
        priority=form.value("priority") or "MEDIA",
        reason=form.value("reason"),
    )
    return f"Escalamos a {up.area.name} (3.er nivel)."


def _up_form(data: QueryDict) -> ServiceForm:
    return _escalate_form(data, level=3, with_code=False)


@dataclass(frozen=True)
class _Action:
    name: str  # the form's key on the escalation page (_escalation_page's `forms`)
    form: Callable[[QueryDict], ServiceForm]
    run: Callable[[Escalation, User, ServiceForm], str]  # does it; what to tell the person


ACTIONS = {  # by the action's segment in the URL
    "responder": _Action("answer", AnswerForm, _answer),
    "devolver": _Action("send_back", SendBackForm, _send_back),
    "informar": _Action("inform", InformForm, _inform),
    "cerrar": _Action("close", CloseForm, _close),
    "ampliar": _Action("extend", ExtendForm, _extend),
    "pausar": _Action("pause", PauseForm, _pause),
    "reanudar": _Action("resume", ResumeForm, _resume),
    "escalar": _Action("up", _up_form, _up),
}


@attention_staff_required
@require_POST
def escalation_action(request, pk: int, action: str):
    if action == "tomar":
        hop = or_404(selectors.escalation_for, request.user, pk)
        try:
            services.take_escalation(escalation=hop, user=request.user)
        except (Conflict, Forbidden) as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "Tomó el escalamiento: el tiempo de respuesta se detuvo.")
        return redirect("attention:escalation", pk=pk)
    if action not in ACTIONS:
        raise Http404("Acción desconocida.")
    hop = or_404(selectors.escalation_for, request.user, pk)
    todo = ACTIONS[action]
    form = todo.form(request.POST)
    user = request.user
    try:
        done = todo.run(hop, user, form)
    except (Conflict, Forbidden) as exc:
        messages.error(request, exc.detail)
        return redirect("attention:escalation", pk=pk)
    except DomainError as exc:
        form.apply_errors(exc)
        return _escalation_page(request, hop, forms={todo.name: form}, status=422)
    messages.success(request, done)
    if todo.name in ("answer", "send_back") and not selectors.seat_of(user).first_level:
        return redirect("attention:area", code=hop.area.code)
    return redirect("attention:escalation", pk=pk)


# --- supervisor: monthly indicators and survey results --------------------------------------------


def _period(request) -> tuple[date, date, list[str]]:
    today = timezone.localdate()
    start, end, errors = period_from(
        request, default_from=(today.replace(day=1) - timedelta(days=160)).replace(day=1)
    )
    if (end.year - start.year) * 12 + end.month - start.month > 36:
        errors.append("Se muestran como máximo 36 meses desde «desde».")
        end = (start.replace(day=1) + timedelta(days=31 * 36)).replace(day=1) - timedelta(days=1)
    return start, end, errors


INDICATOR_COLUMNS = [i.key for i in INDICATORS]


@supervisor_required
@require_GET
def indicators(request):
    start, end, errors = _period(request)
    rows = selectors.monthly_indicators(start, end)
    groups = [
        (
            "Volumen",
            [
                "attentions",
                "queries",
                "escalated_cases",
                "escalations_l2",
                "escalations_l3",
                "resolved",
            ],
        ),
        (
            "Resolución y derivación",
            [
                "resolved_l1_pct",
                "resolved_l2_pct",
                "resolved_l3_pct",
                "routed_ok_pct",
                "informed_same_day_pct",
            ],
        ),
        (
            "Tiempos de respuesta por criticidad",
            [k for c in CRITICALITIES for k in (f"avg_days_{c}", f"within_pct_{c}")],
        ),
    ]
    context = {
        "rows": rows,
        "groups": [(title, [BY_KEY[k] for k in keys]) for title, keys in groups],
        "indicators": INDICATORS,
        "limits": services.criticality_days(),
        "start": start,
        "end": end,
        "errors": errors,
        "query": request.GET.urlencode(),
        "nav": "attention_stats",
    }
    return render(request, "attention/indicators.html", context)


def _num(value):
    if value is None:
        return ""
    return str(value).replace(".", ",") if isinstance(value, float) else value


@supervisor_required
@require_GET
def indicators_csv(request):
    start, end, _ = _period(request)
    rows = selectors.monthly_indicators(start, end)
    header = ["mes"] + [f"{i.name} ({i.unit})" for i in INDICATORS]
    return csv_response(
        header,
        ([f"{r['month']:%Y-%m}", *(_num(r[k]) for k in INDICATOR_COLUMNS)] for r in rows),
        f"atencion-indicadores-{start:%Y%m}-{end:%Y%m}.csv",
    )


@supervisor_required
@require_GET
def surveys(request):
    start, end, errors = _period(request)
    context = {
        "by_office": selectors.survey_results(start, end, by="office"),
        "by_agent": selectors.survey_results(start, end, by="agent"),
        "comments": selectors.survey_comments(start, end),
        "start": start,
        "end": end,
        "errors": errors,
        "query": request.GET.urlencode(),
        "nav": "attention_stats",
    }
    return render(request, "attention/surveys.html", context)


@supervisor_required
@require_GET
def surveys_csv(request):
    start, end, _ = _period(request)
    by = "agent" if request.GET.get("por") == "orientador" else "office"
    rows = selectors.survey_results(start, end, by=by)
    header = [
        "orientador" if by == "agent" else "oficina",
        "encuestas ofrecidas",
        "respondidas",
        "tasa de respuesta (%)",
        "calificación media (1 a 5)",
        "calificaron 4 o 5 (%)",
    ]
    return csv_response(
        header,
        (
            [
                r["label"],
                r["offered"],
                r["answered"],
                _num(r["response_pct"]),
                _num(r["avg"]),
                _num(r["good_pct"]),
            ]
            for r in rows
        ),
        f"atencion-encuestas-{'orientador' if by == 'agent' else 'oficina'}.csv",
    )


# --- the citizen's survey ---------------------------------------------------------------------


def _survey_page(request, survey, form, *, action, status=200, done=False):
    context = {"survey": survey, "form": form, "action": action, "done": done, "nav": "survey"}
    return render(request, "attention/survey.html", context, status=status)


@require_http_methods(["GET", "POST"])
def survey_by_token(request, token: str):
    try:
        limit_by_ip(request, "survey", limit=30, window=60)
    except RateLimited as exc:
        return refused_page(request, exc)
    return _survey(request, or_404(services.survey_for_token, token), via="LINK")


@citizen_required
@require_GET
def my_surveys(request):
    items = list(selectors.citizen_surveys(request.user).order_by("-offered_at", "-id")[:50])
    context = {"surveys": items, "now": timezone.now(), "nav": "survey"}
    return render(request, "attention/my_surveys.html", context)


@citizen_required
@require_http_methods(["GET", "POST"])
def my_survey(request, pk: int):
    return _survey(request, or_404(selectors.citizen_survey, request.user, pk), via="ACCOUNT")


def _survey(request, survey, *, via: str):
    """The survey form and its answer, reached by the emailed link or from the account."""
    action = request.path
    if request.method != "POST":
        return _survey_page(request, survey, SurveyForm(), action=action)
    form = SurveyForm(request.POST)
    try:
        services.answer_survey(
            survey=survey, score=form.value("score"), comment=form.value("comment"), via=via
        )
    except Conflict as exc:
        form.add_error(None, exc.detail)
        return _survey_page(request, survey, form, action=action, status=409)
    except DomainError as exc:
        form.apply_errors(exc)
        return _survey_page(request, survey, form, action=action, status=422)
    return _survey_page(request, survey, None, action=action, done=True)


# --- supervisor: consultas by motive -------------------------------------------------------------

MOTIVE_HEADER = [
    "familia",
    "motivo",
    "código",
    "recibidas",
    "canal virtual",
    "respondidas",
    "escaladas",
    "primera respuesta en plazo (%)",
    "fuera de plazo",
]


def _motive_cells(r: dict) -> list:
    return [
        r["family"],
        r["motive"],
        r["code"],
        r["received"],
        r["virtual"],
        r["answered"],
        r["escalated"],
        _num(r["within_pct"]),
        r["late"],
    ]


@supervisor_required
@require_GET
def motives(request):
    start, end, errors = _period(request)
    rows = selectors.motive_report(start, end)
    families: dict[str, int] = {}
    for r in rows:
        families[r["family"]] = families.get(r["family"], 0) + r["received"]
    context = {
        "rows": rows,
        "families": list(families.items()),
        "total": sum(families.values()),
        "start": start,
        "end": end,
        "errors": errors,
        "query": request.GET.urlencode(),
        "nav": "attention_stats",
    }
    return render(request, "attention/motives.html", context)


@supervisor_required
@require_GET
def motives_csv(request):
    start, end, _ = _period(request)
    rows = selectors.motive_report(start, end)
    return csv_response(
        MOTIVE_HEADER,
        (_motive_cells(r) for r in rows),
        f"consultas-por-motivo-{start:%Y%m%d}-{end:%Y%m%d}.csv",
    )


# --- each assistant's daily record and response times -------------------------------------------


def _minutes(value) -> str:
    return "" if value is None else str(round(value.total_seconds() / 60))


def _record(request):
    day = parse_date(request.GET.get("fecha", "")) or timezone.localdate()
    assistant = or_404(
        selectors.assistant_for, request.user, parse_int(request.GET.get("asistente", ""))
    )
    return day, assistant, selectors.assistant_day(assistant, day)


@first_level_required
@require_GET
def record(request):
    day, assistant, rows = _record(request)
    seat = selectors.seat_of(request.user)
    context = {
        "day": day,
        "assistant": assistant,
        "rows": rows,
        "staff": selectors.first_level_staff() if seat.supervisor else None,
        "query": request.GET.urlencode(),
        "now": timezone.now(),
        "nav": "queries",
    }
    return render(request, "attention/record.html", context)


@first_level_required
@require_GET
def record_csv(request):
    day, assistant, rows = _record(request)
    header = [
        "código",
        "registrada",
        "canal",
        "familia",
        "motivo",
        "estado",
        "primera respuesta",
        "respuesta inicial (min)",
        "en plazo",
        "respondida por",
    ]
    return csv_response(
        header,
        (
            [
                q.code,
                f"{timezone.localtime(q.registered_at):%Y-%m-%d %H:%M}",
                q.get_channel_display(),
                q.motive.parent.name if q.motive_id else "",
                q.motive.name if q.motive_id else "",
                q.get_state_display(),
                f"{timezone.localtime(q.first_response_at):%Y-%m-%d %H:%M}"
                if q.first_response_at
                else "",
                _minutes(q.initial),
                {True: "sí", False: "no", None: ""}[q.on_time],
                q.answered_by.email if q.answered_by_id else "",
            ]
            for q in rows
        ),
        f"registro-{assistant.pk}-{day:%Y%m%d}.csv",
    )


@supervisor_required
@require_GET
def assistants(request):
    start, end, errors = _period(request)
    context = {
        "rows": selectors.assistant_report(start, end),
        "start": start,
        "end": end,
        "errors": errors,
        "query": request.GET.urlencode(),
        "nav": "attention_stats",
    }
    return render(request, "attention/assistants.html", context)


@supervisor_required
@require_GET
def assistants_csv(request):
    start, end, _ = _period(request)
    header = [
        "orientador",
        "correo",
        "consultas registradas",
        "respondidas",
        "respuesta inicial promedio (min)",
        "tiempo de respuesta promedio (min)",
        "primera respuesta en plazo (%)",
    ]
    return csv_response(
        header,
        (
            [
                r["label"],
                r["email"],
                r["received"],
                r["answered"],
                _minutes(r["initial"]),
                _minutes(r["average"]),
                _num(r["within_pct"]),
            ]
            for r in selectors.assistant_report(start, end)
        ),
        f"atencion-orientadores-{start:%Y%m%d}-{end:%Y%m%d}.csv",
    )


# --- incidents: the coordinator's report and the requirements backlog -----------------------------

DAILY_MAX_DAYS = 62


INCIDENT_TABLES = {
    # key: (title, header, cells of a row, numeric columns)
    "diario": (
        "Consolidado diario",
        ["día", "recibidas", "solucionadas"],
        lambda r: [f"{r['day']:%Y-%m-%d}", r["received"], r["solved"]],
        {"recibidas", "solucionadas"},
    ),
    "tipificacion": (
        "Por tipificación de origen",
        ["puesto", "tipificación", "incidencias", "%", "acumulado", "% acumulado", "top"],
        lambda r: [
            r["rank"],
            r["typification"],
            r["n"],
            _num(r["pct"]),
            r["cumulative"],
            _num(r["cumulative_pct"]),
            "sí" if r["top"] else "no",
        ],
        {"puesto", "incidencias", "acumulado"},
    ),
    "mensual": (
        "Totales mensuales",
        [
            "mes",
            "total",
            "Lima",
            "regiones",
            "sin región",
            "solucionadas",
            "% 1.er nivel",
            "% 2.º nivel",
            "% 3.er nivel",
            "% direccionadas correctamente",
            "requerimientos funcionales",
            "con coordinación",
            "en espera de terceros",
        ],
        lambda r: [
            f"{r['month']:%Y-%m}",
            r["total"],
            r["lima"],
            r["regions"],
            r["no_region"],
            r["solved"],
            _num(r["solved_l1_pct"]),
            _num(r["solved_l2_pct"]),
            _num(r["solved_l3_pct"]),
            _num(r["routed_ok_pct"]),
            r["requirements"],
            r["coordinated"],
            r["paused"],
        ],
        {
            "total",
            "Lima",
            "regiones",
            "sin región",
            "solucionadas",
            "requerimientos funcionales",
            "con coordinación",
            "en espera de terceros",
        },
    ),
}


def _incident_rows(key: str, start: date, end: date) -> list[dict]:
    if key == "diario":
        return selectors.incident_daily(max(start, end - timedelta(days=DAILY_MAX_DAYS - 1)), end)
    if key == "tipificacion":
        return selectors.incident_typification(start, end)
    return selectors.incident_monthly(start, end)


@supervisor_required
@require_GET
def incidents_report(request):
    start, end, errors = _period(request)
    daily_from = max(start, end - timedelta(days=DAILY_MAX_DAYS - 1))
    typification = _incident_rows("tipificacion", start, end)
    context = {
        "daily": list(reversed(_incident_rows("diario", start, end))),
        "daily_from": daily_from,
        "typification": typification,
        "top": [r for r in typification if r["top"]],
        "monthly": _incident_rows("mensual", start, end),
        "start": start,
        "end": end,
        "errors": errors,
        "query": request.GET.urlencode(),
        "tables": [(k, v[0]) for k, v in INCIDENT_TABLES.items()],
        "nav": "attention_stats",
    }
    return render(request, "attention/incidents_report.html", context)


@supervisor_required
@require_GET
def incidents_report_export(request, fmt: str):
    key = request.GET.get("tabla", "mensual")
    if key not in INCIDENT_TABLES or fmt not in ("csv", "xlsx"):
        raise Http404("No existe ese cuadro.")
    start, end, _ = _period(request)
    title, header, cells, numeric = INCIDENT_TABLES[key]
    rows = (cells(r) for r in _incident_rows(key, start, end))
    name = f"incidencias-{key}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(header, rows, name)
    return xlsx_response(header, rows, name, sheet=title, numeric=numeric)


@attention_staff_required
@require_GET
def requirements(request):
    items, paging = page_of(
        request, selectors.requirements_for(request.user), ["-created_at", "-id"]
    )
    context = {"items": items, **paging, "nav": "attention"}
    return render(request, "attention/requirements.html", context)
