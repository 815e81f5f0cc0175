"""The citizen site as an installable app (instructivo, punto iii: «aplicativo móvil»): its
manifest, icons and service worker; the report form files a report once per idempotency key
(a report kept offline and sent again is one case); cases from the installed app or from the
regulator's registered app client are recorded with channel APP and counted as such."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from factories import NothingWritten, case_form, case_payload, citizen_api, field_errors, problem_of
from sgu.cases.models import Case, Channel
from sgu.core.models import IdempotencyRecord
from sgu.reporting.selectors import Filters, breakdown

pytestmark = pytest.mark.django_db

NEW = "/casos/nuevo/"
STATIC = Path(django_settings.BASE_DIR) / "static"


@pytest.fixture
def web(citizen):
    client = Client()
    client.force_login(citizen)
    return client


# --- installable -----------------------------------------------------------------------------


def test_the_manifest_makes_the_citizen_site_an_app_in_spanish(catalog):
    response = Client().get("/casos/app.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["lang"] == "es-PE" and manifest["display"] == "standalone"
    assert manifest["name"].startswith("SGU — Reportar un problema")
    assert manifest["scope"] == "/casos/" and manifest["start_url"] == "/casos/nuevo/?canal=app"
    sizes = {i["sizes"] for i in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        png = STATIC / icon["src"].removeprefix("/static/")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", icon
        width, height = (
            int.from_bytes(png.read_bytes()[16:20]),
            int.from_bytes(png.read_bytes()[20:24]),
        )
        assert f"{width}x{height}" == icon["sizes"]


def test_every_page_links_the_manifest(web):
    assert '<link rel="manifest" href="/casos/app.webmanifest">' in web.get(NEW).content.decode()


def test_the_service_worker_is_served_at_the_scope_root_under_the_csp(catalog):
    response = Client().get("/casos/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/casos/"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    config = json.loads(body.split("var CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["scope"] == "/casos/" and config["keep"] == ["/casos/nuevo/"]
    # Everything it keeps exists: a missing file would make its installation fail.
    client = Client()
    for url in config["shell"]:
        assert client.get(url).status_code == 200, url


def test_the_offline_page_needs_no_session_and_shows_no_personal_data(web, citizen):
    assert Client().get("/casos/sin-conexion/").status_code == 200
    # The worker fetches it with the citizen's cookies: still nothing of theirs on it.
    page = web.get("/casos/sin-conexion/")
    html = page.content.decode()
    assert "Sin conexión" in html
    assert citizen.email not in html and citizen.first_name not in html


# --- one report, one case ----------------------------------------------------------------------


def test_the_form_carries_a_fresh_idempotency_key(web):
    first = web.get(NEW).context["form"].initial["idempotency_key"]
    second = web.get(NEW).context["form"].initial["idempotency_key"]
    assert first and second and first != second


def test_a_report_sent_twice_with_its_key_is_filed_once(web, citizen):
    data = case_form(idempotency_key="a1b2c3")
    first = web.post(NEW, data)
    assert first.status_code == 302
    case = Case.objects.get()
    again = web.post(NEW, data, follow=True)
    assert Case.objects.count() == 1
    assert again.redirect_chain[-1][0] == f"/casos/{case.code}/"
    assert f"Este reporte ya estaba registrado como el caso {case.code}" in again.content.decode()


def test_the_web_form_and_the_api_share_the_key_space_of_the_citizen(web, citizen):
    web.post(NEW, case_form(idempotency_key="same-key"))
    # The API with the same key for another request: 409, as the API answers any reuse.
    api = citizen_api(citizen)
    with NothingWritten():
        problem = problem_of(
            api.post("/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="same-key"), 409
        )
    assert "Idempotency-Key" in problem["detail"]
    assert Case.objects.count() == 1


def test_the_same_key_with_other_content_files_nothing_and_says_so(web):
    web.post(NEW, case_form(idempotency_key="k-9"))
    with NothingWritten():
        page = web.post(
            NEW, case_form(idempotency_key="k-9", description="Otro problema distinto al primero.")
        )
    assert page.status_code == 409
    html = page.content.decode()
    assert "Este formulario ya se envió antes con otros datos" in html
    assert 'value="k-9"' not in html  # a fresh key to send this one


def test_a_refused_report_does_not_use_up_its_key(web):
    assert web.post(NEW, case_form(idempotency_key="k-1", description="corto")).status_code == 422
    assert not IdempotencyRecord.objects.exists()
    assert web.post(NEW, case_form(idempotency_key="k-1")).status_code == 302
    assert Case.objects.count() == 1


def test_an_overlong_key_is_refused_like_the_api_does(web):
    with NothingWritten():
        page = web.post(NEW, case_form(idempotency_key="k" * 201))
    assert page.status_code == 422
    assert "admite hasta 200 caracteres" in page.content.decode()


# --- channel APP -------------------------------------------------------------------------------


def test_the_installed_app_opens_the_form_marked_as_app(web):
    page = web.get(NEW + "?canal=app").content.decode()
    assert 'name="channel" value="APP"' in page
    assert 'name="channel"' in web.get(NEW).content.decode()
    assert 'value="APP"' not in web.get(NEW).content.decode()


def test_a_report_from_the_app_is_recorded_and_counted_as_app(web, citizen):
    assert web.post(NEW, case_form(channel="APP")).status_code == 302
    assert (
        web.post(NEW, case_form(description="Segundo problema, esta vez por la web.")).status_code
        == 302
    )
    assert sorted(Case.objects.values_list("channel", flat=True)) == [Channel.APP, Channel.WEB]
    today = timezone.localdate()
    rows = {r["key"]: r for r in breakdown(Filters(today, today), "canal")}
    assert rows["APP"]["cases"] == 1 and rows["APP"]["label"] == "Aplicativo"
    assert rows["WEB"]["cases"] == 1


@pytest.mark.parametrize("value", ["PRESENCIAL", "TELEFONICO", "SMS"])
def test_a_citizen_cannot_claim_another_channel(web, value):
    with NothingWritten():
        page = web.post(NEW, case_form(channel=value))
    assert page.status_code == 422 and "Canal no válido." in page.content.decode()


def test_the_regulators_registered_app_client_files_as_app(citizen, settings):
    settings.SGU = {**settings.SGU, "APP_CLIENT_IDS": ["sgu-app-android-1"]}
    api = citizen_api(citizen)
    ok = api.post("/api/v1/cases", case_payload(), HTTP_X_SGU_CLIENT="sgu-app-android-1")
    assert ok.status_code == 201 and ok.json()["channel"] == "APP"
    plain = api.post("/api/v1/cases", case_payload())
    assert plain.status_code == 201 and plain.json()["channel"] == "WEB"
    with NothingWritten():
        problem = problem_of(
            api.post("/api/v1/cases", case_payload(), HTTP_X_SGU_CLIENT="mi-app-pirata"), 422
        )
    assert field_errors(problem) == {
        "X-SGU-Client": "Cliente no registrado como aplicativo del regulador."
    }
    assert Case.objects.filter(channel=Channel.APP).count() == 1
