"""Citizen cases API (docs/api.md "Cases — citizen"): create, idempotency, bad input, listing."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from factories import (
    LIMA,
    Api,
    NothingWritten,
    case_payload,
    citizen_api,
    cursor_of,
    field_errors,
    make_case,
    make_citizen,
    problem_of,
    row_counts,
)
from sgu.cases.models import Case
from sgu.core.calendar import load_calendar
from sgu.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
CODE = re.compile(r"^SGU-(\d{4})-(\d{7})$")
WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
MONTHS = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
]  # fmt: skip


def spanish_due(iso: str) -> str:
    """How the emails write a due date: «lunes 6 de abril de 2026, 23:59»."""
    d = datetime.fromisoformat(iso).astimezone(LIMA)
    return f"{WEEKDAYS[d.weekday()]} {d.day} de {MONTHS[d.month - 1]} de {d.year}, {d:%H:%M}"


def strip_timeline(body: dict) -> list[tuple]:
    return [(e["kind"], e["actor_role"], e["from_state"], e["to_state"]) for e in body["timeline"]]


# --- create ----------------------------------------------------------------------------------


def test_given_a_verified_citizen_when_reporting_then_201_forwarded_with_code_plazo_and_timeline(
    api, citizen
):
    before = timezone.now()

    response = api.post(CASES, case_payload())

    assert response.status_code == 201, response.content
    body = response.json()
    match = CODE.match(body["code"])
    assert match, body["code"]
    assert int(match.group(1)) == timezone.localdate().year
    assert body["state"] == "FORWARDED"
    assert (body["operator"], body["subcategory"], body["service"], body["channel"]) == (
        "CLARO",
        "recarga-no-acreditada",
        "MOVIL",
        "WEB",
    )
    assert body["fields"] == {
        "monto_recarga": "10.00",
        "fecha_recarga": "2026-01-15",
        "medio_recarga": "Bodega o agente",
    }
    registered = datetime.fromisoformat(body["registered_at"])
    assert before <= registered <= timezone.now()
    assert body["forwarded_at"] == body["registered_at"]
    # The plazo (1 business day) as the calendar computes it, ending 23:59:59 in Lima.
    due = datetime.fromisoformat(body["due_at"])
    assert due == load_calendar().add_business_days(registered, 1).due_at
    due_local = due.astimezone(LIMA)
    assert (due_local.hour, due_local.minute, due_local.second) == (23, 59, 59)
    assert due_local.weekday() < 5 and due_local.date() > registered.astimezone(LIMA).date()
    assert body["due_explanation"]
    assert body["answered_at"] is None and body["solution"] is None and body["rating"] is None
    assert body["overdue"] is False
    assert strip_timeline(body) == [
        ("REGISTER", "CITIZEN", None, "REGISTERED"),
        ("FORWARD", "SYSTEM", "REGISTERED", "FORWARDED"),
    ]
    case = Case.objects.get(code=body["code"])
    assert case.citizen == citizen and case.due_at == due


def test_given_a_new_case_when_registered_then_the_citizen_gets_code_operator_problem_and_due(
    api, citizen, mailbox, tasks
):
    body = api.post(CASES, case_payload()).json()

    tasks()

    mail = mailbox.wait_for(citizen.email, f"Caso {body['code']} registrado")
    assert (
        str(mail["Subject"]).strip()
        == f"Caso {body['code']} registrado — Claro (América Móvil Perú)"
    )
    text = mail.get_content()
    assert body["code"] in text
    assert "Claro (América Móvil Perú)" in text
    assert "Recargas — Recarga no acreditada / saldo descontado" in text
    assert "Línea/servicio: 987654321" in text
    assert f"hasta el {spanish_due(body['due_at'])} (hora de Lima)" in text


@pytest.mark.parametrize("typed", ["+51 987 654 321", "987-654-321", " 987654321 "])
def test_given_a_line_number_in_a_usual_writing_when_reporting_then_it_is_stored_as_9_digits(
    api, typed
):
    body = api.post(CASES, case_payload(service_number=typed)).json()
    assert body["service_number"] == "987654321"


def test_given_two_cases_when_registered_then_their_codes_are_consecutive(api):
    first = api.post(CASES, case_payload()).json()["code"]
    api.post(CASES, case_payload(operator="NO-EXISTE"))  # refused: takes no number
    second = api.post(CASES, case_payload()).json()["code"]

    assert int(second[-7:]) == int(first[-7:]) + 1
    assert second[:9] == first[:9]


# --- unverified citizen ------------------------------------------------------------------------


def test_given_an_unverified_citizen_when_reporting_then_the_case_waits_out_of_the_operator_tray(
    catalog, claro_api, mailbox, tasks
):
    user = make_citizen(verified=False)
    client = citizen_api(user)

    body = client.post(CASES, case_payload()).json()

    assert body["state"] == "REGISTERED"
    assert body["forwarded_at"] is None and body["due_at"] is None
    assert strip_timeline(body) == [("REGISTER", "CITIZEN", None, "REGISTERED")]
    assert claro_api.get("/api/v1/operator/cases").json()["items"] == []
    problem_of(claro_api.get(f"/api/v1/operator/cases/{body['code']}"), 404)
    tasks()
    text = mailbox.wait_for(user.email, f"Caso {body['code']} registrado").get_content()
    assert "Confirme su correo" in text
    assert "Plazo:" not in text


def test_given_a_waiting_case_when_the_citizen_confirms_the_email_then_it_is_forwarded_from_then(
    catalog, claro_api, mailbox, tasks, clock
):
    user = make_citizen(verified=False)
    client = citizen_api(user)
    code = client.post(CASES, case_payload()).json()["code"]
    tasks()
    text = mailbox.wait_for(user.email, "Confirme su correo").get_content()
    token = re.search(r"/cuenta/confirmar/([A-Za-z0-9_\-]+)/", text).group(1)
    clock.shift(timedelta(hours=3))  # the citizen confirms later that day
    before = timezone.now()

    assert Api().post("/api/v1/accounts/verify-email", {"token": token}).status_code == 200

    body = client.get(f"{CASES}/{code}").json()
    assert body["state"] == "FORWARDED"
    forwarded = datetime.fromisoformat(body["forwarded_at"])
    assert forwarded >= before > datetime.fromisoformat(body["registered_at"])
    assert datetime.fromisoformat(body["due_at"]) == (
        load_calendar().add_business_days(forwarded, 1).due_at
    )
    assert strip_timeline(body)[-1] == ("FORWARD", "SYSTEM", "REGISTERED", "FORWARDED")
    assert [i["code"] for i in claro_api.get("/api/v1/operator/cases").json()["items"]] == [code]
    tasks()
    mail = mailbox.wait_for(user.email, f"Caso {code} enviado a Claro")
    assert spanish_due(body["due_at"]) in mail.get_content()


# --- idempotency -----------------------------------------------------------------------------


def test_given_the_same_key_and_body_twice_when_reporting_then_same_answer_and_one_case(api):
    before = row_counts()

    first = api.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="clave-123")
    second = api.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="clave-123")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    after = row_counts()
    assert after["Case"] == before["Case"] + 1
    assert after["IdempotencyRecord"] == before["IdempotencyRecord"] + 1
    assert after["OutboundEmail"] == before["OutboundEmail"] + 1


def test_given_the_same_key_with_another_body_when_reporting_then_409_and_nothing_written(api):
    api.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="clave-123")

    with NothingWritten():
        response = api.post(
            CASES, case_payload(service_number="912345678"), HTTP_IDEMPOTENCY_KEY="clave-123"
        )

    body = problem_of(response, 409)
    assert body["detail"] == (
        "Esta Idempotency-Key ya se usó con otra solicitud; use una clave nueva."
    )


def test_given_the_same_key_from_two_citizens_when_reporting_then_each_gets_a_case(api):
    other = citizen_api(make_citizen())

    a = api.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="k1").json()["code"]
    b = other.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="k1").json()["code"]

    assert a != b
    assert IdempotencyRecord.objects.count() == 2


def test_given_a_refused_request_with_a_key_when_retried_corrected_then_it_is_created(api):
    refused = api.post(CASES, case_payload(description="corto"), HTTP_IDEMPOTENCY_KEY="k2")
    problem_of(refused, 422)
    assert IdempotencyRecord.objects.count() == 0

    created = api.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="k2")

    assert created.status_code == 201


def test_given_an_overlong_idempotency_key_when_reporting_then_refused_and_nothing_written(api):
    with NothingWritten():
        response = api.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="k" * 201)

    body = problem_of(response, 422)
    assert field_errors(body) == {
        "Idempotency-Key": "La cabecera Idempotency-Key admite hasta 200 caracteres."
    }
    assert api.post(CASES, case_payload(), HTTP_IDEMPOTENCY_KEY="k" * 200).status_code == 201


# --- bad input -------------------------------------------------------------------------------

FIELDS_OK = case_payload()["fields"]
BAD_MONEY = "debe ser un monto en soles, p. ej. 25.50."

BAD_INPUTS = [
    pytest.param(
        {"description": 123},
        {"description": "Debe ser texto."},
        id="description-not-text",
    ),
    pytest.param({"fields": "monto=10"}, {"fields": "Debe ser un objeto JSON."}, id="fields-text"),
    pytest.param({"operator": None}, {"operator": "Debe ser texto."}, id="operator-null"),
    pytest.param({"operator": "TELMEX"}, {"operator": "Operadora desconocida."}, id="operator"),
    pytest.param(
        {"subcategory": "no-existe"},
        {"subcategory": "Subcategoría desconocida o no vigente."},
        id="subcategory",
    ),
    pytest.param(
        {"fields": {k: v for k, v in FIELDS_OK.items() if k != "medio_recarga"}},
        {"fields.medio_recarga": "Responda: ¿Dónde recargó?"},
        id="missing-extra-field",
    ),
    pytest.param(
        {"fields": {**FIELDS_OK, "imei": "356938035643809"}},
        {"fields.imei": "Dato no previsto para esta subcategoría."},
        id="unknown-extra-field",
    ),
    pytest.param(
        {"fields": {**FIELDS_OK, "monto_recarga": "diez soles"}},
        {"fields.monto_recarga": "«Monto de la recarga (S/)»: " + BAD_MONEY},
        id="bad-money",
    ),
    pytest.param(
        {"fields": {**FIELDS_OK, "fecha_recarga": "2026-02-30"}},
        {"fields.fecha_recarga": "«Fecha de la recarga»: la fecha no existe."},
        id="bad-date",
    ),
    pytest.param(
        {"fields": {**FIELDS_OK, "medio_recarga": "Yape"}},
        {
            "fields.medio_recarga": "¿Dónde recargó?: elija una de las opciones: "
            "Bodega o agente, Aplicativo de la operadora, Banca por internet, Tarjeta física, "
            "Otro."
        },
        id="bad-choice",
    ),
    pytest.param(
        {"service_number": "812345678"},
        {"service_number": "El número de línea móvil tiene 9 dígitos y empieza con 9."},
        id="bad-line",
    ),
    pytest.param(
        {"description": "  corto   "},
        {"description": "Describa el problema (al menos 10 caracteres)."},
        id="short-description",
    ),
    pytest.param(
        {"description": "x" * 4001},
        {"description": "Admite hasta 4000 caracteres."},
        id="long-description",
    ),
]


@pytest.mark.parametrize(("changes", "errors"), BAD_INPUTS)
def test_given_bad_input_when_reporting_then_422_in_spanish_per_field_and_nothing_written(
    api, changes, errors
):
    with NothingWritten():
        response = api.post(CASES, case_payload(**changes), HTTP_IDEMPOTENCY_KEY="k-bad")

    body = problem_of(response, 422)
    assert body["title"] == "Datos no válidos"
    assert field_errors(body) == errors
    assert body["detail"].endswith(next(iter(errors.values())))


def test_given_a_missing_field_when_reporting_then_it_is_named(api):
    payload = case_payload()
    del payload["operator"]

    with NothingWritten():
        body = problem_of(api.post(CASES, payload), 422)

    assert field_errors(body) == {"operator": "Este dato es obligatorio."}


def test_given_many_mistakes_when_reporting_then_every_one_is_reported_at_once(api):
    payload = case_payload(
        operator="TELMEX", service_number="123", description="x", fields={"otro": 1}
    )

    with NothingWritten():
        body = problem_of(api.post(CASES, payload), 422)

    assert set(field_errors(body)) >= {
        "operator",
        "service_number",
        "description",
        "fields.otro",
        "fields.monto_recarga",
    }
    assert body["detail"].startswith("Hay ")


@pytest.mark.parametrize("raw", ['{"operator": "CLARO",', "operator=CLARO", "\xff\xfe", "{'a': 1}"])
def test_given_malformed_json_when_reporting_then_400_problem_and_nothing_written(api, raw):
    with NothingWritten():
        response = api.post(CASES, raw=raw, HTTP_IDEMPOTENCY_KEY="k-malformed")

    body = problem_of(response, 400)
    assert body["title"] == "Solicitud mal formada"
    assert body["detail"] == "El cuerpo de la solicitud no es JSON válido."
    assert field_errors(body) == {"body": "El cuerpo de la solicitud no es JSON válido."}


@pytest.mark.parametrize("raw", ["[]", '"texto"', "42", "null"])
def test_given_json_that_is_not_an_object_when_reporting_then_4xx_problem(api, raw):
    with NothingWritten():
        response = api.post(CASES, raw=raw)

    assert response.status_code in (400, 422)
    problem_of(response, response.status_code)


def test_given_no_credentials_when_reporting_then_401_problem_and_nothing_written(catalog):
    with NothingWritten():
        response = Api().post(CASES, case_payload())

    body = problem_of(response, 401)
    assert body["title"] == "Autenticación requerida"
    assert response["WWW-Authenticate"] == "Bearer"


# --- listing ---------------------------------------------------------------------------------


def test_given_cases_of_two_citizens_when_listing_then_only_mine_newest_first(
    api, citizen, other_citizen
):
    mine = [make_case(citizen).code for _ in range(3)]
    make_case(other_citizen)

    body = api.get(CASES).json()

    assert [i["code"] for i in body["items"]] == mine[::-1]
    assert body["next_cursor"] is None
    assert set(body["items"][0]) >= {
        "code",
        "state",
        "operator",
        "subcategory",
        "registered_at",
        "due_at",
    }


def test_given_more_cases_than_the_limit_when_paging_then_every_case_once_in_order(api, citizen):
    same_instant = timezone.now() - timedelta(minutes=5)
    codes = [make_case(citizen, now=same_instant).code for _ in range(3)]
    codes += [make_case(citizen).code for _ in range(4)]
    expected = [
        c.code for c in Case.objects.filter(citizen=citizen).order_by("-registered_at", "-id")
    ]

    seen, cursor, pages = [], None, 0
    while True:
        url = f"{CASES}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(url).json()
        seen += [i["code"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == expected and sorted(seen) == sorted(codes)
    assert pages == 4


def test_given_a_case_created_after_the_first_page_when_paging_on_then_no_case_repeats(
    api, citizen
):
    for _ in range(3):
        make_case(citizen)
    first = api.get(f"{CASES}?limit=2").json()

    make_case(citizen)  # newer: belongs before page one, must not shift page two
    second = api.get(f"{CASES}?limit=2&cursor={first['next_cursor']}").json()

    codes = [i["code"] for i in first["items"] + second["items"]]
    assert len(codes) == len(set(codes)) == 3


def test_given_more_than_fifty_cases_when_listing_without_limit_then_fifty(api, citizen):
    for _ in range(51):
        make_case(citizen)

    body = api.get(CASES).json()

    assert len(body["items"]) == 50
    assert body["next_cursor"] is not None
    assert len(api.get(f"{CASES}?limit=500").json()["items"]) == 51


LIMIT_OUT = "El límite debe estar entre 1 y 500."
BAD_CURSOR = "El cursor no es válido; vuelva a la primera página."


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=0", "limit", LIMIT_OUT),
        ("limit=501", "limit", LIMIT_OUT),
        ("limit=-1", "limit", LIMIT_OUT),
        ("limit=diez", "limit", "Debe ser un número entero."),
        ("cursor=%%%", "cursor", BAD_CURSOR),
        ("cursor=bm9wZQ", "cursor", BAD_CURSOR),
        (f"cursor={cursor_of([1, 2, 3])}", "cursor", BAD_CURSOR),
    ],
)
def test_given_a_bad_limit_or_cursor_when_listing_then_422_naming_it(api, query, field, message):
    body = problem_of(api.get(f"{CASES}?{query}"), 422)
    assert field_errors(body) == {field: message}


@pytest.mark.parametrize(
    "values",
    [
        ["ayer", "x"],
        [None, None],
        [{"t": "2026-01-01T00:00:00+00:00"}, 10**30],
        [{"t": "2026-01-01T00:00:00"}, 1],  # naive
        [{"t": 5}, 1],
    ],
)
def test_given_a_well_formed_cursor_with_wrongly_typed_values_when_listing_then_422_not_500(
    api, values
):
    body = problem_of(api.get(f"{CASES}?cursor={cursor_of(values)}"), 422)
    assert field_errors(body) == {"cursor": BAD_CURSOR}


def test_given_no_credentials_when_listing_then_401(catalog):
    problem_of(Api().get(CASES), 401)


def test_given_an_empty_body_when_reporting_then_422_names_the_body_not_an_internal_name(api):
    with NothingWritten():
        body = problem_of(api.post(CASES, raw=""), 422)

    assert field_errors(body) == {"body": "Este dato es obligatorio."}
