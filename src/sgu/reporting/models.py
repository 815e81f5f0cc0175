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
