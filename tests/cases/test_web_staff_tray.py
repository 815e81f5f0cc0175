"""The regulator's tracking tray: every operator's cases, filters, exact-match search,
keyset pagination (API and HTMX), saved views, and who may see it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from factories import (
    Api,
    make_citizen,
    make_operator_agent,
    make_regulator,
    overdue_case,
    problem_of,
    register_case,
    staff_token,
    text,
)
from sgu.accounts import services as accounts
from sgu.cases.models import SavedTrayView

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/cases"
TRAY = "/regulador/bandeja/"


def staff_api(user) -> Api:
    return Api(staff_token(user))


@pytest.fixture
def regulator(catalog):
    return make_regulator()


@pytest.fixture
def cases(catalog):
    ana = make_citizen(document_number="40000001")
    beto = make_citizen(document_number="40000002")
    a = register_case(ana, operator="CLARO")
    b = register_case(beto, operator="MOVISTAR", service_number="912345678")
    c = overdue_case(beto, operator="CLARO")
    return a, b, c


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {i["code"] for i in response.json()["items"]}


def test_api_tray_shows_every_operator_and_filters(regulator, cases):
    a, b, c = cases
    api = staff_api(regulator)
    assert codes(api.get(URL)) == {a.code, b.code, c.code}
    assert codes(api.get(URL + "?operator=MOVISTAR")) == {b.code}
    assert codes(api.get(URL + "?overdue=true")) == {c.code}
    assert codes(api.get(URL + "?overdue=false")) == {a.code, b.code}
    assert codes(api.get(URL + "?state=OVERDUE&operator=CLARO")) == {c.code}
    assert codes(api.get(URL + "?channel=PRESENCIAL")) == set()
    assert codes(api.get(URL + "?service=MOVIL&subcategory=recarga-no-acreditada")) == {
        a.code,
        b.code,
        c.code,
    }
    today = timezone.localdate().isoformat()
    assert codes(api.get(URL + f"?registered_from={today}")) == {a.code, b.code}
    old = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert codes(api.get(URL + f"?registered_to={old}")) == {c.code}


def test_free_text_is_an_exact_match_on_code_line_or_document(regulator, cases):
    a, b, c = cases
    api = staff_api(regulator)
    assert codes(api.get(URL + f"?q={a.code.lower()}")) == {a.code}
    assert codes(api.get(URL + "?q=912345678")) == {b.code}
    assert codes(api.get(URL + "?q=40000002")) == {b.code, c.code}
    assert codes(api.get(URL + "?q=4000000")) == set()  # not a LIKE


def test_api_tray_pages_with_a_cursor(regulator, cases):
    api = staff_api(regulator)
    first = api.get(URL + "?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = api.get(URL + f"?limit=2&cursor={first['next_cursor']}").json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    seen = {i["code"] for i in first["items"] + rest["items"]}
    assert len(seen) == 3


def test_api_tray_rejects_bad_filters_in_spanish(regulator, catalog):
    body = problem_of(staff_api(regulator).get(URL + "?state=NOPE&registered_from=ayer"), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"state", "registered_from"}


def test_operators_and_citizens_cannot_reach_the_tray(claro, citizen, cases, anon_api):
    problem_of(staff_api(citizen).get(URL), 403)
    raw, _ = accounts.create_operator_key(operator=claro, name="x")
    problem_of(Api(raw).get(URL), 401)
    problem_of(anon_api.get(URL), 401)
    client = Client()
    for user in (citizen, make_operator_agent(claro)):
        client.force_login(user)
        assert client.get(TRAY).status_code == 403


def test_web_tray_page_fragment_and_saved_views(regulator, cases):
    a, b, c = cases
    client = Client()
    client.force_login(regulator)
    page = client.get(TRAY + "?overdue=si")
    assert page.status_code == 200
    assert c.code in text(page) and a.code not in text(page)
    fragment = client.get(TRAY + "?operator=MOVISTAR", HTTP_HX_REQUEST="true")
    assert b.code in text(fragment) and "<html" not in fragment.content.decode()
    saved = client.post(
        "/regulador/bandeja/vistas/", {"name": "vencidos de hoy", "query": "overdue=si"}
    )
    assert saved.status_code == 302 and saved["Location"].endswith("?overdue=si")
    view = SavedTrayView.objects.get(user=regulator)
    assert view.name == "vencidos de hoy"
    assert "vencidos de hoy" in text(client.get(TRAY))
    # Another regulator does not see it, and cannot delete it.
    other = make_regulator()
    client.force_login(other)
    assert "vencidos de hoy" not in text(client.get(TRAY))
    client.post(f"/regulador/bandeja/vistas/{view.pk}/borrar/")
    assert SavedTrayView.objects.filter(pk=view.pk).exists()
    client.force_login(regulator)
    client.post(f"/regulador/bandeja/vistas/{view.pk}/borrar/")
    assert not SavedTrayView.objects.exists()


def test_web_tray_paginates_with_htmx(regulator, catalog):
    person = make_citizen()
    for _ in range(27):
        register_case(person)
    client = Client()
    client.force_login(regulator)
    page = client.get(TRAY)
    assert "Ver más casos" in text(page)
    html = page.content.decode()
    import html as html_lib
    import re

    link = html_lib.unescape(re.search(r'hx-get="(/regulador/bandeja/\?[^"]+)"', html).group(1))
    more = client.get(link, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    assert more.content.decode().count('class="code"') == 2
