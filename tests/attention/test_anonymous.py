"""Anonymous consultas (attention manual: the person may decline to give their data): recorded
as such, no consent asked, no personal data kept, nothing sent to anyone."""

import pytest
from django.test import Client

from attention.helpers import api_for
from factories import field_errors, problem_of
from sgu.attention import services
from sgu.attention.models import AttentionEvent, Query, Survey
from sgu.core.errors import ValidationFailed
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_an_anonymous_consulta_keeps_no_personal_data(orientador):
    q = services.register_query(
        agent=orientador,
        channel="TELEFONICO",
        motive="tramites-portabilidad",
        question="¿Cuánto demora una portabilidad?",
        anonymous=True,
    )
    q.refresh_from_db()
    assert q.anonymous and q.display_name == "Consulta anónima"
    assert (q.name, q.document_number, q.email, q.phone, q.citizen) == ("", "", "", "", None)
    services.answer_query(query=q, agent=orientador, answer="Un día hábil.")
    assert not OutboundEmail.objects.exists() and not Survey.objects.exists()
    assert AttentionEvent.objects.get(query=q, kind="TICKET").data["medium"]


def test_personal_data_on_an_anonymous_consulta_is_refused(orientador):
    with pytest.raises(ValidationFailed) as exc:
        services.register_query(
            agent=orientador,
            channel="WEB",
            motive="tramites-portabilidad",
            question="¿?",
            anonymous=True,
            name="Rosa",
            email="rosa@example.pe",
        )
    assert {e.field for e in exc.value.errors} == {"name", "email"}
    assert Query.objects.count() == 0


def test_without_a_name_it_must_be_marked_anonymous(orientador):
    with pytest.raises(ValidationFailed) as exc:
        services.register_query(
            agent=orientador, channel="WEB", motive="tramites-portabilidad", question="¿?"
        )
    assert exc.value.errors[0].message.startswith("Indique el nombre de quien consulta, o márquela")


def test_anonymous_on_the_web_and_the_api(orientador):
    c = Client()
    c.force_login(orientador)
    r = c.post(
        "/regulador/atencion/consultas/nueva/",
        {
            "channel": "PRESENCIAL",
            "anonymous": "on",
            "motive": "otros-informacion",
            "question": "¿Dónde queda la oficina?",
        },
    )
    q = Query.objects.get()
    assert r.status_code == 302 and q.anonymous
    assert "Consulta anónima" in c.get("/regulador/atencion/consultas/").content.decode()

    api = api_for(orientador)
    body = {"channel": "WEB", "motive": "otros-informacion", "question": "¿?", "anonymous": True}
    r = api.post("/api/v1/staff/queries", body)
    assert r.status_code == 201 and r.json()["anonymous"] is True and r.json()["name"] == ""
    r = api.post("/api/v1/staff/queries", {**body, "phone": "987654321"})
    assert field_errors(problem_of(r, 422)) == {
        "phone": "Una consulta anónima no guarda datos personales: déjelo vacío."
    }
