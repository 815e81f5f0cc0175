"""POST /api/v1/suggestions: anyone, rate-limited, problem+json in Spanish."""

import pytest

from factories import PROBLEM, Api, citizen_api
from sgu.suggestions.models import Suggestion, SuggestionChannel
from suggestions.helpers import TEXT, area, map_topic

pytestmark = pytest.mark.django_db


def test_anyone_sends_a_suggestion_and_gets_its_code(db, anon_api):
    map_topic("sitio-web", area("SOPORTE-TI", "Soporte técnico", 3))

    response = anon_api.post(
        "/api/v1/suggestions", {"email": "rosa@example.pe", "text": TEXT, "topic": "sitio-web"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["code"].startswith("SUG-") and body["state"] == "ROUTED"
    assert body["area"] == {"code": "SOPORTE-TI", "name": "Soporte técnico"}
    s = Suggestion.objects.get(code=body["code"])
    assert s.channel == SuggestionChannel.API and s.citizen is None
    topics = anon_api.get("/api/v1/suggestions/topics").json()
    assert {"code": "sitio-web", "name": "Sitio web y plataforma SGU"} in topics


def test_a_citizens_token_links_the_suggestion(citizen):
    response = citizen_api(citizen).post(
        "/api/v1/suggestions", {"email": citizen.email, "text": TEXT}
    )

    assert response.status_code == 201
    assert Suggestion.objects.get(code=response.json()["code"]).citizen == citizen
    bad = Api("token-falso").post("/api/v1/suggestions", {"email": "a@b.pe", "text": TEXT})
    assert bad.status_code == 401 and bad["Content-Type"] == PROBLEM


def test_bad_input_is_422_in_spanish_and_nothing_is_written(db, anon_api):
    response = anon_api.post("/api/v1/suggestions", {"email": "x", "text": "hola"})
    missing = anon_api.post("/api/v1/suggestions", {"text": TEXT})
    broken = anon_api.post("/api/v1/suggestions", raw="{no es json")

    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == {
        "email": "El correo electrónico no es válido (p. ej. nombre@correo.pe).",
        "text": "Escriba su sugerencia (al menos 10 caracteres).",
    }
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "email", "message": "Este dato es obligatorio."}]
    assert broken.status_code == 400
    assert Suggestion.objects.count() == 0


def test_rate_limited_per_ip(db, anon_api, settings):
    settings.SGU = {**settings.SGU, "SUGGESTIONS": {"RATE_LIMIT": 2, "RATE_WINDOW_SECONDS": 600}}
    payload = {"email": "rosa@example.pe", "text": TEXT}

    statuses = [anon_api.post("/api/v1/suggestions", payload).status_code for _ in range(3)]
    last = anon_api.post("/api/v1/suggestions", payload)

    assert statuses == [201, 201, 429]
    assert last.status_code == 429 and int(last["Retry-After"]) > 0
    assert last.json()["detail"].startswith("Demasiadas solicitudes.")
    assert Suggestion.objects.count() == 2


def test_idempotency_key_returns_the_first_answer(db, anon_api):
    payload = {"email": "rosa@example.pe", "text": TEXT}
    first = anon_api.post("/api/v1/suggestions", payload, HTTP_IDEMPOTENCY_KEY="k-1")
    again = anon_api.post("/api/v1/suggestions", payload, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Suggestion.objects.count() == 1
