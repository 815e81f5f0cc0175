from django.conf import settings
from django.db import models


class CalendarDay(models.Model):
    """An administrator's exception to the national calendar.

    Either a decreed non-working day (día no laborable, which no package knows) or a day
    that is worked although the calendar says otherwise (e.g. a recovered day).
    """

    date = models.DateField("fecha", unique=True)
    is_working = models.BooleanField(
        "es día hábil",
        default=False,
        help_text="Marque si ese día se trabaja (p. ej. día de recuperación). "
        "Desmarcado: día no laborable decretado.",
    )
    reason = models.CharField("motivo", max_length=200)
    created_at = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "día del calendario"
        verbose_name_plural = "días del calendario (no laborables / hábiles)"

    def __str__(self) -> str:
        kind = "hábil" if self.is_working else "no laborable"
        return f"{self.date:%d/%m/%Y} — {kind}: {self.reason}"


class IdempotencyRecord(models.Model):
    """The first answer given to a creating POST with an Idempotency-Key.

    Stored in the same transaction as the creation itself, so a retried request either
    finds the finished answer or repeats the whole creation — never half of it.
    """

    scope = models.CharField(max_length=80)  # who asked: "user:12", "operator:3"
    key = models.CharField(max_length=200)
    method_path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    # A text in response_body that stands for a value written after the answer was stored
    # (core.idempotency.Placeholder: a case's code, numbered last): replaced at each replay by
    # that value, read from its row. {"text", "model", "pk", "field"}; None if there is none.
    placeholder = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_uniq")
        ]


class AuditEvent(models.Model):
    """Security- and data-relevant actions. Append-only: no service updates or deletes it."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=80)
    target = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "evento de auditoría"
        verbose_name_plural = "eventos de auditoría"


class RateCounter(models.Model):
    """Requests counted per key and fixed time window (rate limits shared by all processes)."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_uniq")
        ]


class ProcessHeartbeat(models.Model):
    """A background process saying it is alive: each task worker and scheduler rewrites its
    row every few seconds (core/worker.py). A task RUNNING under a worker whose row went stale
    is taken again; /readyz reports the freshest row of each kind."""

    WORKER = "worker"
    SCHEDULER = "scheduler"

    name = models.CharField(max_length=64, unique=True)  # the worker id, or scheduler-host-pid
    kind = models.CharField(max_length=16, choices=[(WORKER, "worker"), (SCHEDULER, "scheduler")])
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    # Seconds between beats this process promised; "fresh" is judged against it.
    every = models.FloatField(default=10)
    # The task this worker is running now ("" when idle).
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "latido de proceso"
        verbose_name_plural = "latidos de procesos"

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class ReferenceStamp(models.Model):
    """The version of the reference data (catalog, calendar) every process checks before using
    what it cached (core/reference.py); bumped by each change made through the admin."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.CharField(max_length=32)
