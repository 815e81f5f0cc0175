"""The public suggestion form and the regulator's pages (scoped by area), isolation."""

import pytest
from django.test import Client

from factories import error_of, make_citizen, make_operator_agent, make_regulator, text
from sgu.suggestions.models import Suggestion, SuggestionState
from suggestions.helpers import TEXT, area, map_topic, member, submit

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def areas(db):
    web = area("SOPORTE-TI", "Soporte técnico", 3)
    users = area("USUARIOS", "Protección de usuarios")
    map_topic("sitio-web", web)
    return {"web": web, "users": users}


def test_anyone_sends_a_suggestion_from_the_footer_link(areas):
    web = Client()
    home = web.get("/")
    assert 'href="/sugerencias/"' in home.content.decode()

    response = web.post(
        "/sugerencias/", {"email": "rosa@example.pe", "text": TEXT, "topic": "sitio-web"}
    )

    assert response.status_code == 302 and response["Location"] == "/sugerencias/enviada/"
    s = Suggestion.objects.get()
    assert s.code in text(web.get("/sugerencias/enviada/"))
    assert s.area == areas["web"] and s.channel == "WEB"


def test_a_signed_in_citizen_finds_the_form_prefilled(areas):
    citizen = make_citizen()
    web = login(citizen)

    html = web.get("/sugerencias/").content.decode()
    assert f'value="{citizen.email}"' in html and 'value="Ana Pérez Rojas"' in html
    web.post("/sugerencias/", {"name": "Ana", "email": citizen.email, "text": TEXT})
    assert Suggestion.objects.get().citizen == citizen


def test_bad_input_on_the_form_is_shown_in_spanish_and_nothing_is_written(areas):
    response = Client().post("/sugerencias/", {"email": "", "text": "no"})

    assert response.status_code == 422
    assert error_of(response, "id_email") == (
        "Escriba su correo electrónico: le enviaremos ahí la respuesta."
    )
    assert error_of(response, "id_text") == "Escriba su sugerencia (al menos 10 caracteres)."
    assert Suggestion.objects.count() == 0


def test_the_form_is_rate_limited(areas, settings):
    settings.SGU = {**settings.SGU, "SUGGESTIONS": {"RATE_LIMIT": 1, "RATE_WINDOW_SECONDS": 600}}
    web = Client()
    web.post("/sugerencias/", {"email": "rosa@example.pe", "text": TEXT})
    response = web.post("/sugerencias/", {"email": "rosa@example.pe", "text": TEXT})

    assert response.status_code == 429
    assert "Demasiadas solicitudes." in text(response)
    assert Suggestion.objects.count() == 1


def test_staff_see_the_unrouted_and_their_areas_suggestions_only(areas):
    web_one = submit(topic="sitio-web")
    unrouted = submit(topic="otro")
    specialist = login(member(areas["users"]))

    listing = text(specialist.get("/regulador/sugerencias/"))

    assert unrouted.code in listing and web_one.code not in listing
    assert specialist.get(f"/regulador/sugerencias/{web_one.code}/").status_code == 404
    refused = specialist.post(
        f"/regulador/sugerencias/{web_one.code}/responder/", {"answer": "Respuesta de otra área"}
    )
    assert refused.status_code == 404
    boss = login(make_regulator("REGULATOR_SUPERVISOR"))
    everything = text(boss.get("/regulador/sugerencias/"))
    assert unrouted.code in everything and web_one.code in everything
    only_unrouted = text(boss.get("/regulador/sugerencias/?area=-", HTTP_HX_REQUEST="true"))
    assert unrouted.code in only_unrouted and web_one.code not in only_unrouted


def test_triage_then_the_area_answers_through_the_pages(areas, mailbox, tasks):
    s = submit(topic="otro", email="rosa@example.pe")
    triage = login(make_regulator())
    bad = triage.post(f"/regulador/sugerencias/{s.code}/derivar/", {"area": ""})
    assert bad.status_code == 422 and error_of(bad, "derivar_area") == "Elija el área responsable."

    triage.post(f"/regulador/sugerencias/{s.code}/derivar/", {"area": "USUARIOS"})
    specialist = login(member(areas["users"]))
    empty = specialist.post(f"/regulador/sugerencias/{s.code}/responder/", {"answer": ""})
    assert empty.status_code == 422
    done = specialist.post(
        f"/regulador/sugerencias/{s.code}/responder/",
        {"answer": "Gracias, ampliamos el horario de atención.", "actions": "Horario ampliado."},
    )
    tasks()

    assert done.status_code == 302
    s.refresh_from_db()
    assert s.state == SuggestionState.ANSWERED
    msg = mailbox.wait_for("rosa@example.pe", f"Respuesta a su sugerencia {s.code}")
    assert "ampliamos el horario" in mailbox.text(msg)
    page = text(specialist.get(f"/regulador/sugerencias/{s.code}/"))
    assert "Acción adoptada" in page and "Horario ampliado." in page


def test_operators_citizens_and_agents_are_kept_out(areas, claro):
    s = submit()
    staff_paths = [
        "/regulador/sugerencias/",
        f"/regulador/sugerencias/{s.code}/",
        "/regulador/sugerencias/informe/",
        "/regulador/sugerencias/informe.csv?year=2026",
    ]
    for user in (make_operator_agent(claro), make_citizen()):
        web = login(user)
        for path in staff_paths:
            assert web.get(path).status_code == 403, path
        for action in ("derivar", "responder", "accion"):
            response = web.post(f"/regulador/sugerencias/{s.code}/{action}/", {"area": "USUARIOS"})
            assert response.status_code == 403
    agent = login(make_regulator())
    assert agent.get("/regulador/sugerencias/informe/").status_code == 403
    assert agent.get("/regulador/sugerencias/informe.csv").status_code == 403
    anonymous = Client().get("/regulador/sugerencias/")
    assert anonymous.status_code == 302
    s.refresh_from_db()
    assert s.state == SuggestionState.RECEIVED
