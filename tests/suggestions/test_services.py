"""A suggestion's way: received with a code, routed to the area (by topic or triage),
answered to the sender by email, actions recorded."""

import pytest

from factories import make_citizen, make_operator_agent, make_regulator
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.notifications.models import OutboundEmail
from sgu.suggestions.models import EventKind, Suggestion, SuggestionEvent, SuggestionState
from suggestions.helpers import action, answer, area, map_topic, member, route, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(db):
    web = area("SOPORTE-TI", "Soporte técnico", 3)
    users = area("USUARIOS", "Protección de usuarios")
    map_topic("sitio-web", web)
    return {"web": web, "users": users}


def test_a_topic_with_an_area_routes_the_suggestion_there(areas):
    s = submit(topic="sitio-web")

    assert s.code.startswith("SUG-") and s.code.endswith("-000001")
    assert s.state == SuggestionState.ROUTED and s.area == areas["web"]
    assert [e.kind for e in s.events.all()] == [EventKind.RECEIVED, EventKind.ROUTED]
    assert submit(topic="sitio-web").code.endswith("-000002")


def test_without_a_mapped_topic_it_waits_for_triage_and_any_agent_routes_it(areas):
    s = submit(topic="atencion")
    assert s.state == SuggestionState.RECEIVED and s.area is None

    route(make_regulator(), s, "USUARIOS", note="Es de atención al usuario.")

    s.refresh_from_db()
    assert s.state == SuggestionState.ROUTED and s.area == areas["users"]
    event = s.events.get(kind=EventKind.ROUTED)
    assert event.area == areas["users"] and event.note == "Es de atención al usuario."


def test_the_area_answers_and_the_sender_gets_it_by_email(areas, mailbox, tasks):
    s = submit(email="Vecina@Example.pe", topic="sitio-web", name="Rosa Quispe")
    tasks()
    ack = mailbox.wait_for("vecina@example.pe", f"Recibimos su sugerencia {s.code}")
    assert "Rosa Quispe" in mailbox.text(ack) and s.code in mailbox.text(ack)

    specialist = member(areas["web"])
    answer(
        specialist,
        s,
        "Gracias: desde mayo el formulario acepta fotos del recibo.",
        actions="Se habilitó la carga de fotos desde el celular.",
    )
    tasks()

    msg = mailbox.wait_for("vecina@example.pe", f"Respuesta a su sugerencia {s.code}")
    body = mailbox.text(msg).replace("\r\n", "\n")
    assert "desde mayo el formulario acepta fotos del recibo" in body
    assert "Acciones adoptadas:\nSe habilitó la carga de fotos desde el celular." in body
    assert "Soporte técnico respondió" in body
    s.refresh_from_db()
    assert s.state == SuggestionState.ANSWERED and s.answered_by == specialist
    assert [e.kind for e in s.events.all()][-2:] == [EventKind.ANSWERED, EventKind.ACTION]
    with pytest.raises(Conflict):
        answer(specialist, s)


def test_only_the_area_or_a_supervisor_answers(areas):
    s = submit(topic="sitio-web")
    outsider = member(areas["users"])

    with pytest.raises(Forbidden):
        answer(outsider, s)
    with pytest.raises(Forbidden):
        action(outsider, s, "Revisamos el formulario.")
    action(make_regulator("REGULATOR_SUPERVISOR"), s, "Se revisó el formulario con TI.")
    assert SuggestionEvent.objects.filter(suggestion=s, kind=EventKind.ACTION).count() == 1


def test_an_unrouted_suggestion_cannot_be_answered_and_an_answered_one_not_routed(areas):
    s = submit()
    supervisor = make_regulator("REGULATOR_SUPERVISOR")
    with pytest.raises(Conflict):
        answer(supervisor, s)
    route(supervisor, s, "USUARIOS")
    answer(supervisor, s)
    with pytest.raises(Conflict):
        route(supervisor, s, "SOPORTE-TI")


def test_bad_input_is_refused_in_spanish_and_nothing_is_written(areas):
    with pytest.raises(ValidationFailed) as exc:
        submit(email="no-es-correo", text="corto", topic="inexistente", name="x" * 121)

    assert {e.field: e.message for e in exc.value.errors} == {
        "name": "El nombre admite hasta 120 caracteres.",
        "email": "El correo electrónico no es válido (p. ej. nombre@correo.pe).",
        "text": "Escriba su sugerencia (al menos 10 caracteres).",
        "topic": "Elija un tema de la lista.",
    }
    with pytest.raises(ValidationFailed) as exc:
        submit(email="")
    assert exc.value.errors[0].message == (
        "Escriba su correo electrónico: le enviaremos ahí la respuesta."
    )
    assert Suggestion.objects.count() == 0 and OutboundEmail.objects.count() == 0

    s = submit()
    supervisor = make_regulator("REGULATOR_SUPERVISOR")
    with pytest.raises(ValidationFailed) as exc:
        route(supervisor, s, "NO-EXISTE")
    assert exc.value.errors[0].message == "Elija el área responsable."
    route(supervisor, s, "USUARIOS")
    with pytest.raises(ValidationFailed) as exc:
        answer(supervisor, s, "")
    assert exc.value.errors[0].message == (
        "Escriba la respuesta al remitente (al menos 10 caracteres)."
    )
    s.refresh_from_db()
    assert s.state == SuggestionState.ROUTED and s.answer == ""


def test_operators_and_citizens_cannot_act_on_suggestions(areas, claro):

    s = submit()
    for user in (make_operator_agent(claro), make_citizen()):
        with pytest.raises(Forbidden):
            route(user, s, "USUARIOS")
    s.refresh_from_db()
    assert s.state == SuggestionState.RECEIVED
