"""What a report does to the requests: upsert by (operator, code) with the history of every
report, later days win, a corrected file replaces its day, the same file twice is harmless,
the task is enqueued with the batch, and a report lands whole or not at all."""

from datetime import date

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from factories import run_tasks
from service_requests.helpers import (
    DAY,
    baja,
    by,
    csv_bytes,
    csv_file,
    errors_of,
    landed,
    migracion,
    send,
)
from sgu.service_requests import ingest, services
from sgu.service_requests.models import (
    Batch,
    DailyReport,
    ServiceRequest,
    ServiceRequestReport,
)

pytestmark = pytest.mark.django_db

DAY2 = date(2026, 3, 10)


def history(code: str) -> list[tuple]:
    return list(
        ServiceRequestReport.objects.filter(request_code=code)
        .order_by("report_date", "batch")
        .values_list("report_date", "status", "batch")
    )


def test_a_report_creates_the_requests_and_their_first_history_row(claro):
    batch = send(claro, csv_bytes([baja(), migracion()]))

    assert batch.state == "DONE"
    assert (batch.rows_total, batch.rows_ok, batch.bajas, batch.migraciones) == (2, 2, 1, 1)
    request = ServiceRequest.objects.get(request_code="B-0001")
    assert (request.operator, request.kind, request.status) == (claro, "BAJA", "REGISTRADA")
    assert (request.report_date, request.first_report_date, request.batch_id) == (
        DAY,
        DAY,
        batch.pk,
    )
    assert history("B-0001") == [(DAY, "REGISTRADA", batch.pk)]
    day = DailyReport.objects.get(operator=claro, report_date=DAY)
    assert day.batch_id == batch.pk and day.received_at == batch.uploaded_at


def test_a_later_report_updates_status_and_dates_and_the_history_keeps_both(claro):
    first = send(claro, csv_bytes([baja("B-1")]))
    second = send(
        claro,
        csv_bytes(
            [baja("B-1", status="EJECUTADA", executed_at="2026-03-10 09:30")],
        ),
        day=DAY2,
    )

    request = ServiceRequest.objects.get(request_code="B-1")
    assert request.status == "EJECUTADA"
    assert request.executed_at.isoformat() == "2026-03-10T14:30:00+00:00"
    assert (request.report_date, request.first_report_date) == (DAY2, DAY)
    assert history("B-1") == [(DAY, "REGISTRADA", first.pk), (DAY2, "EJECUTADA", second.pk)]


def test_a_late_report_of_an_earlier_day_goes_to_the_history_only(claro):
    send(claro, csv_bytes([baja("B-1", status="EN_PROCESO")]), day=DAY2)
    late = send(claro, csv_bytes([baja("B-1")]))

    assert late.state == "DONE"
    assert ServiceRequest.objects.get(request_code="B-1").status == "EN_PROCESO"
    assert [s for _, s, _ in history("B-1")] == ["REGISTRADA", "EN_PROCESO"]


def test_the_same_code_of_two_operators_are_two_requests(claro, movistar):
    send(claro, csv_bytes([baja("X-1")]))
    send(movistar, csv_bytes([baja("X-1", kind="MIGRACION", to_plan="Plan B")]))

    assert landed() == (2, 2)


def test_a_code_keeps_its_kind(claro):
    send(claro, csv_bytes([baja("B-1")]))
    before = landed()
    refused = send(claro, csv_bytes([migracion("B-1"), baja("B-2")]), day=DAY2)

    assert refused.state == "REJECTED"
    assert errors_of(refused) == [
        (
            2,
            "kind",
            "El pedido «B-1» ya se reportó como BAJA: su tipo no puede cambiar a MIGRACION.",
        )
    ]
    assert landed() == before


# --- the same file, a corrected file ---------------------------------------------------------


def test_sending_the_same_file_again_is_harmless(claro):
    content = csv_bytes([baja()])
    first = send(claro, content)
    tasks = DBTaskResult.objects.count()

    again, created = services.receive_report(file=csv_file([baja()]), report_date=DAY, by=by(claro))

    assert (again.pk, created) == (first.pk, False)
    assert DBTaskResult.objects.count() == tasks  # nothing queued again
    assert Batch.objects.count() == 1 and landed() == (1, 1)


def test_the_same_content_for_another_day_is_another_report(claro):
    empty = csv_bytes([])  # two days without requests: identical files
    one = send(claro, empty)
    two = send(claro, empty, day=DAY2)

    assert one.pk != two.pk and two.state == "DONE"


def test_a_corrected_file_replaces_its_day(claro):
    wrong = send(claro, csv_bytes([baja("B-1"), baja("B-2"), baja("B-TYPO", kind="BAJA")]))
    nextday = send(claro, csv_bytes([baja("B-1", status="EN_PROCESO")]), day=DAY2)
    fixed = send(claro, csv_bytes([baja("B-1"), migracion("B-TYPO"), baja("B-3")]))

    assert fixed.state == "DONE", errors_of(fixed)
    wrong.refresh_from_db()
    assert wrong.replaced_by_id == fixed.pk and wrong.replaced_at is not None
    codes = set(ServiceRequest.objects.values_list("request_code", flat=True))
    assert codes == {"B-1", "B-TYPO", "B-3"}  # B-2 was only in the wrong file
    assert ServiceRequest.objects.get(request_code="B-TYPO").kind == "MIGRACION"
    # The next day's report still stands for B-1; its history lost the wrong file's row.
    assert ServiceRequest.objects.get(request_code="B-1").status == "EN_PROCESO"
    assert history("B-1") == [(DAY, "REGISTRADA", fixed.pk), (DAY2, "EN_PROCESO", nextday.pk)]
    assert DailyReport.objects.get(operator=claro, report_date=DAY).batch_id == fixed.pk
    assert not ServiceRequestReport.objects.filter(batch=wrong.pk).exists()


def test_a_request_the_correction_drops_returns_to_its_earlier_report(claro):
    first = send(claro, csv_bytes([baja("B-1")]))
    wrong = send(claro, csv_bytes([baja("B-1", status="ANULADA")]), day=DAY2)
    fixed = send(claro, csv_bytes([baja("B-9", requested_at="2026-03-10 08:00")]), day=DAY2)

    request = ServiceRequest.objects.get(request_code="B-1")
    assert (request.status, request.report_date, request.batch_id) == (
        "REGISTRADA",
        DAY,
        first.pk,
    )
    assert Batch.objects.get(pk=wrong.pk).replaced_by_id == fixed.pk


def test_a_refused_correction_leaves_the_day_as_it_was(claro):
    good = send(claro, csv_bytes([baja("B-1"), baja("B-2")]))
    bad = send(claro, csv_bytes([baja("B-1"), baja("B-3", status="NADA")]))

    assert bad.state == "REJECTED"
    assert Batch.objects.get(pk=good.pk).replaced_by_id is None
    assert set(ServiceRequest.objects.values_list("request_code", flat=True)) == {"B-1", "B-2"}
    assert DailyReport.objects.get(operator=claro, report_date=DAY).batch_id == good.pk


def test_an_older_upload_processed_after_a_newer_one_does_not_undo_it(claro):
    older = send(claro, csv_bytes([baja("B-OLD")]), process=False)
    newer = send(claro, csv_bytes([baja("B-NEW")]), process=False)

    ingest.process_batch(newer.pk)
    ingest.process_batch(older.pk)

    older.refresh_from_db()
    assert older.state == "DONE" and older.replaced_by_id == newer.pk
    assert list(ServiceRequest.objects.values_list("request_code", flat=True)) == ["B-NEW"]
    assert DailyReport.objects.get(operator=claro, report_date=DAY).batch_id == newer.pk


# --- the task --------------------------------------------------------------------------------


def test_the_task_is_queued_in_the_same_transaction_as_the_report(claro):
    batch, _ = services.receive_report(file=csv_file([baja()]), report_date=DAY, by=by(claro))
    task = DBTaskResult.objects.get()
    assert task.task_path == "sgu.service_requests.tasks.process_report"
    assert task.args_kwargs == {"args": [batch.pk], "kwargs": {}}

    with pytest.raises(RuntimeError), transaction.atomic():
        services.receive_report(file=csv_file([baja("B-2")]), report_date=DAY2, by=by(claro))
        raise RuntimeError("la solicitud falló después")
    assert Batch.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_a_task_delivered_twice_processes_once(claro):
    batch = send(claro, csv_bytes([baja()]))

    assert ingest.process_batch(batch.pk) is None
    assert landed() == (1, 1)


def test_a_failure_of_ours_is_reported_and_the_same_file_can_be_sent_again(claro, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(services, "land_report", broken)
    failed = send(claro, csv_bytes([baja()]))
    assert failed.state == "REJECTED" and failed.internal_error
    assert errors_of(failed) == [(0, "archivo", ingest.INTERNAL_ERROR)]
    assert landed() == (0, 0)

    monkeypatch.undo()
    again, created = services.receive_report(file=csv_file([baja()]), report_date=DAY, by=by(claro))
    assert created and again.pk != failed.pk
    run_tasks()
    assert Batch.objects.get(pk=again.pk).state == "DONE"


# --- the other policy: load the valid rows ----------------------------------------------------


@pytest.fixture
def skip_rows(settings):
    settings.SGU = {
        **settings.SGU,
        "SERVICE_REQUESTS": {**settings.SGU["SERVICE_REQUESTS"], "ON_ERROR": "SKIP_ROWS"},
    }


def test_with_skip_rows_the_valid_rows_land_and_the_rest_is_reported(claro, skip_rows):
    rows = [baja("B-1"), baja("B-2", status="NADA"), migracion("M-1"), baja("B-1"), baja("B-3")]
    batch = send(claro, csv_bytes(rows))

    assert batch.state == "DONE"
    assert (batch.rows_total, batch.rows_ok, batch.rows_rejected) == (5, 2, 3)
    assert (batch.bajas, batch.migraciones) == (1, 1)
    assert set(ServiceRequest.objects.values_list("request_code", flat=True)) == {"M-1", "B-3"}
    assert [(r, f) for r, f, _ in errors_of(batch)] == [
        (2, "request_code"),
        (3, "status"),
        (5, "request_code"),
    ]


def test_with_skip_rows_a_kind_change_is_refused_alone(claro, skip_rows):
    send(claro, csv_bytes([baja("B-1")]))
    batch = send(claro, csv_bytes([migracion("B-1"), baja("B-2")]), day=DAY2)

    assert batch.state == "DONE" and batch.rows_rejected == 1
    assert ServiceRequest.objects.get(request_code="B-1").kind == "BAJA"
    assert history("B-1")[-1][0] == DAY  # the refused row left no history
    assert ServiceRequest.objects.filter(request_code="B-2").exists()


@pytest.mark.parametrize("chunk", [1, 2, 50_000])
def test_the_outcome_does_not_depend_on_how_the_file_is_cut(claro, skip_rows, monkeypatch, chunk):
    """PostgreSQL merges by chunks while it reads; a duplicate in two chunks, or a change of
    kind, sends it back to the complete path: the result is the same either way."""
    monkeypatch.setattr(ingest, "PIPE_CHUNK", chunk)
    send(claro, csv_bytes([baja("B-1")]))
    rows = [baja("B-2"), baja("B-3"), baja("B-2"), migracion("M-1"), migracion("B-1"), baja("B-4")]
    batch = send(claro, csv_bytes(rows), day=DAY2)

    assert (batch.state, batch.rows_ok, batch.rows_rejected, batch.rows_read) == ("DONE", 3, 3, 6)
    assert (batch.bajas, batch.migraciones, batch.progress) == (2, 1, 100)
    assert set(ServiceRequest.objects.values_list("request_code", "kind")) == {
        ("B-1", "BAJA"),
        ("B-3", "BAJA"),
        ("M-1", "MIGRACION"),
        ("B-4", "BAJA"),
    }
    assert ServiceRequestReport.objects.filter(batch=batch.pk).count() == 3


@pytest.mark.parametrize("chunk", [1, 50_000])
def test_a_clean_file_in_several_chunks_lands_whole(claro, monkeypatch, chunk):
    monkeypatch.setattr(ingest, "PIPE_CHUNK", chunk)
    old = send(claro, csv_bytes([baja("B-0")]))
    batch = send(claro, csv_bytes([baja(f"B-{i}") for i in range(1, 6)]))

    assert (batch.state, batch.rows_ok, batch.rows_read) == ("DONE", 5, 5)
    assert Batch.objects.get(pk=old.pk).replaced_by_id == batch.pk
    assert landed() == (5, 5)
