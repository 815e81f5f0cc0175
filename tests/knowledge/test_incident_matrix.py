"""The incident matrix (attention manual 8.3.2.3, 9.3): a solved incident feeds the knowledge
base with its cause, solution and typification, linked both ways (the entry names the
incident, the incident's page shows the entry); a new incident suggests matching entries."""

import pytest
from django.test import Client

from attention.helpers import make_areas, make_staff
from factories import make_citizen, make_operator_agent
from sgu.accounts.auth import principal_for_user
from sgu.attention import services as attention
from sgu.core.errors import Conflict, NotFound, ValidationFailed
from sgu.knowledge import selectors, services
from sgu.knowledge.models import IncidentMatrixEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(catalog):
    make_areas()
    return {
        "first": make_staff(first="Luis"),
        "l2": make_staff(area="USUARIOS", first="Jorge"),
        "other": make_staff(area="FISCALIZACION", first="Marta"),
    }


def incident(people, question, reason="No funciona la carga del recibo.", motive="sgu-seguimiento"):
    q = attention.register_query(
        agent=people["first"],
        channel="EMAIL",
        motive=motive,
        question=question,
        name="Rosa",
        email="rosa@example.pe",
    )
    return attention.escalate(
        agent=people["first"],
        area_code="USUARIOS",
        criticality="MEDIO",
        complexity="MEDIA",
        reason=reason,
        query=q,
    )


def solved(people, question, **kw):
    hop = incident(people, question, **kw)
    attention.answer_escalation(
        escalation=hop, user=people["l2"], answer="Se limpió la caché del formulario."
    )
    hop.refresh_from_db()
    return hop


def record(user, hop, **kw):
    values = {
        "typification": "SGU › Seguimiento de un caso",
        "cause": "La caché del formulario guardaba un recibo viejo.",
        "solution": "Limpiar la caché del formulario de adjuntos.",
        **kw,
    }
    return services.record_incident(escalation_id=hop.pk, by=principal_for_user(user), **values)


def test_a_solved_incident_feeds_the_matrix_linked_both_ways(people):
    hop = solved(people, "No puedo adjuntar el recibo de pago en el formulario.")
    entry = record(people["l2"], hop)
    assert entry.escalation == hop and entry.code == f"MI-{entry.pk:05d}"
    assert hop.matrix_entry == entry  # the other way
    c = Client()
    c.force_login(people["first"])
    page = c.get(f"/regulador/atencion/escalamientos/{hop.pk}/").content.decode()
    assert entry.code in page and f"/regulador/conocimiento/matriz/{entry.pk}/" in page
    detail = c.get(f"/regulador/conocimiento/matriz/{entry.pk}/").content.decode()
    assert hop.item_code in detail and f"/regulador/atencion/escalamientos/{hop.pk}/" in detail


def test_only_solved_incidents_once_each_and_refusals_change_nothing(people):
    open_hop = incident(people, "No carga el recibo.")
    with pytest.raises(Conflict):
        record(people["l2"], open_hop)
    hop = solved(people, "No carga el recibo.")
    with pytest.raises(ValidationFailed) as exc:
        record(people["l2"], hop, cause="", solution="", typification="x" * 201)
    assert {e.field for e in exc.value.errors} == {"cause", "solution", "typification"}
    with pytest.raises(NotFound):  # another area's incident
        record(people["other"], hop)
    assert not IncidentMatrixEntry.objects.exists()
    record(people["l2"], hop)
    with pytest.raises(Conflict):
        record(people["l2"], hop)


def test_a_new_incident_suggests_matching_entries(people):
    recibo = record(people["l2"], solved(people, "No puedo adjuntar el recibo de pago."))
    record(
        people["l2"],
        solved(people, "La portabilidad no avanza.", reason="Portabilidad detenida."),
        typification="Trámites › Portabilidad",
        cause="La operadora cedente no respondió.",
        solution="Se reiteró la solicitud a la operadora cedente.",
    )
    new = incident(people, "El formulario rechaza mi recibo al adjuntarlo.")
    found = selectors.matrix_suggestions(new)
    assert found and found[0] == recibo
    assert all("portabilidad" not in e.search_text for e in found[:1])
    c = Client()
    c.force_login(people["first"])
    fragment = c.get(
        f"/regulador/conocimiento/matriz/incidencia/{new.pk}/parecidas/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert recibo.code in fragment
    nothing = incident(people, "Zzz qwerty.", reason="Xyzzy plugh.", motive="otros-informacion")
    assert selectors.matrix_suggestions(nothing) == []


def test_the_matrix_pages(people):
    hop = solved(people, "No puedo adjuntar el recibo.")
    base = f"/regulador/conocimiento/matriz/incidencia/{hop.pk}"
    c = Client()
    c.force_login(people["l2"])
    form = c.get(f"{base}/registrar/")
    assert form.status_code == 200 and "Se limpió la caché" in form.content.decode()
    bad = c.post(f"{base}/registrar/", {"typification": "T"})
    assert bad.status_code == 422 and "Describa la causa" in bad.content.decode()
    assert not IncidentMatrixEntry.objects.exists()
    ok = c.post(
        f"{base}/registrar/",
        {"typification": "SGU › Adjuntos", "cause": "Caché.", "solution": "Limpiarla."},
        follow=True,
    )
    assert "Registramos la incidencia en la matriz" in ok.content.decode()
    listing = c.get("/regulador/conocimiento/matriz/?q=cache").content.decode()
    assert "SGU › Adjuntos" in listing
    assert (
        "SGU › Adjuntos"
        not in c.get("/regulador/conocimiento/matriz/?q=portabilidad").content.decode()
    )


def test_citizens_operators_and_other_areas_are_kept_out(people, claro):
    hop = solved(people, "No puedo adjuntar el recibo.")
    entry = record(people["l2"], hop)
    for user in (make_citizen(), make_operator_agent(claro)):
        c = Client()
        c.force_login(user)
        for path in (
            "/regulador/conocimiento/matriz/",
            f"/regulador/conocimiento/matriz/{entry.pk}/",
            f"/regulador/conocimiento/matriz/incidencia/{hop.pk}/parecidas/",
        ):
            assert c.get(path).status_code in (302, 403), path
    other = Client()
    other.force_login(people["other"])
    base = f"/regulador/conocimiento/matriz/incidencia/{hop.pk}"
    assert other.get(f"{base}/parecidas/").status_code == 404
    assert other.post(f"{base}/registrar/", {}).status_code == 404
