"""The citizen's form offers the chosen operator's current lists where a problem asks for them
(the plan a migration was asked for), with «Otro» as the way out; the service checks the
choice against that operator's list, with the same Spanish message on the web and the API."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from factories import (
    case_payload,
    citizen_api,
    error_of,
    field_errors,
    operator_principal,
    problem_of,
)
from sgu.cases.models import Case
from sgu.catalog.models import FieldType, SubcategoryField
from sgu.operators import services as operators
from sgu.site.demo_opinfo import ask_for_lists

pytestmark = pytest.mark.django_db

NEW = "/casos/nuevo/"
CLARO_PLANS = ["Max 39.90", "Max 69.90"]
MOVISTAR_PLANS = ["Ilimitado 49.90"]


@pytest.fixture
def lists(claro, movistar):
    ask_for_lists()  # plan_destino of a migration offers the operator's plans
    for operator, names in ((claro, CLARO_PLANS), (movistar, MOVISTAR_PLANS)):
        operators.replace_info(
            operator=operator,
            kind="PLANS",
            items=[operators.InfoItemInput(name=n) for n in names],
            by=operator_principal(operator),
        )


def migration(plan, operator="CLARO", **extra) -> dict:
    return case_payload(
        operator=operator,
        subcategory="migracion-no-ejecutada",
        description="Pedí migrar de plan hace dos semanas y sigo con el plan anterior.",
        fields={"codigo_pedido": "MIG-2026-1", "plan_destino": plan, **extra},
    )


def web_form(plan, operator="CLARO", **extra) -> dict:
    body = migration(plan, operator, **extra)
    data = {k: body[k] for k in ("operator", "subcategory", "service_number", "description")}
    data.update({f"fields.{k}": v for k, v in body["fields"].items()})
    return data


def test_the_field_is_configured_as_the_operators_plans(lists):
    field = SubcategoryField.objects.get(name="plan_destino")
    assert (field.type, field.info_kind) == (FieldType.OPERATOR_INFO, "PLANS")


def test_a_plan_of_the_chosen_operator_is_accepted(lists, citizen):
    response = citizen_api(citizen).post("/api/v1/cases", migration("Max 69.90"))
    assert response.status_code == 201, response.content
    assert Case.objects.get().fields["plan_destino"] == "Max 69.90"


def test_another_operators_plan_is_refused_alike_on_web_and_api(lists, citizen):
    message = (
        "«Plan al que pidió migrar»: elija una de las opciones que informó la operadora, u "
        "«otro» y escriba cuál es."
    )
    problem = problem_of(
        citizen_api(citizen).post("/api/v1/cases", migration("Ilimitado 49.90")), 422
    )
    assert field_errors(problem)["fields.plan_destino"] == message
    web = Client()
    web.force_login(citizen)
    page = web.post(NEW, web_form("Ilimitado 49.90"))
    assert page.status_code == 422
    assert error_of(page, "id_fields.plan_destino") == message
    assert not Case.objects.exists()


def test_otro_takes_the_citizens_words(lists, citizen):
    api = citizen_api(citizen)
    problem = problem_of(api.post("/api/v1/cases", migration("otro")), 422)
    missing = "«Plan al que pidió migrar»: escriba cuál es, en «Otro»."
    assert field_errors(problem)["fields.plan_destino"] == missing
    web = Client()
    web.force_login(citizen)
    assert error_of(web.post(NEW, web_form("otro")), "id_fields.plan_destino") == missing

    response = web.post(NEW, web_form("otro", plan_destino__otro="Plan Max Negocios 129"))
    assert response.status_code == 302
    assert Case.objects.get().fields["plan_destino"] == "Otro: Plan Max Negocios 129"


def test_the_form_offers_the_chosen_operators_plans_and_otro(lists, citizen):
    web = Client()
    web.force_login(citizen)
    fragment = web.get(
        "/casos/nuevo/campos/",
        {"operator": "MOVISTAR", "subcategory": "migracion-no-ejecutada"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Ilimitado 49.90" in fragment and "Max 39.90" not in fragment
    assert 'value="otro"' in fragment and 'name="fields.plan_destino__otro"' in fragment
    # Without JavaScript: the "show the fields" button brings the same choices.
    page = web.post(NEW, {**web_form(""), "show_fields": "1"}).content.decode()
    assert "Max 39.90" in page and "Ilimitado 49.90" not in page
    # What was typed in the extra fields comes back when the operator changes (HTMX).
    again = web.get(
        "/casos/nuevo/campos/",
        {
            "operator": "CLARO",
            "subcategory": "migracion-no-ejecutada",
            "fields.codigo_pedido": "MIG-77",
        },
    ).content.decode()
    assert 'value="MIG-77"' in again


def test_a_plan_no_longer_current_is_refused(lists, citizen, claro, clock):
    operators.replace_info(
        operator=claro,
        kind="PLANS",
        items=[operators.InfoItemInput(name="Max 79.90")],
        valid_from=timezone.localdate() + timedelta(days=1),
        by=operator_principal(claro),
    )
    api = citizen_api(citizen)
    assert api.post("/api/v1/cases", migration("Max 79.90")).status_code == 422
    clock.shift(timedelta(days=1))
    api = citizen_api(citizen)  # a token lasts hours, not days
    assert api.post("/api/v1/cases", migration("Max 39.90")).status_code == 422
    assert api.post("/api/v1/cases", migration("Max 79.90")).status_code == 201


def test_an_operator_without_a_list_offers_only_otro(lists, citizen):
    api = citizen_api(citizen)
    assert api.post("/api/v1/cases", migration("Max 39.90", operator="ENTEL")).status_code == 422
    ok = api.post("/api/v1/cases", migration("otro", operator="ENTEL", plan_destino__otro="X"))
    assert ok.status_code == 201


@pytest.mark.parametrize("bad", [123, ["Max 39.90"], {"a": 1}, True])
def test_a_value_that_is_not_text_is_a_problem_not_an_error(lists, citizen, bad):
    problem = problem_of(citizen_api(citizen).post("/api/v1/cases", migration(bad)), 422)
    assert field_errors(problem)["fields.plan_destino"].startswith("«Plan al que pidió migrar»")
