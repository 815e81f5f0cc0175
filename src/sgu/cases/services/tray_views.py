"""Saved tray views: named filters of the tracking tray."""

from sgu.accounts.models import User
from sgu.cases.models import (
    SavedTrayView,
)
from sgu.core.errors import (
    ErrorCollector,
)

# --- saved tray views ---------------------------------------------------------------------------


def save_tray_view(*, user: User, name: str, query: str) -> SavedTrayView:
    """Save (or overwrite, by name) a tracking-tray filter for this user."""

    name = " ".join((name or "").split())
    errors = ErrorCollector()
    if not name:
        errors.add("name", "Dé un nombre a la vista, por ejemplo «vencidos de hoy».")
    elif len(name) > 80:
        errors.add("name", "El nombre admite hasta 80 caracteres.")
    query = (query or "").lstrip("?")
    if len(query) > 1000:
        errors.add("query", "Los filtros son demasiado largos.")
    errors.raise_if_any()
    view, _ = SavedTrayView.objects.update_or_create(
        user=user, name=name, defaults={"query": query}
    )
    return view


def delete_tray_view(*, user: User, view_id: int) -> None:

    SavedTrayView.objects.filter(user=user, pk=view_id).delete()
