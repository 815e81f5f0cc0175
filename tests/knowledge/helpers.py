"""Knowledge base test data, made through the services."""

from datetime import date

from factories import make_regulator
from sgu.accounts.auth import principal_for_user
from sgu.knowledge import services


def supervisor():
    return make_regulator("REGULATOR_SUPERVISOR")


def agent():
    return make_regulator("REGULATOR_AGENT")


def article_input(**overrides) -> services.ArticleInput:
    data = {
        "question": "¿Cuánto tarda la portabilidad de un número móvil?",
        "answer": "La portabilidad se ejecuta en un plazo máximo de 24 horas desde que el "
        "operador receptor acepta la solicitud.",
        "category": "Portabilidad",
        "valid_from": date(2026, 1, 1),
        "source_reference": "Reglamento de Portabilidad Numérica, artículo 10",
    }
    data.update(overrides)
    return services.ArticleInput(**data)


def write(author, **overrides):
    return services.propose_article(data=article_input(**overrides), by=principal_for_user(author))


def change(author, article, **overrides):
    overrides.setdefault("change_note", "Se actualiza el plazo.")
    return services.propose_change(
        article=article, data=article_input(**overrides), by=principal_for_user(author)
    )


def approve(reviewer, version):
    return services.approve_version(version=version, by=principal_for_user(reviewer))


def published(author, reviewer, **overrides):
    """An article written by one supervisor and approved by another."""
    return approve(reviewer, write(author, **overrides))


def confirm(user, version):
    return services.confirm_read(version=version, by=principal_for_user(user))
