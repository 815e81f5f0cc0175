"""The operator's information for the citizen's form (instructivo, punto vii): lists replaced
as a whole on the web and by API, each replace a new version with its validity (older ones
kept), only the operator's own, the same Spanish refusals on both sides, and the regulator's
view of who is stale."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from factories import (
    PASSWORD,
    Api,
    NothingWritten,
    citizen_api,
    field_errors,
    make_admin,
    make_operator_agent,
    operator_api,
    problem_of,
    staff_token,
)
from sgu.accounts import services as accounts
from sgu.accounts.models import Role
from sgu.operators import selectors
from sgu.operators.models import InfoItem, InfoList

pytestmark = pytest.mark.django_db

PLANS = [{"name": "Max 39.90", "detail": "30 GB"}, {"name": "Max 69.90", "detail": "90 GB"}]


def put(api: Api, kind: str, body, **extra):
    return api.client.put(
        f"/api/v1/operator/information/{kind}",
        json.dumps(body),
        content_type="application/json",
        **api._headers(extra),
    )


def web_admin(operator) -> Client:
    web = Client()
    web.force_login(make_admin(operator))
    return web


def regulator():
    return accounts.create_staff_user(
        email="supervisora@regulador.gob.pe",
        password=PASSWORD,
        role=Role.REGULATOR_SUPERVISOR,
        first_name="Sofía",
        last_name="Supervisora",
    )


def today():
    return timezone.localdate()


# --- versions --------------------------------------------------------------------------------


def test_each_replace_is_a_new_version_and_the_old_one_is_kept(claro):
    api = operator_api(claro)
    first = put(api, "PLANS", {"items": PLANS})
    assert first.status_code == 201, first.content
    assert first.json()["version"] == 1 and first.json()["source"] == "API"
    assert [i["name"] for i in first.json()["items"]] == ["Max 39.90", "Max 69.90"]

    tomorrow = today() + timedelta(days=1)
    second = put(
        api, "PLANS", {"items": [{"name": "Max 99.90"}], "valid_from": tomorrow.isoformat()}
    )
    assert second.status_code == 201, second.content
    assert second.json()["version"] == 2

    # Today the first version is still the one the form offers; it now ends today.
    assert selectors.current_names(claro, "PLANS") == ["Max 39.90", "Max 69.90"]
    versions = api.get("/api/v1/operator/information/PLANS/versions").json()
    assert [(v["version"], v["valid_to"]) for v in versions] == [
        (2, None),
        (1, today().isoformat()),
    ]
    # Tomorrow, the second one.
    assert selectors.current_names(claro, "PLANS", now=timezone.now() + timedelta(days=1)) == [
        "Max 99.90"
    ]
    assert InfoList.objects.filter(operator=claro).count() == 2  # nothing deleted
    assert InfoItem.objects.filter(info_list__operator=claro).count() == 3


def test_a_version_with_an_end_date_stops_being_offered_after_it(claro, clock):
    put(
        operator_api(claro),
        "PACKAGES",
        {"items": [{"name": "Paquete 3 GB"}], "valid_to": today().isoformat()},
    )
    assert selectors.current_names(claro, "PACKAGES") == ["Paquete 3 GB"]
    clock.shift(timedelta(days=1))
    assert selectors.current_names(claro, "PACKAGES") == []


def test_the_same_idempotency_key_replaces_once(claro):
    api = operator_api(claro)
    for _ in range(2):
        response = put(
            api, "RECHARGE_CHANNELS", {"items": [{"name": "Yape"}]}, HTTP_IDEMPOTENCY_KEY="k-1"
        )
        assert response.status_code == 201 and response.json()["version"] == 1
    assert InfoList.objects.filter(operator=claro).count() == 1


def test_the_web_page_replaces_a_list_and_shows_its_history(claro):
    web = web_admin(claro)
    response = web.post(
        "/operadora/informacion/POINTS_OF_SALE/",
        {"points_of_sale-items": "Tienda Jockey Plaza | Santiago de Surco\n\nTienda Lince\n"},
    )
    assert response.status_code == 302
    page = web.get("/operadora/informacion/").content.decode()
    assert "Tienda Jockey Plaza" in page and "Santiago de Surco" in page
    assert "versión 1" in page and "Puntos de venta" in page
    row = InfoList.objects.get(operator=claro)
    assert row.source_label == "web" and row.created_by.operator == claro
    assert [i.name for i in row.items.all()] == ["Tienda Jockey Plaza", "Tienda Lince"]


# --- refusals: the same Spanish message on the web and the API, nothing written -------------

BAD = [
    ("lista vacía", {"items": []}, "", {"items": "Incluya al menos un elemento en la lista."}),
    (
        "repetido",
        {"items": [{"name": "Max 39.90"}, {"name": "max 39.90"}]},
        "Max 39.90\nmax 39.90",
        {"items[1].name": "Elemento 2: «max 39.90» está repetido en la lista."},
    ),
    (
        "otro reservado",
        {"items": [{"name": "Otro"}]},
        "Otro",
        {"items[0].name": "Elemento 1: «otro» está reservado para lo que escribe el ciudadano."},
    ),
    (
        "nombre largo",
        {"items": [{"name": "x" * 121}]},
        "x" * 121,
        {"items[0].name": "Elemento 1: el nombre admite hasta 120 caracteres."},
    ),
]


@pytest.mark.parametrize(("case", "body", "text", "errors"), BAD, ids=[b[0] for b in BAD])
def test_bad_lists_are_refused_alike_on_web_and_api(claro, case, body, text, errors):
    api = operator_api(claro)
    web = web_admin(claro)
    with NothingWritten():
        problem = problem_of(put(api, "PLANS", body), 422)
    assert field_errors(problem) == errors
    assert not InfoList.objects.exists()
    page = web.post("/operadora/informacion/PLANS/", {"plans-items": text})
    assert page.status_code == 422
    html = page.content.decode()
    for message in errors.values():
        assert message.replace("«", "&laquo;").replace("»", "&raquo;") in html or message in html
    assert not InfoList.objects.exists()


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "field", "message"),
    [
        ("yesterday", "", "valid_from", "La vigencia no puede empezar en una fecha pasada."),
        (
            "today",
            "yesterday",
            "valid_to",
            "La fecha de fin de vigencia no puede ser anterior a la de inicio.",
        ),
        ("2026-02-30", "", "valid_from", "Debe ser una fecha AAAA-MM-DD."),
    ],
)
def test_bad_validity_dates_are_refused_alike(claro, valid_from, valid_to, field, message):
    days = {"today": today(), "yesterday": today() - timedelta(days=1)}
    start = days[valid_from].isoformat() if valid_from in days else valid_from
    end = days[valid_to].isoformat() if valid_to in days else valid_to
    body = {"items": PLANS, "valid_from": start, **({"valid_to": end} if end else {})}
    problem = problem_of(put(operator_api(claro), "PLANS", body), 422)
    assert field_errors(problem)[field] == message
    page = web_admin(claro).post(
        "/operadora/informacion/PLANS/",
        {"plans-items": "Max 39.90", "plans-valid_from": start, "plans-valid_to": end},
    )
    assert page.status_code == 422 and message in page.content.decode()
    assert not InfoList.objects.exists()


@pytest.mark.parametrize(
    "raw",
    ["{", '{"items": "Max"}', '{"items": [{"detail": "sin nombre"}]}', '{"items": [1]}'],
)
def test_malformed_bodies_are_problems_not_errors(claro, raw):
    api = operator_api(claro)
    response = api.client.put(
        "/api/v1/operator/information/PLANS",
        raw,
        content_type="application/json",
        **api._headers({}),
    )
    assert response.status_code in (400, 422)
    problem_of(response, response.status_code)
    assert not InfoList.objects.exists()


def test_an_unknown_list_is_refused(claro):
    problem = problem_of(put(operator_api(claro), "PRECIOS", {"items": PLANS}), 422)
    assert "PLANS" in field_errors(problem)["kind"]
    assert web_admin(claro).post("/operadora/informacion/PRECIOS/", {}).status_code == 404


# --- isolation -------------------------------------------------------------------------------


def test_an_operator_edits_and_sees_only_its_own_lists(claro, movistar):
    put(operator_api(claro), "PLANS", {"items": PLANS})
    movistar_api = operator_api(movistar)
    assert movistar_api.get("/api/v1/operator/information").json() == {
        "operator": "MOVISTAR",
        "lists": [],
    }
    assert movistar_api.get("/api/v1/operator/information/PLANS/versions").json() == []
    put(movistar_api, "PLANS", {"items": [{"name": "Ilimitado 49.90"}]})
    assert selectors.current_names(claro, "PLANS") == ["Max 39.90", "Max 69.90"]
    assert selectors.current_names(movistar, "PLANS") == ["Ilimitado 49.90"]
    page = web_admin(movistar).get("/operadora/informacion/").content.decode()
    assert "Ilimitado 49.90" in page and "Max 39.90" not in page


def test_only_the_operator_administrator_keeps_the_information(claro, citizen):
    agent = Client()
    agent.force_login(make_operator_agent(claro))
    assert agent.get("/operadora/informacion/").status_code == 403
    assert agent.post("/operadora/informacion/PLANS/", {"plans-items": "X"}).status_code == 403
    assert not InfoList.objects.exists()
    # Without an operator key, the API refuses.
    assert put(Api(), "PLANS", {"items": PLANS}).status_code == 401


# --- the choices anyone can read -------------------------------------------------------------


def test_the_public_choices_of_an_operator(claro, anon_api):
    put(operator_api(claro), "PACKAGES", {"items": [{"name": "Claro Música"}]})
    body = anon_api.get("/api/v1/public/operators/claro/information/PACKAGES").json()
    assert body["items"] == ["Claro Música"] and body["version"] == 1
    empty = anon_api.get("/api/v1/public/operators/CLARO/information/PLANS").json()
    assert empty["items"] == [] and empty["version"] is None
    problem = problem_of(anon_api.get("/api/v1/public/operators/NADA/information/PLANS"), 422)
    assert field_errors(problem) == {"code": "Operadora desconocida."}


# --- the regulator sees who is stale ---------------------------------------------------------


def full_lists(operator):
    api = operator_api(operator)
    for kind in ("PLANS", "PACKAGES", "RECHARGE_CHANNELS", "POINTS_OF_SALE"):
        assert put(api, kind, {"items": [{"name": f"{kind} 1"}]}).status_code == 201


def test_the_regulator_sees_when_each_operator_updated_and_who_is_stale(claro, movistar, clock):
    full_lists(movistar)
    clock.shift(timedelta(days=100))
    full_lists(claro)
    api = Api(staff_token(regulator()))
    body = api.get("/api/v1/staff/operator-information").json()
    assert body["stale_days"] == 90
    by_code = {r["operator"]: r for r in body["items"]}
    assert by_code["CLARO"]["stale"] is False
    assert by_code["MOVISTAR"]["stale"] is True  # replaced 100 days ago
    assert by_code["ENTEL"]["stale"] is True and by_code["ENTEL"]["last_updated"] is None
    assert all(k["current_items"] == 1 for k in by_code["MOVISTAR"]["lists"])
    # A wider age: Movistar is current again.
    wider = api.get("/api/v1/staff/operator-information?stale_days=120").json()
    assert {r["operator"]: r["stale"] for r in wider["items"]}["MOVISTAR"] is False

    web = Client()
    web.force_login(
        accounts.create_staff_user(
            email="orientadora@regulador.gob.pe",
            password=PASSWORD,
            role=Role.REGULATOR_AGENT,
            first_name="Olga",
            last_name="Orientadora",
        )
    )
    page = web.get("/regulador/informacion-operadoras/").content.decode()
    assert "Desactualizada" in page and "Claro" in page and "nunca" in page


def test_the_stale_age_setting_is_configurable(claro, settings, clock):
    full_lists(claro)
    clock.shift(timedelta(days=10))
    settings.SGU = {**settings.SGU, "OPERATOR_INFO_STALE_DAYS": 7}
    rows = {f.operator.code: f for f in selectors.info_freshness()}
    assert rows["CLARO"].stale and rows["CLARO"].stale_kinds == [
        "planes",
        "paquetes y servicios adicionales",
        "canales de recarga",
        "puntos de venta",
    ]


@pytest.mark.parametrize("value", ["0", "abc", "99999"])
def test_a_bad_stale_age_is_refused_alike(catalog, value):
    user = regulator()
    api = Api(staff_token(user))
    problem = problem_of(api.get(f"/api/v1/staff/operator-information?stale_days={value}"), 422)
    message = "Indique una antigüedad de 1 a 3650 días."
    assert field_errors(problem) == {"stale_days": message}
    web = Client()
    web.force_login(user)
    page = web.get(f"/regulador/informacion-operadoras/?stale_days={value}")
    assert page.status_code == 422 and message in page.content.decode()


def test_operators_and_citizens_do_not_see_the_regulator_view(claro, citizen):
    assert operator_api(claro).get("/api/v1/staff/operator-information").status_code == 401
    problem = problem_of(citizen_api(citizen).get("/api/v1/staff/operator-information"), 403)
    assert problem["detail"] == "Esta operación es para el personal del regulador."
    web = Client()
    web.force_login(make_admin(claro))
    assert web.get("/regulador/informacion-operadoras/").status_code == 403


def test_the_demo_has_current_and_stale_operators_and_asks_for_the_lists(catalog):
    from sgu.catalog.models import SubcategoryField
    from sgu.site.demo_opinfo import load_operator_info_demo

    load_operator_info_demo()
    load_operator_info_demo()  # idempotent
    rows = {f.operator.code: f for f in selectors.info_freshness()}
    assert not rows["CLARO"].stale and not rows["MOVISTAR"].stale
    assert rows["ENTEL"].stale and rows["BITEL"].stale_kinds == ["puntos de venta"]
    assert InfoList.objects.filter(operator__code="CLARO", kind="PLANS").count() == 2
    assert "Max 69.90" in selectors.current_names(rows["CLARO"].operator, "PLANS")
    opinfo = dict(SubcategoryField.objects.filter(type="OPINFO").values_list("name", "info_kind"))
    assert opinfo == {
        "plan_destino": "PLANS",
        "servicio": "PACKAGES",
        "medio_recarga": "RECHARGE_CHANNELS",
        "punto_venta": "POINTS_OF_SALE",
    }
