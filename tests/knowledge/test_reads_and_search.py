"""Read confirmations (pending list, percentage per article) and the agents' search."""

from datetime import date

import pytest

from knowledge.helpers import agent, approve, change, confirm, published, supervisor, write
from sgu.accounts.models import User
from sgu.knowledge import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(catalog):
    return supervisor(), supervisor()


def test_read_percentage_counts_only_active_agents(editors):
    author, reviewer = editors
    ana, beto, carla, dario = agent(), agent(), agent(), agent()
    User.objects.filter(pk=dario.pk).update(is_active=False)  # left: not counted
    porta = published(author, reviewer)
    baja = published(author, reviewer, question="¿Cómo se pide la baja de una línea móvil?")
    for someone in (ana, beto, author):  # a supervisor's reading does not count
        confirm(someone, porta)
    confirm(ana, baja)
    confirm(ana, porta)  # twice: still one confirmation
    dario.refresh_from_db()
    confirm(carla, baja)

    stats = selectors.read_stats([porta.pk, baja.pk])

    # porta: Ana and Beto of 3 active agents = 66.7 %; baja: Ana and Carla = 66.7 %.
    assert (stats[porta.pk].read, stats[porta.pk].agents, stats[porta.pk].pct) == (2, 3, 66.7)
    assert (stats[baja.pk].read, stats[baja.pk].pct) == (2, 66.7)
    rows = {r.article_id: r for r in selectors.overview()}
    assert rows[porta.article_id].stats.pct == 66.7

    # A change approved: the new version starts at 0 % and is pending again for Ana.
    v2 = approve(author, change(reviewer, porta.article, category="Portabilidad numérica"))
    assert selectors.read_stats([v2.pk])[v2.pk].pct == 0.0
    assert [v.pk for v in selectors.pending_reads(ana)] == [v2.pk]
    confirm(beto, v2)
    assert selectors.read_stats([v2.pk])[v2.pk].pct == 33.3
    confirmed, missing = selectors.readers(v2)
    assert [c.user for c in confirmed] == [beto]
    assert set(missing) == {ana, carla}


def test_pending_list_holds_new_and_changed_articles_in_force(editors):
    author, reviewer = editors
    ana = agent()
    porta = published(author, reviewer)
    write(author, question="¿Qué hago si mi recarga no llegó?")  # draft: not pending
    published(
        author,
        reviewer,
        question="¿Qué regía en 2025?",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )  # ended: not pending

    assert [v.pk for v in selectors.pending_reads(ana)] == [porta.pk]
    confirm(ana, porta)
    assert list(selectors.pending_reads(ana)) == []


def test_search_matches_every_word_ignoring_accents_and_case(editors):
    author, reviewer = editors
    porta = published(author, reviewer)
    baja = published(
        author,
        reviewer,
        question="¿Cómo se pide la baja de una línea móvil?",
        answer="El titular pide la baja por cualquier canal; el trámite no tiene costo y la "
        "operadora no puede exigir la portabilidad a otra empresa.",
        category="Bajas",
    )
    write(author, question="¿Cuál es el trámite de la portabilidad fija?")  # a draft

    assert [v.pk for v in selectors.search("TRAMITE")] == [baja.pk]
    assert [v.pk for v in selectors.search("línea movil baja")] == [baja.pk]
    # "portabilidad" is in both: the one with it in the question comes first.
    assert [v.pk for v in selectors.search("portabilidad")] == [porta.pk, baja.pk]
    assert [v.pk for v in selectors.search("portabilidad", category="Bajas")] == [baja.pk]
    assert selectors.search("roaming") == []
    assert [v.pk for v in selectors.search("")] == [baja.pk, porta.pk]  # by category
    assert selectors.categories() == ["Bajas", "Portabilidad"]


def test_overview_shows_latest_text_version_in_force_and_pending_draft(editors):
    author, reviewer = editors
    porta = published(author, reviewer)
    change(reviewer, porta.article, question="¿Cuánto tarda hoy la portabilidad de un móvil?")
    ended = published(
        author,
        reviewer,
        question="¿Qué regía en 2025?",
        category="Archivo",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )

    rows = {r.code: r for r in selectors.overview(date(2026, 3, 10))}
    drafts = selectors.overview(date(2026, 3, 10), only_drafts=True)

    row = rows[porta.article.code]
    assert row.question == "¿Cuánto tarda hoy la portabilidad de un móvil?"  # the draft's text
    assert (row.in_force_number, row.draft_number) == (1, 2)
    assert row.draft_author == "Lucía Orientadora"
    assert rows[ended.article.code].in_force_number is None
    assert rows[ended.article.code].stats is None
    assert [r.code for r in drafts] == [porta.article.code]
