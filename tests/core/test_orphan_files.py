"""Files stored by a transaction that never committed are removed by the scheduler's sweep,
once old enough; files that a row names are never touched."""

import os
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from factories import png_upload, register_case
from service_requests.helpers import baja, csv_bytes, send
from sgu.cases.models import Attachment
from sgu.core.files import sweep_all

pytestmark = pytest.mark.django_db


def stored(directory: str) -> list[str]:
    from sgu.core.files import _files_under

    return sorted(_files_under(directory))


def written_now(names: list[str]) -> None:
    """The disk stamps files with the machine's clock; the suite's clock is pinned."""
    stamp = timezone.now().timestamp()
    for name in names:
        os.utime(default_storage.path(name), (stamp, stamp))


def test_a_registration_that_fails_after_storing_its_evidence_leaves_nothing_for_long(citizen):
    failing = mock.patch(
        "sgu.cases.services.registration._number_case",
        side_effect=RuntimeError("caída"),
    )
    with failing, pytest.raises(RuntimeError), transaction.atomic():
        register_case(citizen, attachments=[png_upload()])
    assert Attachment.objects.count() == 0
    assert len(stored("attachments")) == 1  # written before the rollback
    written_now(stored("attachments"))

    assert sweep_all() == 0  # within the grace period: a transaction might still commit it
    assert sweep_all(now=timezone.now() + timedelta(hours=2)) == 1
    assert stored("attachments") == []


def test_files_that_a_row_names_are_kept(citizen, claro):
    case = register_case(citizen, attachments=[png_upload()])
    batch = send(claro, csv_bytes([baja("B-1")]))
    later = timezone.now() + timedelta(days=30)

    assert sweep_all(now=later) == 0
    attachment = case.attachments.get()
    assert stored("attachments") == [attachment.file.name]
    assert default_storage.exists(batch.file.name)
    with attachment.file.open("rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_store_that_was_never_used_is_fine(db):
    assert sweep_all(now=timezone.now() + timedelta(days=1)) == 0
