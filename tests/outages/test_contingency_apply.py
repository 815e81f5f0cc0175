"""Registering a contingency window extends the plazos it affected: once, visibly on each
case's timeline, putting back cases it made overdue, and so that operators catching up with
`updated_since` see the new due dates."""

import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from factories import (
    PROBLEM,
    Api,
    acknowledge,
    answer,
    lima,
    make_case,
    make_citizen,
    operator_api,
    operator_principal,
    staff_token,
)
from outages.helpers import make_supervisor
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.cases import services as case_services
from sgu.cases.models import Case, CaseEvent
from sgu.cases.workflow import Action, Actor, State
from sgu.core.errors import Forbidden, ValidationFailed
from sgu.outages import services
from sgu.outages.models import ContingencyExtension, ContingencyWindow

EXT = "CONTINGENCY_EXTENSION"

# Registered (and forwarded) Monday 9 March 2026 10:00, "recarga no acreditada": 1 business
# day → received Mon 9, due Tuesday 10 March 23:59:59 Lima.
MON_9 = lima(2026, 3, 9, 10)
DUE_TUE_10 = lima(2026, 3, 10, 23, 59, 59)
# SGU down Tuesday 10 March 09:00–15:00: 6 business hours → 1 business day → Wed 11.
W_FROM, W_TO = lima(2026, 3, 10, 9), lima(2026, 3, 10, 15)
DUE_WED_11 = lima(2026, 3, 11, 23, 59, 59)


def window(
    by, *, starts=W_FROM, ends=W_TO, scope="SGU", operator="", now=None, batch=None
) -> services.ApplyResult:
    return services.register_contingency_window(
        data=services.WindowInput(
            starts_at=starts,
            ends_at=ends,
            scope=scope,
            operator=operator,
            reason="Caída del SGU por falla del centro de datos.",
        ),
        by=principal_for_user(by),
        now=now or lima(2026, 3, 10, 16),
        batch=batch,
    )


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_running_case_is_extended_with_a_timeline_event(catalog, supervisor):
    case = make_case(now=MON_9)
    assert case.due_at == DUE_TUE_10

    result = window(supervisor)

    assert (result.candidates, result.extended, result.reopened) == (1, 1, 0)
    case = fresh(case)
    assert case.due_at == DUE_WED_11
    assert case.state == State.FORWARDED
    assert "Ampliación por contingencia" in case.due_explanation
    event = CaseEvent.objects.get(case=case, kind=EXT)
    assert event.actor == supervisor and event.actor_role == Actor.REGULATOR
    assert not event.internal  # the citizen sees why the plazo moved
    assert event.data["window_id"] == result.window.pk
    assert event.data["lost_business_seconds"] == 6 * 3600
    assert event.data["unit"] == "BUSINESS_DAYS" and event.data["amount"] == "1"
    assert datetime.fromisoformat(event.data["previous_due_at"]) == DUE_TUE_10
    assert datetime.fromisoformat(event.data["new_due_at"]) == DUE_WED_11
    assert event.note.startswith(f"Contingencia N.º {result.window.pk} — SGU no disponible: ")
    assert "Se amplía 1 día hábil" in event.note
    assert "miércoles 11/03/2026 a las 23:59" in event.note
    ext = ContingencyExtension.objects.get(window=result.window, case=case)
    assert (ext.previous_due_at, ext.new_due_at, ext.reopened) == (DUE_TUE_10, DUE_WED_11, False)


def test_the_timeline_in_the_api_shows_the_extension(catalog, supervisor, claro):
    case = make_case(now=MON_9)
    window(supervisor)
    body = operator_api(claro).get(f"/api/v1/operator/cases/{case.code}").json()
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["REGISTER", "FORWARD", EXT]
    assert datetime.fromisoformat(body["due_at"]) == DUE_WED_11


def test_reapplying_is_idempotent(catalog, supervisor):
    case = make_case(now=MON_9)
    first = window(supervisor)
    again = services.apply_contingency_window(
        window=first.window, by=principal_for_user(supervisor), now=lima(2026, 3, 10, 17)
    )
    assert again.extended == 0
    assert fresh(case).due_at == DUE_WED_11
    assert CaseEvent.objects.filter(case=case, kind=EXT).count() == 1
    assert ContingencyExtension.objects.count() == 1


def test_overdue_case_is_put_back_and_not_expired_again(catalog, supervisor):
    waiting = make_case(now=MON_9)
    taken = acknowledge(make_case(now=MON_9), now=lima(2026, 3, 10, 8, 45))
    # The scheduler ran before anyone registered the window: both became OVERDUE.
    assert case_services.expire_overdue_cases(now=lima(2026, 3, 11, 0, 5)) == 2

    # Registered after the fact, Wednesday 11 March 08:00: the new due (Wed 23:59:59) has
    # not passed, so each goes back to where it was.
    result = window(supervisor, now=lima(2026, 3, 11, 8))

    assert (result.extended, result.reopened) == (2, 2)
    waiting, taken = fresh(waiting), fresh(taken)
    assert (waiting.state, waiting.due_at) == (State.FORWARDED, DUE_WED_11)
    assert (taken.state, taken.due_at) == (State.IN_PROGRESS, DUE_WED_11)
    reopen = CaseEvent.objects.get(case=waiting, kind=Action.REOPEN)
    assert (reopen.from_state, reopen.to_state) == (State.OVERDUE, State.FORWARDED)
    assert reopen.actor_role == Actor.SYSTEM
    resume = CaseEvent.objects.get(case=taken, kind=Action.RESUME)
    assert (resume.from_state, resume.to_state) == (State.OVERDUE, State.IN_PROGRESS)
    assert ContingencyExtension.objects.filter(reopened=True).count() == 2
    # The operator can answer again within the plazo; the scheduler leaves them alone.
    assert case_services.expire_overdue_cases(now=lima(2026, 3, 11, 23)) == 0
    assert case_services.expire_overdue_cases(now=lima(2026, 3, 12, 0, 1)) == 2


def test_overdue_case_whose_new_due_also_passed_stays_overdue(catalog, supervisor):
    case = make_case(now=MON_9)
    case_services.expire_overdue_cases(now=lima(2026, 3, 11, 0, 5))
    result = window(supervisor, now=lima(2026, 3, 13, 9))  # registered Friday 13
    assert (result.extended, result.reopened) == (1, 0)
    case = fresh(case)
    assert (case.state, case.due_at) == (State.OVERDUE, DUE_WED_11)
    event = CaseEvent.objects.get(case=case, kind=EXT)
    assert event.data["reopened"] is False
    assert not CaseEvent.objects.filter(case=case, kind=Action.REOPEN).exists()


def test_late_answer_becomes_in_time(catalog, supervisor):
    case = answer(make_case(now=MON_9), now=lima(2026, 3, 11, 10))  # Wed 11: late
    assert case.solution.on_time is False
    result = window(supervisor, now=lima(2026, 3, 11, 12))
    assert result.now_on_time == 1
    case = fresh(case)
    assert case.state == State.ANSWERED and case.due_at == DUE_WED_11
    assert case.solution.on_time is True
    event = CaseEvent.objects.get(case=case, kind=EXT)
    assert event.data["answered_on_time"] is True
    assert "queda dentro del plazo" in event.note


def test_only_cases_whose_plazo_was_running(catalog, supervisor, movistar):
    running = make_case(now=MON_9)
    later = make_case(now=lima(2026, 3, 10, 16))  # forwarded after the window ended
    earlier = make_case(now=lima(2026, 3, 5, 10))  # due Fri 6, before the window
    answered_before = answer(make_case(now=MON_9), now=lima(2026, 3, 9, 12))
    unverified = make_case(make_citizen(verified=False), now=MON_9)  # never forwarded
    returned = case_services.return_case(
        case=make_case(now=MON_9),
        reason="La línea no es de nuestra red, corresponde a otra operadora.",
        by=operator_principal(running.operator),
        now=lima(2026, 3, 9, 12),
    )
    result = window(supervisor)
    assert result.extended == 1
    assert fresh(running).due_at == DUE_WED_11
    for other in (later, earlier, answered_before, unverified, returned):
        assert fresh(other).due_at == other.due_at
        assert not CaseEvent.objects.filter(case=other, kind=EXT).exists()


def test_operator_scope_only_touches_that_operator(catalog, supervisor, claro, movistar):
    at_claro = make_case(now=MON_9)
    at_movistar = make_case(now=MON_9, operator="MOVISTAR")
    result = window(supervisor, scope="OPERATOR", operator="MOVISTAR")
    assert result.extended == 1
    assert fresh(at_movistar).due_at == DUE_WED_11
    assert fresh(at_claro).due_at == DUE_TUE_10
    event = CaseEvent.objects.get(case=at_movistar, kind=EXT)
    assert "— interfaz de Movistar (Telefónica del Perú) con el SGU no disponible:" in event.note


def test_many_cases_in_small_batches(catalog, supervisor):
    citizen = make_citizen()
    cases = [make_case(citizen, now=MON_9) for _ in range(7)]
    result = window(supervisor, batch=3)
    assert (result.candidates, result.extended) == (7, 7)
    assert {fresh(c).due_at for c in cases} == {DUE_WED_11}
    assert CaseEvent.objects.filter(kind=EXT).count() == 7


def test_windows_registered_out_of_order_give_the_chronological_result(catalog, supervisor):
    # W_late: Wednesday 11 March 09:00–18:00 (a whole business day). Registered first, it
    # finds the case already due on Tuesday: nothing to give.
    case = make_case(now=MON_9)
    late = window(
        supervisor, starts=lima(2026, 3, 11, 9), ends=lima(2026, 3, 11, 18), now=lima(2026, 3, 12)
    )
    assert late.extended == 0
    # Then Tuesday's window is registered: the plazo moves to Wednesday, into W_late, which
    # is applied again and gives its day too → Thursday 12.
    early = window(supervisor, now=lima(2026, 3, 12, 1))
    assert (early.extended, early.reapplied) == (1, 1)
    assert fresh(case).due_at == lima(2026, 3, 12, 23, 59, 59)
    assert list(
        CaseEvent.objects.filter(case=case, kind=EXT).values_list("data__window_id", flat=True)
    ) == [early.window.pk, late.window.pk]


def test_overlapping_windows_do_not_count_the_same_hours_twice(catalog, supervisor, movistar):
    # The whole SGU 09:00–15:00, and Movistar's interface 12:00–17:30 (overlapping 3 h):
    # 6 h + 2,5 h new → two extensions of 1 day each → Thursday 12.
    case = make_case(now=MON_9, operator="MOVISTAR")
    window(supervisor)
    second = window(
        supervisor,
        starts=lima(2026, 3, 10, 12),
        ends=lima(2026, 3, 10, 17, 30),
        scope="OPERATOR",
        operator="MOVISTAR",
        now=lima(2026, 3, 10, 18),
    )
    ext = ContingencyExtension.objects.get(window=second.window, case=case)
    assert ext.lost_seconds == int(2.5 * 3600)
    assert fresh(case).due_at == lima(2026, 3, 12, 23, 59, 59)


def test_operator_catch_up_with_updated_since_after_an_outage(catalog, supervisor, claro):
    """The operator's back-end syncs with `updated_since`; its link to the SGU is down for a
    while (a window of scope OPERATOR); when it comes back and resumes from its last
    watermark, every change made meanwhile — new cases and extended due dates — is there."""
    api = operator_api(claro)
    before = make_case(now=MON_9)
    first = api.get("/api/v1/operator/cases?updated_since=2000-01-01T00:00:00Z").json()
    assert [c["code"] for c in first["items"]] == [before.code]
    watermark = first["items"][-1]["updated_at"]  # the last change the operator has seen

    # While the operator is away: a new case arrives, and the regulator registers a window
    # for the operator's interface that extends the earlier case.
    new = make_case(now=MON_9)
    services.register_contingency_window(
        data=services.WindowInput(
            starts_at=W_FROM,
            ends_at=W_TO,
            scope="OPERATOR",
            operator="CLARO",
            reason="La interfaz de Claro con el SGU no respondía.",
        ),
        by=principal_for_user(supervisor),
    )
    extended_due = fresh(before).due_at
    assert extended_due == DUE_WED_11

    # Catch-up: everything updated since the watermark, page by page.
    seen, cursor = {}, None
    while True:
        url = f"/api/v1/operator/cases?updated_since={watermark.replace('+', '%2B')}&limit=1"
        page = api.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        seen.update({c["code"]: c for c in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert set(seen) == {before.code, new.code}
    assert datetime.fromisoformat(seen[before.code]["due_at"]) == extended_due


# --- who may register, and bad input ----------------------------------------------------------


def test_only_a_supervisor_registers_windows(catalog):
    agent = make_supervisor(Role.REGULATOR_AGENT)
    with pytest.raises(Forbidden):
        window(agent)
    assert not ContingencyWindow.objects.exists()


def test_validation_errors_are_gathered_in_spanish(catalog, supervisor):
    with pytest.raises(ValidationFailed) as exc:
        services.register_contingency_window(
            data=services.WindowInput(
                starts_at=lima(2026, 3, 10, 15),
                ends_at=lima(2026, 3, 10, 9),
                scope="OPERATOR",
                operator="",
                reason="corto",
            ),
            by=principal_for_user(supervisor),
            now=lima(2026, 3, 11),
        )
    fields = {e.field: e.message for e in exc.value.errors}
    assert fields == {
        "ends_at": "El fin debe ser posterior al inicio.",
        "operator": "Elija la operadora cuya interfaz no estuvo disponible.",
        "reason": "Explique el motivo (al menos 10 caracteres).",
    }


def test_api_registers_and_reapplies(catalog, supervisor, claro):

    token = staff_token(supervisor)
    staff = Api(token)
    case = make_case(now=MON_9)
    now = timezone.now()
    payload = {
        "starts_at": W_FROM.isoformat(),
        "ends_at": W_TO.isoformat(),
        "scope": "SGU",
        "reason": "Mantenimiento no programado del SGU.",
    }
    r = staff.post("/api/v1/staff/contingency-windows", payload, HTTP_IDEMPOTENCY_KEY="w-1")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["extended"] == 1 and body["window"]["cases_extended"] == 1
    again = staff.post("/api/v1/staff/contingency-windows", payload, HTTP_IDEMPOTENCY_KEY="w-1")
    assert again.status_code == 201 and again.json() == body
    assert ContingencyWindow.objects.count() == 1

    r = staff.post(f"/api/v1/staff/contingency-windows/{body['window']['id']}/apply")
    assert r.status_code == 200 and r.json()["extended"] == 0
    listing = staff.get("/api/v1/staff/contingency-windows").json()
    assert [w["id"] for w in listing["items"]] == [body["window"]["id"]]
    assert fresh(case).due_at == DUE_WED_11

    bad = staff.post(
        "/api/v1/staff/contingency-windows",
        {**payload, "ends_at": (now + timedelta(hours=1)).isoformat()},
    )
    assert bad.status_code == 422 and bad["Content-Type"] == PROBLEM
    assert bad.json()["errors"] == [
        {
            "field": "ends_at",
            "message": "Registre la ventana cuando haya terminado: el fin no puede ser futuro.",
        }
    ]


def test_api_refuses_agents_and_operators(catalog, claro):

    agent = make_supervisor(Role.REGULATOR_AGENT)
    token = staff_token(agent)
    payload = {
        "starts_at": "2026-03-10T09:00:00-05:00",
        "ends_at": "2026-03-10T15:00:00-05:00",
        "scope": "SGU",
        "reason": "Caída del SGU por falla del centro de datos.",
    }
    r = Api(token).post("/api/v1/staff/contingency-windows", payload)
    assert r.status_code == 403 and r["Content-Type"] == PROBLEM
    assert r.json()["detail"] == (
        "Solo un supervisor del regulador registra ventanas de contingencia."
    )
    r = operator_api(claro).post("/api/v1/staff/contingency-windows", payload)
    assert r.status_code == 401


def test_the_command_reapplies_every_window_idempotently(catalog, supervisor):
    from django.core.management import call_command

    case = make_case(now=MON_9)
    window(supervisor)
    out = io.StringIO()
    call_command("apply_contingency_windows", stdout=out)
    assert out.getvalue().strip() == "casos ampliados: 0"
    assert fresh(case).due_at == DUE_WED_11


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/operator/attention-points",
        "/api/v1/operator/outages",
        "/api/v1/operator/outages/{outage_id}",
        "/api/v1/operator/outages/{outage_id}/close",
        "/api/v1/staff/outages",
        "/api/v1/staff/contingency-windows",
        "/api/v1/staff/contingency-windows/{window_id}",
        "/api/v1/staff/contingency-windows/{window_id}/apply",
    ):
        assert path in paths
