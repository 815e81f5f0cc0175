"""Catalog API (docs/api.md "Catalog"): public, the shape the operators' and app's clients parse."""

import pytest

from factories import Api, field_errors, problem_of
from sgu.catalog.models import Operator, Service, Subcategory

pytestmark = pytest.mark.django_db

OPERATORS = "/api/v1/catalog/operators"
SUBCATEGORIES = "/api/v1/catalog/subcategories"

# DOMAIN §4, móvil at launch: 13 subcategories.
MOVIL_CODES = {
    "linea-bloqueada-sin-causa",
    "no-desbloquean",
    "baja-no-ejecutada",
    "migracion-no-ejecutada",
    "cobro-no-reconocido-menor",
    "cobro-no-reconocido-mayor",
    "recarga-no-acreditada",
    "servicio-no-solicitado",
    "portabilidad-rechazada",
    "sin-senal",
    "chip-o-titular-no-solicitado",
    "sin-codigo",
    "info-reclamo",
    "recibo-en-disputa",
}


def test_given_no_credentials_when_listing_operators_then_the_four_big_operators_by_name(catalog):
    response = Api().get(OPERATORS)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == [
        {"code": "BITEL", "name": "Bitel (Viettel Perú)"},
        {"code": "CLARO", "name": "Claro (América Móvil Perú)"},
        {"code": "ENTEL", "name": "Entel Perú"},
        {"code": "MOVISTAR", "name": "Movistar (Telefónica del Perú)"},
    ]


def test_given_an_inactive_operator_when_listing_then_it_is_not_offered(catalog):
    Operator.objects.filter(code="ENTEL").update(active=False)

    codes = [o["code"] for o in Api().get(OPERATORS).json()]

    assert codes == ["BITEL", "CLARO", "MOVISTAR"]


def test_given_service_movil_when_listing_subcategories_then_each_has_the_contract_shape(catalog):
    response = Api().get(SUBCATEGORIES, QUERY_STRING="service=MOVIL")

    assert response.status_code == 200
    items = response.json()
    assert {s["code"] for s in items} == MOVIL_CODES
    for s in items:
        assert {
            "code",
            "category",
            "name",
            "service",
            "deadline",
            "claimable",
            "claim_deadline_days",
            "suspends_payments",
            "claim_elsewhere",
            "fields",
        } <= set(s), s
        assert s["service"] == "MOVIL"
        assert s["deadline"]["unit"] in {"BUSINESS_DAYS", "BUSINESS_HOURS"}
        assert isinstance(s["deadline"]["amount"], int) and s["deadline"]["amount"] >= 1
        assert (s["claim_deadline_days"] is not None) is s["claimable"]
        for f in s["fields"]:
            assert {"name", "label", "type", "required", "choices"} <= set(f)


def test_given_the_recharge_subcategory_when_listed_then_plazo_claim_and_fields_are_as_configured(
    catalog,
):
    items = {s["code"]: s for s in Api().get(SUBCATEGORIES + "?service=MOVIL").json()}

    recarga = items["recarga-no-acreditada"]
    assert recarga["category"] == "Recargas"
    assert recarga["name"] == "Recarga no acreditada / saldo descontado"
    assert recarga["deadline"] == {"amount": 1, "unit": "BUSINESS_DAYS"}
    assert recarga["claimable"] is True
    assert recarga["claim_deadline_days"] == 15
    assert [(f["name"], f["type"], f["required"]) for f in recarga["fields"]] == [
        ("monto_recarga", "MONEY", True),
        ("fecha_recarga", "DATE", True),
        ("medio_recarga", "CHOICE", True),
    ]
    assert recarga["fields"][2]["choices"] == [
        "Bodega o agente",
        "Aplicativo de la operadora",
        "Banca por internet",
        "Tarjeta física",
        "Otro",
    ]
    assert recarga["fields"][0]["choices"] == []

    migracion = items["migracion-no-ejecutada"]
    assert migracion["deadline"] == {"amount": 2, "unit": "BUSINESS_DAYS"}
    assert migracion["claim_deadline_days"] == 20

    sin_codigo = items["sin-codigo"]
    assert sin_codigo["claimable"] is False
    assert sin_codigo["claim_deadline_days"] is None
    assert items["info-reclamo"]["fields"] == []


def test_given_a_service_not_launched_yet_when_listing_then_empty(catalog):
    assert Service.objects.get(code="FIJO").active is False

    response = Api().get(SUBCATEGORIES + "?service=FIJO")

    assert response.status_code == 200
    assert response.json() == []


def test_given_an_inactive_subcategory_when_listing_then_it_is_hidden(catalog):
    Subcategory.objects.filter(code="sin-senal").update(active=False)

    codes = {s["code"] for s in Api().get(SUBCATEGORIES).json()}

    assert codes == MOVIL_CODES - {"sin-senal"}


def test_given_an_unknown_service_when_listing_then_422_in_spanish(catalog):
    body = problem_of(Api().get(SUBCATEGORIES + "?service=SATELITAL"), 422)

    assert field_errors(body) == {
        "service": "Valor no permitido; use 'MOVIL', 'FIJO', 'INTERNET' o 'TV'."
    }


def test_given_the_openapi_schema_when_fetched_then_catalog_paths_are_documented(catalog):
    schema = Api().get("/api/v1/openapi.json").json()

    assert "/api/v1/catalog/operators" in schema["paths"]
    assert "/api/v1/catalog/subcategories" in schema["paths"]


def test_a_matter_implying_suspension_of_payments_says_so_and_where_to_file(catalog):
    items = {s["code"]: s for s in Api().get(SUBCATEGORIES).json()}

    disputed = items["recibo-en-disputa"]
    assert disputed["claimable"] is True and disputed["suspends_payments"] is True
    assert disputed["claim_elsewhere"].startswith("Presente el reclamo directamente ante su")
    assert items["recarga-no-acreditada"]["suspends_payments"] is False
