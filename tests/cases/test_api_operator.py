"""Operators' API with an API key (docs/api.md "Operators"): the tray, acknowledge, answer."""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from factories import (
    Api,
    NothingWritten,
    acknowledge,
    answer,
    case_payload,
    citizen_api,
    field_errors,
    make_case,
    make_citizen,
    operator_api,
    problem_of,
    solution_payload,
)
from sgu.accounts import services as accounts
from sgu.accounts.models import OperatorApiKey
from sgu.cases.models import Case, Solution

pytestmark = pytest.mark.django_db

TRAY = "/api/v1/operator/cases"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [i["code"] for i in response.json()["items"]]


def claro_case(**kw):
    return make_case(operator="CLARO", **kw)


def movistar_case(**kw):
    return make_case(operator="MOVISTAR", **kw)


# --- the tray ------------------------------------------------------------------------------


def test_given_cases_of_two_operators_when_listing_the_tray_then_only_its_own_forwarded_ones(
    claro_api, movistar_api
):
    mine = claro_case()
    theirs = movistar_case()
    waiting = make_case(make_citizen(verified=False), operator="CLARO")
    assert waiting.state == "REGISTERED"

    assert codes(claro_api.get(TRAY)) == [mine.code]
    assert codes(movistar_api.get(TRAY)) == [theirs.code]
    assert codes(claro_api.get(TRAY + "?state=REGISTERED")) == []


def test_given_cases_in_several_states_when_filtering_by_state_then_only_that_state(claro_api):
    forwarded = claro_case()
    in_progress = acknowledge(claro_case())
    answered = answer(claro_case())

    assert codes(claro_api.get(TRAY + "?state=FORWARDED")) == [forwarded.code]
    assert codes(claro_api.get(TRAY + "?state=IN_PROGRESS")) == [in_progress.code]
    assert codes(claro_api.get(TRAY + "?state=ANSWERED")) == [answered.code]


def test_given_two_subcategories_when_filtering_by_one_then_only_it(claro_api):
    recarga = claro_case()
    sin_codigo = claro_case(subcategory="sin-codigo", fields={"canal_atencion": "Tienda"})

    assert codes(claro_api.get(TRAY + "?subcategory=sin-codigo")) == [sin_codigo.code]
    assert codes(claro_api.get(TRAY + "?subcategory=recarga-no-acreditada")) == [recarga.code]
    assert codes(claro_api.get(TRAY + "?subcategory=no-existe")) == []


def test_given_a_case_past_its_plazo_when_filtering_overdue_then_it_alone_is_overdue(claro_api):
    late = claro_case(now=timezone.now() - timedelta(days=15))
    on_time = claro_case()

    assert codes(claro_api.get(TRAY + "?overdue=true")) == [late.code]
    assert codes(claro_api.get(TRAY + "?overdue=false")) == [on_time.code]
    items = {i["code"]: i for i in claro_api.get(TRAY).json()["items"]}
    assert items[late.code]["overdue"] is True and items[on_time.code]["overdue"] is False


def test_given_updated_since_when_listing_then_only_cases_changed_since_by_update_order(
    claro_api, clock
):
    untouched = claro_case()
    touched_later = claro_case()
    touched_first = claro_case()
    clock.shift(timedelta(seconds=1))
    since = timezone.now()
    acknowledge(touched_first)
    clock.shift(timedelta(seconds=1))
    acknowledge(touched_later)

    response = claro_api.get(TRAY + "?" + urlencode({"updated_since": since.isoformat()}))

    assert codes(response) == [touched_first.code, touched_later.code]
    assert untouched.code not in codes(response)


def test_given_many_cases_when_paging_the_tray_then_ordered_by_due_date_and_stable(claro_api):
    now = timezone.now()
    for days_ago in (0, 0, 9, 3, 0, 20, 6):
        claro_case(now=now - timedelta(days=days_ago))
    expected = [c.code for c in sorted(Case.objects.all(), key=lambda c: (c.due_at, c.pk))]

    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = claro_api.get(TRAY + "?" + urlencode(query)).json()
        seen += [i["code"] for i in body["items"]]
        if len(seen) == 3:
            claro_case(now=now - timedelta(days=30))  # sorts before page one: must not shift
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == expected
    dues = [Case.objects.get(code=c).due_at for c in seen]
    assert dues == sorted(dues)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=ABIERTO", "state"),
        ("overdue=quizas", "overdue"),
        ("updated_since=ayer", "updated_since"),
        ("limit=0", "limit"),
        ("cursor=xyz", "cursor"),
    ],
)
def test_given_bad_tray_filters_when_listing_then_422_naming_the_parameter(claro_api, query, field):
    body = problem_of(claro_api.get(f"{TRAY}?{query}"), 422)
    assert list(field_errors(body)) == [field]


# --- one case ------------------------------------------------------------------------------


def test_given_its_own_case_when_fetched_then_the_citizen_contact_and_internal_timeline_show(
    claro_api,
):
    case = claro_case()

    body = claro_api.get(f"{TRAY}/{case.code}").json()

    assert body["code"] == case.code and body["state"] == "FORWARDED"
    assert body["citizen"]["email"] == case.citizen.email
    assert body["citizen"]["phone"] == "987654321"
    assert body["allowed_actions"] == ["ACKNOWLEDGE", "ANSWER", "RETURN"]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("post", "/ack"), ("post", "/solution"), ("post", "/return")],
)
def test_given_another_operators_case_when_touched_then_404_and_nothing_changes(
    claro_api, method, suffix
):
    theirs = movistar_case()
    state, updated = theirs.state, theirs.updated_at
    url = f"{TRAY}/{theirs.code}{suffix}"
    payload = solution_payload() if suffix == "/solution" else {"reason": "No es nuestro cliente."}

    with NothingWritten():
        response = claro_api.get(url) if method == "get" else claro_api.post(url, payload)

    body = problem_of(response, 404)
    assert body["detail"] == "No existe un caso con ese código en su bandeja."
    theirs.refresh_from_db()
    assert (theirs.state, theirs.updated_at) == (state, updated)
    assert not Solution.objects.exists()


def test_given_an_unknown_code_or_another_operators_case_then_the_same_404(claro_api):
    theirs = movistar_case()

    a = claro_api.get(f"{TRAY}/{theirs.code}")
    b = claro_api.get(f"{TRAY}/SGU-2026-9999999")

    assert a.status_code == b.status_code == 404
    assert a.json() == b.json()


# --- acknowledge ------------------------------------------------------------------------------


def test_given_a_forwarded_case_when_acknowledged_then_in_progress_and_twice_is_409(claro_api):
    case = claro_case()

    first = claro_api.post(f"{TRAY}/{case.code}/ack")
    with NothingWritten():
        second = claro_api.post(f"{TRAY}/{case.code}/ack")

    assert first.status_code == 200, first.content
    body = first.json()
    assert body["state"] == "IN_PROGRESS"
    last = body["timeline"][-1]
    assert (last["kind"], last["actor_role"], last["from_state"], last["to_state"]) == (
        "ACKNOWLEDGE",
        "OPERATOR",
        "FORWARDED",
        "IN_PROGRESS",
    )
    assert body["allowed_actions"] == ["ANSWER", "RETURN"]
    problem = problem_of(second, 409)
    assert problem["detail"] == (
        "Solo se puede tomar en atención un caso trasladado y aún no atendido."
    )


# --- solution --------------------------------------------------------------------------------


def test_given_a_solution_when_recorded_then_answered_and_the_citizen_really_gets_it(
    claro_api, mailbox, tasks
):
    case = acknowledge(claro_case())
    today = timezone.localdate().isoformat()

    response = claro_api.post(
        f"{TRAY}/{case.code}/solution", solution_payload(outcome="NOT_RESOLVED", executed_at=today)
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "ANSWERED"
    assert body["solution"] == {
        "outcome": "NOT_RESOLVED",
        "detail": "Se acreditó la recarga de S/ 10 en la línea del usuario.",
        "actions": "Revisión del registro de recargas y abono manual.",
        "executed_at": today,
        "responsible": "Mesa de ayuda de recargas",
    }
    assert body["answered_at"] is not None
    tasks()
    mail = mailbox.wait_for(case.citizen.email, f"respondió su caso {case.code}")
    text = mail.get_content()
    assert "Claro (América Móvil Perú) registró la solución" in text
    assert "Resultado:        No resuelto" in text
    assert "Mesa de ayuda de recargas" in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text


def test_given_a_forwarded_case_not_acknowledged_when_answered_then_allowed(claro_api):
    case = claro_case()

    response = claro_api.post(f"{TRAY}/{case.code}/solution", solution_payload())

    assert response.json()["state"] == "ANSWERED"


def test_given_an_answered_case_when_answered_again_then_409_and_the_first_answer_stands(
    claro_api,
):
    case = answer(claro_case())

    with NothingWritten():
        response = claro_api.post(f"{TRAY}/{case.code}/solution", solution_payload())

    body = problem_of(response, 409)
    assert body["detail"] == "Este caso ya no admite una solución (estado: atendido)."
    assert Solution.objects.count() == 1


def tomorrow() -> str:
    """Read when the test runs, on the suite's pinned clock (not when the module loads)."""
    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"executed_at": "2999-01-01"},
            {"executed_at": "La fecha de ejecución no puede ser futura."},
        ),
        (
            {"executed_at": "2020-01-01"},
            {"executed_at": "La fecha de ejecución no puede ser anterior al registro del caso."},
        ),
        ({"executed_at": "31/12/2025"}, {"executed_at": "Debe ser una fecha AAAA-MM-DD."}),
        (
            {"outcome": "SOLUCIONADO"},
            {"outcome": "Valor no permitido; use 'RESOLVED', 'NOT_RESOLVED' o 'NOT_APPLICABLE'."},
        ),
        (
            {"detail": "ok"},
            {"detail": "Explique la solución al usuario (al menos 10 caracteres)."},
        ),
        ({"responsible": "   "}, {"responsible": "Indique el responsable de la solución."}),
        ({"responsible": "x" * 121}, {"responsible": "Admite hasta 120 caracteres."}),
        (
            {"outcome": ..., "detail": ..., "executed_at": ..., "responsible": ...},
            {
                "outcome": "Este dato es obligatorio.",
                "detail": "Este dato es obligatorio.",
                "executed_at": "Este dato es obligatorio.",
                "responsible": "Este dato es obligatorio.",
            },
        ),
    ],
)
def test_given_a_bad_solution_when_recorded_then_422_in_spanish_and_nothing_written(
    claro_api, changes, errors
):
    case = acknowledge(claro_case())
    payload = solution_payload(**{k: v for k, v in changes.items() if v is not ...})
    for k in [k for k, v in changes.items() if v is ...]:
        del payload[k]

    with NothingWritten():
        response = claro_api.post(f"{TRAY}/{case.code}/solution", payload)

    body = problem_of(response, 422)
    assert field_errors(body) == errors
    case.refresh_from_db()
    assert case.state == "IN_PROGRESS"


def test_given_tomorrow_as_execution_date_when_recorded_then_422(claro_api):
    case = claro_case()

    body = problem_of(
        claro_api.post(f"{TRAY}/{case.code}/solution", solution_payload(executed_at=tomorrow())),
        422,
    )

    assert field_errors(body) == {"executed_at": "La fecha de ejecución no puede ser futura."}


# --- credentials -----------------------------------------------------------------------------


def test_given_a_revoked_key_when_used_then_401_at_once(claro):
    raw, key = accounts.create_operator_key(operator=claro, name="backend")
    client = Api(raw)
    assert client.get(TRAY).status_code == 200

    accounts.revoke_operator_key(key=key)

    problem_of(client.get(TRAY), 401)
    assert OperatorApiKey.objects.get(pk=key.pk).revoked_at is not None


def test_given_a_key_when_used_then_last_use_is_recorded(claro):
    raw, key = accounts.create_operator_key(operator=claro, name="backend")
    assert key.last_used_at is None

    Api(raw).get(TRAY)

    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", TRAY),
        ("get", TRAY + "/{code}"),
        ("post", TRAY + "/{code}/ack"),
        ("post", TRAY + "/{code}/solution"),
    ],
)
def test_given_a_citizen_token_when_calling_operator_endpoints_then_401_and_nothing_written(
    claro, citizen, method, path
):
    case = make_case(citizen)
    client = citizen_api(citizen)

    with NothingWritten():
        url = path.format(code=case.code)
        response = client.get(url) if method == "get" else client.post(url, solution_payload())

    problem_of(response, 401)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/cases"),
        ("post", "/api/v1/cases"),
        ("get", "/api/v1/cases/{code}"),
        ("post", "/api/v1/cases/{code}/rating"),
    ],
)
def test_given_an_operator_key_when_calling_citizen_endpoints_then_401_and_nothing_written(
    claro, citizen, method, path
):
    case = answer(make_case(citizen))
    client = operator_api(claro)

    with NothingWritten():
        url = path.format(code=case.code)
        response = (
            client.get(url)
            if method == "get"
            else client.post(url, {**case_payload(), "resolved": True, "score": 5})
        )

    problem_of(response, 401)


def test_given_an_operator_key_when_uploading_to_a_citizen_case_then_401(claro, citizen):
    from factories import pdf_bytes, upload

    case = make_case(citizen)

    with NothingWritten():
        response = operator_api(claro).upload(
            f"/api/v1/cases/{case.code}/attachments", upload("r.pdf", pdf_bytes())
        )

    problem_of(response, 401)


def test_given_no_credentials_when_listing_the_tray_then_401(catalog):
    problem_of(Api().get(TRAY), 401)


def test_given_the_executed_at_of_the_registration_day_when_answered_then_accepted(claro_api):
    registered = timezone.now() - timedelta(days=3)
    case = claro_case(now=registered)

    response = claro_api.post(
        f"{TRAY}/{case.code}/solution",
        solution_payload(executed_at=timezone.localdate(registered).isoformat()),
    )

    assert response.status_code == 200, response.content
    assert date.fromisoformat(response.json()["solution"]["executed_at"]) == timezone.localdate(
        registered
    )
    assert datetime.fromisoformat(response.json()["answered_at"]) > registered


def test_given_a_deactivated_operator_when_its_key_is_used_then_401(claro):
    from sgu.catalog.models import Operator

    client = operator_api(claro)
    assert client.get(TRAY).status_code == 200

    Operator.objects.filter(pk=claro.pk).update(active=False)

    problem_of(client.get(TRAY), 401)
