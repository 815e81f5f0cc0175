"""Every change is a new version; only the approved one in force reaches the agents."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from knowledge.helpers import agent, approve, change, confirm, published, supervisor, write
from sgu.accounts.auth import principal_for_user
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.core.models import AuditEvent
from sgu.knowledge import selectors, services
from sgu.knowledge.models import ArticleVersion, VersionStatus

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture
def editors(catalog):
    return supervisor(), supervisor()


def test_a_draft_is_not_shown_to_agents_until_another_supervisor_approves_it(editors):
    author, reviewer = editors
    draft = write(author)

    assert draft.status == VersionStatus.DRAFT
    assert list(selectors.in_force(TODAY)) == []
    with pytest.raises(Forbidden):
        approve(author, draft)  # four eyes: not the author
    with pytest.raises(Forbidden):
        approve(agent(), draft)  # agents do not approve

    approve(reviewer, draft)

    assert [v.pk for v in selectors.in_force(TODAY)] == [draft.pk]
    draft.refresh_from_db()
    assert draft.reviewed_by == reviewer and draft.reviewed_at is not None
    event = AuditEvent.objects.get(action="knowledge.version_approved")
    assert event.actor == reviewer and event.target == f"{draft.article.code} v1"


def test_a_change_is_a_new_version_and_the_old_one_is_kept_and_shown_until_approved(editors):
    author, reviewer = editors
    v1 = published(author, reviewer)

    v2 = change(
        reviewer,
        v1.article,
        answer="La portabilidad se ejecuta en un plazo máximo "
        "de 12 horas desde la aceptación de la solicitud.",
    )

    assert v2.number == 2 and v2.status == VersionStatus.DRAFT
    assert [v.pk for v in selectors.in_force(TODAY)] == [v1.pk]  # still v1
    approve(author, v2)
    assert [v.pk for v in selectors.in_force(TODAY)] == [v2.pk]
    v1.refresh_from_db()
    assert v1.status == VersionStatus.APPROVED
    assert "24 horas" in v1.answer  # untouched
    assert ArticleVersion.objects.filter(article=v1.article).count() == 2


def test_a_second_draft_waits_for_the_first_and_a_rejection_keeps_the_version_in_force(editors):
    author, reviewer = editors
    v1 = published(author, reviewer)
    v2 = change(author, v1.article, category="Portabilidad móvil")

    with pytest.raises(Conflict):
        change(reviewer, v1.article, category="Otra categoría")
    with pytest.raises(ValidationFailed):
        services.reject_version(version=v2, by=principal_for_user(reviewer), note="")
    services.reject_version(
        version=v2, by=principal_for_user(reviewer), note="La categoría ya existe."
    )
    with pytest.raises(Conflict):
        approve(reviewer, v2)  # already reviewed

    assert [v.pk for v in selectors.in_force(TODAY)] == [v1.pk]
    v3 = change(reviewer, v1.article, category="Portabilidad numérica")
    assert v3.number == 3


def test_a_change_without_changes_is_refused(editors):
    author, reviewer = editors
    v1 = published(author, reviewer)

    with pytest.raises(Conflict) as exc:
        change(author, v1.article)

    assert exc.value.detail == "No hay cambios respecto de la versión 1."
    assert ArticleVersion.objects.count() == 1


def test_validity_dates_are_respected(editors):
    author, reviewer = editors
    # v1 from January to the end of June; v2 approved now but in force from April 1.
    v1 = published(author, reviewer, valid_to=date(2026, 6, 30))
    v2 = approve(
        author,
        change(
            reviewer,
            v1.article,
            answer="Desde abril la portabilidad se ejecuta en 12 horas como máximo.",
            valid_from=date(2026, 4, 1),
            valid_to=None,
        ),
    )
    expired = published(
        author,
        reviewer,
        question="¿Hasta cuándo rige la tarifa social de 2025?",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )

    assert [v.pk for v in selectors.in_force(date(2025, 12, 31))] == [expired.pk]
    assert [v.pk for v in selectors.in_force(date(2026, 3, 31))] == [v1.pk]
    assert [v.pk for v in selectors.in_force(date(2026, 4, 1))] == [v2.pk]
    assert [v.pk for v in selectors.in_force(date(2027, 1, 1))] == [v2.pk]


def test_a_version_that_ends_leaves_the_article_out(editors):
    author, reviewer = editors
    v1 = published(author, reviewer)
    approve(
        author,
        change(
            reviewer, v1.article, valid_to=date(2026, 2, 28), change_note="Se deroga el 28/02/2026."
        ),
    )

    assert [v.number for v in selectors.in_force(date(2026, 2, 28))] == [2]
    assert list(selectors.in_force(date(2026, 3, 1))) == []


def test_bad_input_is_refused_in_spanish_and_nothing_is_written(editors):
    author, _ = editors

    with pytest.raises(ValidationFailed) as exc:
        write(
            author,
            question="¿?",
            answer="corta",
            category="",
            valid_from="31/12/2026",
            source_reference="",
            source_url="ftp://x",
        )

    messages = {e.field: e.message for e in exc.value.errors}
    assert messages == {
        "question": "Escriba la pregunta (al menos 10 caracteres).",
        "answer": "Escriba la respuesta (al menos 20 caracteres).",
        "category": "Indique la categoría (p. ej. Portabilidad, Reclamos).",
        "valid_from": "La fecha de inicio de vigencia no es válida; use AAAA-MM-DD.",
        "source_url": "El enlace debe ser una dirección web completa (https://…).",
    }
    with pytest.raises(ValidationFailed) as exc:
        write(author, valid_to=date(2025, 12, 31), source_reference="")
    messages = {e.field: e.message for e in exc.value.errors}
    assert messages == {
        "valid_to": "El fin de la vigencia no puede ser anterior a su inicio.",
        "source_reference": "Indique el documento de sustento: adjunte el archivo o escriba "
        "su referencia o su enlace.",
    }
    assert ArticleVersion.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="knowledge.").exists()


def test_agents_do_not_write_articles(catalog):
    with pytest.raises(Forbidden):
        write(agent())


def test_only_approved_versions_in_force_are_confirmed(editors):
    author, reviewer = editors
    someone = agent()
    draft = write(author)
    with pytest.raises(Conflict):
        confirm(someone, draft)
    future = published(author, reviewer, valid_from=timezone.localdate() + timedelta(days=5))
    with pytest.raises(Conflict):
        confirm(someone, future)
