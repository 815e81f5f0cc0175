"""The public status lookup of a case (API and page): the case code and the document of the
citizen who reported it must both match; nothing else is shown; the same 404 whichever part
is wrong; rate-limited per IP against enumeration."""

import re

import pytest
from django.test import Client

from factories import (
    NothingWritten,
    field_errors,
    lima,
    make_citizen,
    problem_of,
    register_case,
    solution_input,
)
from sgu.cases import services
from sgu.cases.public_selectors import LOOKUP_NOT_FOUND
from sgu.cases.workflow import Actor
from sgu.core.principal import Principal

pytestmark = pytest.mark.django_db

PAGE = "/consulta/caso/"


def status_url(code: str, document: str = "") -> str:
    return f"/api/v1/public/cases/{code}/status?document_number={document}"


@pytest.fixture
def cases(catalog):
    """Two citizens, one case each. Ana's was registered Monday 2 March 2026 10:00 (Lima) and
    is due Tuesday 3 March 23:59:59 (1 business day); Luis has not confirmed his email, so
    his case is not forwarded yet (no plazo)."""
    ana = make_citizen(document_number="41234567", first_name="Ana")
    luis = make_citizen(document_number="07654321", first_name="Luis", verified=False)
    return {
        "ana": ana,
        "luis": luis,
        "ana_case": register_case(ana, now=lima(2026, 3, 2, 10)),
        "luis_case": register_case(luis, now=lima(2026, 3, 2, 11)),
    }


@pytest.fixture
def limit(settings):
    def set_limit(n: int) -> None:
        settings.SGU = {
            **settings.SGU,
            "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "case_lookup": (n, 60)},
        }

    return set_limit


def test_code_and_document_give_the_status_and_nothing_else(cases, anon_api):
    case = cases["ana_case"]

    response = anon_api.get(status_url(case.code.lower(), "41234567"))

    assert response.status_code == 200
    assert response.json() == {
        "code": case.code,
        "state": "FORWARDED",
        "state_label": "Trasladado a la operadora",
        "state_explanation": "El caso está en la operadora, que debe responder antes de que "
        "venza el plazo.",
        "operator": "CLARO",
        "operator_name": "Claro (América Móvil Perú)",
        "registered_at": "2026-03-02T15:00:00Z",
        "due_at": "2026-03-04T04:59:59Z",
    }


def test_a_case_not_yet_forwarded_has_no_plazo(cases, anon_api):
    body = anon_api.get(status_url(cases["luis_case"].code, "07654321")).json()

    assert (body["state"], body["due_at"]) == ("REGISTERED", None)


def test_the_state_follows_the_case(cases, anon_api):
    case = cases["ana_case"]
    services.acknowledge_case(
        case=case,
        by=Principal(actor_role=Actor.OPERATOR, operator=case.operator),
        now=lima(2026, 3, 2, 12),
    )

    body = anon_api.get(status_url(case.code, "41234567")).json()

    assert (body["state"], body["state_label"]) == ("IN_PROGRESS", "En atención")


def test_a_dni_typed_with_dots_or_its_check_character_matches(cases, anon_api):
    code = cases["ana_case"].code
    # The DNI 41234567's check character is 9 (or C, its letter form).
    assert anon_api.get(status_url(code, "41234567-9")).status_code == 200
    assert anon_api.get(status_url(code, "41.234.567")).status_code == 200


@pytest.mark.parametrize(
    ("which", "document"),
    [
        ("ana_case", "41234568"),  # the wrong document
        ("ana_case", "07654321"),  # another citizen's document
        ("luis_case", "41234567"),  # another citizen's case with one's own document
        ("SGU-2026-9999999", "41234567"),  # a code that does not exist
        ("ana_case", "4123456789012345"),  # too long to be a document
        ("SGU-2026-0000001'--", "41234567"),
    ],
)
def test_anything_but_both_matching_is_the_same_404(cases, anon_api, which, document):
    code = cases[which].code if which in cases else which

    problem = problem_of(anon_api.get(status_url(code, document)), 404)

    assert problem["detail"] == LOOKUP_NOT_FOUND
    assert problem["errors"] == []


@pytest.mark.parametrize("which", ["ana_case", "SGU-2026-9999999"])
def test_a_nul_byte_is_refused_the_same_whether_the_case_exists_or_not(cases, anon_api, which):
    # NUL bytes never reach PostgreSQL (core.refusals): a 422 naming the field, before any
    # lookup, so it tells nothing about the case.
    code = cases[which].code if which in cases else which

    problem = problem_of(anon_api.get(status_url(code, "41234567%00")), 422)

    assert list(field_errors(problem)) == ["document_number"]
    assert "carácter nulo" in problem["detail"]


def test_a_missing_document_is_named(cases, anon_api):
    problem = problem_of(anon_api.get(status_url(cases["ana_case"].code)), 422)

    assert field_errors(problem) == {"document_number": "Ingrese el número de documento."}


def test_the_lookup_is_rate_limited_per_ip_with_a_spanish_429(cases, anon_api, limit):
    limit(3)
    good = status_url(cases["ana_case"].code, "41234567")
    wrong = status_url(cases["ana_case"].code, "11111111")
    assert anon_api.get(wrong).status_code == 404
    assert anon_api.get(wrong).status_code == 404
    assert anon_api.get(good).status_code == 200

    refused = anon_api.get(good)

    problem = problem_of(refused, 429)
    assert problem["title"] == "Demasiadas solicitudes"
    assert re.fullmatch(
        r"Demasiadas solicitudes\. Intente nuevamente en \d+ segundos\.", problem["detail"]
    )
    assert int(refused["Retry-After"]) > 0
    assert anon_api.get(good, REMOTE_ADDR="10.0.0.8").status_code == 200  # another address


def test_a_lookup_changes_nothing(cases, anon_api):
    with NothingWritten():
        anon_api.get(status_url(cases["ana_case"].code, "41234567"))
        anon_api.get(status_url(cases["ana_case"].code, "1"))


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_the_state_in_words_after_a_post(cases):
    client = Client()
    page = client.get(PAGE)
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    case = cases["ana_case"]
    services.record_solution(
        case=case,
        data=solution_input(executed_at=lima(2026, 3, 3).date()),
        by=Principal(actor_role=Actor.OPERATOR, operator=case.operator),
        now=lima(2026, 3, 3, 9),
    )

    found = client.post(PAGE, {"code": case.code.lower(), "document_number": "41234567"})

    html = found.content.decode()
    assert found.status_code == 200
    assert case.code in html and "Atendido" in html
    assert "La operadora respondió. Ingrese a su cuenta para ver la respuesta" in html
    assert "Claro (América Móvil Perú)" in html
    assert "02/03/2026 10:00" in html  # registered, Lima time
    assert "03/03/2026 23:59" in html  # plazo
    assert "41234567" not in html  # the document is not echoed back
    assert "Ana" not in html.split("</form>")[-1]  # nor the citizen's name


def test_the_page_says_overdue_once_the_plazo_has_passed(cases):
    html = (
        Client()
        .post(PAGE, {"code": cases["ana_case"].code, "document_number": "41234567"})
        .content.decode()
    )

    # Registered in March 2026 and never answered: its plazo has long passed.
    assert "Vencido" in html and "Venció el plazo sin respuesta" in html


def test_the_page_says_not_found_without_telling_which_part(cases):
    response = Client().post(PAGE, {"code": cases["luis_case"].code, "document_number": "41234567"})

    assert response.status_code == 404
    html = response.content.decode()
    assert LOOKUP_NOT_FOUND in html
    assert "Registrado" not in html.split("</form>")[-1]


def test_the_page_names_missing_data(cases):
    response = Client().post(PAGE, {"code": "", "document_number": ""})

    assert response.status_code == 422
    html = response.content.decode()
    assert "Ingrese el código del caso." in html and "Ingrese el número de documento." in html
    assert Client().post(PAGE, {}).status_code == 422  # a POST with no fields at all


def test_the_page_is_rate_limited_too(cases, limit):
    limit(1)
    client = Client()
    data = {"code": cases["ana_case"].code, "document_number": "41234567"}
    assert client.post(PAGE, data).status_code == 200

    refused = client.post(PAGE, data)

    assert refused.status_code == 429
    assert "Demasiadas solicitudes" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_visitors_reach_the_lookup_from_the_home_page_and_the_footer(catalog):
    html = Client().get("/").content.decode()

    assert html.count(f'href="{PAGE}"') == 2
