from django.db import models


class DailyReport(models.Model):
    """The consolidated report of one day (cases in, answered, overdue, claims, by operator),
    generated each morning by the scheduler; one per day (the date is the idempotency key)."""

    day = models.DateField("día", unique=True)
    generated_at = models.DateTimeField("generado")
    rows = models.JSONField("filas", default=list)

    class Meta:
        ordering = ["-day"]
        verbose_name = "reporte diario"
        verbose_name_plural = "reportes diarios"

    def __str__(self) -> str:
        return f"Reporte del {self.day:%d/%m/%Y}"


# --- rollups: the statistics' figures per registration day, refreshed by a task -------------------
# One row per Lima registration day and (operator, subcategory, service, channel, office): the
# additive parts of every indicator (counts and sums), so that a month is a sum over ~30 days of
# small rows instead of a scan of hundreds of thousands of cases. What is not additive is not
# here: "overdue now" depends on the moment of the query and is always computed from the cases,
# and percentiles come from the histogram in ResponseDayStat. See sgu.reporting.rollups.


class CaseDayStat(models.Model):
    day = models.DateField("día de registro (Lima)")
    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    subcategory = models.ForeignKey(
        "catalog.Subcategory", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    service = models.CharField(max_length=10)
    channel = models.CharField(max_length=12)
    office = models.ForeignKey(
        "catalog.Office",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    cases = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    response_n = models.PositiveIntegerField(default=0)  # answered with a response time
    response_sum = models.PositiveBigIntegerField(default=0)  # business days, summed
    rated = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveBigIntegerField(default=0)
    claims = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="case_day_stat_day_idx")]


class ResponseDayStat(models.Model):
    """How many cases registered that day were answered in `days` business days (per operator
    and service): the histogram the 90th percentile is read from."""

    day = models.DateField("día de registro (Lima)")
    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    service = models.CharField(max_length=10)
    days = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="response_day_stat_day_idx")]


class RollupState(models.Model):
    """A single row (pk=1): up to when the rollups are exact. Cases changed after
    `refreshed_at - MARGIN` make their registration day "dirty": read from the cases."""

    refreshed_at = models.DateTimeField("rollups al", null=True)
    full_at = models.DateTimeField("última reconstrucción completa", null=True)
    requested_at = models.DateTimeField("tarea pedida", null=True)
    last_seconds = models.FloatField("duración de la última actualización", null=True)
    last_days = models.IntegerField("días recalculados en la última (-1: todos)", null=True)
