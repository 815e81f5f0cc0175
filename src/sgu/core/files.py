"""Stored files whose database row never committed. A file is written to storage before the
transaction that records it commits (a file system has no rollback), so a refused or crashed
transaction leaves it behind with no row pointing at it. Nobody can reach such a file (every
download goes through a selector and its row), but it takes disk: the scheduler removes the
ones old enough that no transaction can still be about to commit them."""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger("sgu.files")

# Far above the longest transaction that stores a file (a 250 MB report is received in seconds).
GRACE = timedelta(hours=1)
CHUNK = 500


def _files_under(directory: str) -> Iterator[str]:
    try:
        dirs, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in dirs:
        yield from _files_under(f"{directory}/{sub}")


def sweep_orphan_files(
    directory: str,
    model: type[Model],
    field: str,
    *,
    now: datetime | None = None,
    grace: timedelta = GRACE,
) -> int:
    """Delete the files under `directory` that no `model.field` names and that are older than
    `grace`. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - grace
    removed = 0
    chunk: list[str] = []

    def flush() -> int:
        known = set(
            model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, flat=True)
        )
        gone = 0
        for name in chunk:
            if name not in known and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                gone += 1
        chunk.clear()
        return gone

    for name in _files_under(directory.rstrip("/")):
        chunk.append(name)
        if len(chunk) >= CHUNK:
            removed += flush()
    if chunk:
        removed += flush()
    if removed:
        logger.info("%s archivos sin registro borrados de %s", removed, directory)
    return removed


# Where each app stores files, with the row that owns each one: (directory, model, field).
# Declared by the owning app (its jobs.py), so this module names none of them.
_OWNERS: list[tuple[str, type[Model], str]] = []


def stored_files(directory: str, model: type[Model], field: str) -> None:
    """Declare that the files under `directory` belong to `model.field` rows."""
    if (directory, model, field) not in _OWNERS:
        _OWNERS.append((directory, model, field))


def sweep_all(*, now: datetime | None = None) -> int:
    """Every directory where the SGU stores files, with the row that owns each file."""
    return sum(
        sweep_orphan_files(directory, model, field, now=now) for directory, model, field in _OWNERS
    )
