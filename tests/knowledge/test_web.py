"""The knowledge base pages: search (HTMX), pending reads, supervisors' pages, isolation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factories import PDF_BYTES, error_of, make_citizen, make_operator_agent, text
from knowledge.helpers import agent, published, supervisor, write
from sgu.knowledge.models import ArticleVersion, ReadConfirmation, VersionStatus

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def kb(catalog):
    author, reviewer = supervisor(), supervisor()
    porta = published(author, reviewer)
    draft = write(author, question="¿Qué hago si mi recarga no llegó a mi saldo?")
    return {"author": author, "reviewer": reviewer, "porta": porta, "draft": draft}


def test_agent_searches_live_and_sees_only_versions_in_force(kb):
    web = login(agent())

    page = web.get("/regulador/conocimiento/?q=portabilidad")
    fragment = web.get("/regulador/conocimiento/?q=recarga", HTTP_HX_REQUEST="true")

    assert page.status_code == 200
    assert "¿Cuánto tarda la portabilidad de un número móvil?" in text(page)
    assert "Tiene 1 artículo nuevo o cambiado por leer." in text(page)
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "0 resultados para «recarga»" in text(fragment)  # the draft is not searchable


def test_agent_confirms_reading_from_the_pending_list(kb):
    someone = agent()
    web = login(someone)
    porta = kb["porta"]

    assert "¿Cuánto tarda la portabilidad" in text(web.get("/regulador/conocimiento/pendientes/"))
    response = web.post(
        f"/regulador/conocimiento/versiones/{porta.pk}/confirmar/", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200 and "Leído" in text(response)
    assert ReadConfirmation.objects.filter(version=porta, user=someone).count() == 1
    pending = text(web.get("/regulador/conocimiento/pendientes/"))
    assert "No tiene artículos pendientes de lectura." in pending
    article = web.get(f"/regulador/conocimiento/articulos/{porta.article_id}/")
    assert "Leído" in text(article) and "Historial" not in text(article)


def test_agents_never_reach_drafts_or_supervisor_pages(kb):
    web = login(agent())
    draft = kb["draft"]

    assert web.get(f"/regulador/conocimiento/articulos/{draft.article_id}/").status_code == 404
    assert web.post(f"/regulador/conocimiento/versiones/{draft.pk}/confirmar/").status_code == 404
    assert web.get(f"/regulador/conocimiento/versiones/{draft.pk}/documento/").status_code == 404
    for path in (
        "gestion/",
        "gestion/nuevo/",
        f"versiones/{draft.pk}/",
        f"articulos/{draft.article_id}/cambiar/",
    ):
        assert web.get(f"/regulador/conocimiento/{path}").status_code == 403, path
    assert web.post(f"/regulador/conocimiento/versiones/{draft.pk}/aprobar/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_operators_and_citizens_cannot_reach_the_knowledge_base(kb, claro):
    porta = kb["porta"]
    paths = [
        "",
        "pendientes/",
        f"articulos/{porta.article_id}/",
        f"versiones/{porta.pk}/documento/",
        "gestion/",
        f"versiones/{porta.pk}/",
    ]
    for user in (make_operator_agent(claro), make_citizen()):
        web = login(user)
        for path in paths:
            assert web.get(f"/regulador/conocimiento/{path}").status_code == 403, path
        response = web.post(f"/regulador/conocimiento/versiones/{porta.pk}/confirmar/")
        assert response.status_code == 403
    anonymous = Client().get("/regulador/conocimiento/")
    assert anonymous.status_code == 302 and "/cuenta/ingresar/" in anonymous["Location"]
    assert ReadConfirmation.objects.count() == 0


def test_supervisor_writes_an_article_with_its_document_and_another_approves_it(kb):
    author, reviewer = supervisor(), kb["reviewer"]
    web = login(author)

    bad = web.post("/regulador/conocimiento/gestion/nuevo/", {"question": "¿?"})
    assert bad.status_code == 422
    assert error_of(bad, "id_question") == "Escriba la pregunta (al menos 10 caracteres)."
    assert error_of(bad, "id_valid_from") == "Indique la fecha de inicio de vigencia (AAAA-MM-DD)."
    assert web.post("/regulador/conocimiento/gestion/nuevo/", {}).status_code == 422
    assert ArticleVersion.objects.count() == 2

    response = web.post(
        "/regulador/conocimiento/gestion/nuevo/",
        {
            "question": "¿Qué plazo tiene la operadora para responder un reclamo?",
            "answer": "La operadora responde en un plazo de 15 días hábiles, salvo los "
            "reclamos de calidad, que tienen 3 días hábiles.",
            "category": "Reclamos",
            "valid_from": "2026-01-01",
            "source_file": SimpleUploadedFile("reglamento.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    version = ArticleVersion.objects.get(category="Reclamos")
    assert response.status_code == 302
    assert response["Location"] == f"/regulador/conocimiento/versiones/{version.pk}/"
    own = web.get(response["Location"])
    assert "otro supervisor debe aprobarlo" in text(own)

    other = login(reviewer)
    approved = other.post(f"/regulador/conocimiento/versiones/{version.pk}/aprobar/")
    assert approved.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and version.reviewed_by == reviewer

    reader = login(agent())
    download = reader.get(f"/regulador/conocimiento/versiones/{version.pk}/documento/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert 'filename="reglamento.pdf"' in download["Content-Disposition"]


def test_supervisor_sees_read_percentage_and_history(kb):
    porta = kb["porta"]
    ana, _beto, _carla = agent(), agent(), agent()
    login(ana).post(f"/regulador/conocimiento/versiones/{porta.pk}/confirmar/")

    web = login(kb["reviewer"])
    overview = text(web.get("/regulador/conocimiento/gestion/"))
    article = text(web.get(f"/regulador/conocimiento/articulos/{porta.article_id}/"))

    assert "33,3 % (1 de 3)" in overview
    assert "33,3 % de los orientadores activos confirmaron su lectura (1 de 3)" in article
    assert "Historial de versiones" in article


def test_proposing_a_change_through_the_page(kb):
    porta = kb["porta"]
    web = login(kb["author"])

    form = web.get(f"/regulador/conocimiento/articulos/{porta.article_id}/cambiar/")
    assert "¿Cuánto tarda la portabilidad" in form.content.decode()
    same = web.post(
        f"/regulador/conocimiento/articulos/{porta.article_id}/cambiar/",
        {
            "question": porta.question,
            "answer": porta.answer,
            "category": porta.category,
            "valid_from": "2026-01-01",
            "source_reference": porta.source_reference,
            "change_note": "Nada",
        },
    )
    assert same.status_code == 422
    assert "Cambie algún dato del artículo." in text(same)
    assert ArticleVersion.objects.filter(article=porta.article).count() == 1


def test_rejecting_needs_a_reason_and_keeps_the_draft_in_history(kb):
    draft = kb["draft"]
    web = login(kb["reviewer"])

    refused = web.post(f"/regulador/conocimiento/versiones/{draft.pk}/rechazar/", {"note": ""})
    assert refused.status_code == 422
    assert error_of(refused, "id_note") == (
        "Explique por qué rechaza el cambio (al menos 5 caracteres)."
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    web.post(
        f"/regulador/conocimiento/versiones/{draft.pk}/rechazar/",
        {"note": "Falta el plazo de respuesta."},
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.REJECTED and draft.review_note.startswith("Falta")
    history = text(web.get(f"/regulador/conocimiento/articulos/{draft.article_id}/"))
    assert "Rechazada" in history


def test_menu_links_only_for_regulator_staff(kb, claro):
    regulator = login(agent()).get("/").content.decode()
    assert 'href="/regulador/conocimiento/"' in regulator
    assert 'href="/regulador/sugerencias/"' in regulator
    for user in (make_operator_agent(claro), make_citizen()):
        html = login(user).get("/").content.decode()
        assert 'href="/regulador/conocimiento/"' not in html
        assert 'href="/regulador/sugerencias/"' not in html
        assert 'href="/sugerencias/"' in html  # the public form, in the footer
