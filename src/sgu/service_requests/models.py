"""Bajas y migraciones (DOMAIN §7): the operators' daily reports and what they say.

- `Batch`: one report (a file, or rows sent as JSON) of one operator for one day, processed
  by the worker. Its `BatchError` rows are every problem found, by row and column.
- `ServiceRequest`: each request as the latest report says it is today, unique by (operator,
  request code); `ServiceRequestReport`: every report of it (its history), one per batch.
- `DailyReport`: one per operator and day: which batch stands for that day, whether it came
  late, and whether the day was flagged as missing.

The merge into these tables is set-based SQL (`ingest.py`), not the ORM; the invariants that
must hold whatever writes them are database constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sgu.service_requests.layout import DOCUMENT_TYPES, KINDS, STATUSES


class Kind(models.TextChoices):
    BAJA = "BAJA", "Baja"
    MIGRACION = "MIGRACION", "Migración"


class Channel(models.TextChoices):
    PRESENCIAL = "PRESENCIAL", "Presencial"
    TELEFONICO = "TELEFONICO", "Telefónico"
    WEB = "WEB", "Web"
    APP = "APP", "Aplicación"
    OTRO = "OTRO", "Otro"


class Service(models.TextChoices):
    MOVIL = "MOVIL", "Móvil"
    FIJO = "FIJO", "Fijo"
    INTERNET = "INTERNET", "Internet"
    TV = "TV", "TV de paga"


class Status(models.TextChoices):
    REGISTRADA = "REGISTRADA", "Registrada"
    EN_PROCESO = "EN_PROCESO", "En proceso"
    EJECUTADA = "EJECUTADA", "Ejecutada"
    RECHAZADA = "RECHAZADA", "Rechazada"
    ANULADA = "ANULADA", "Anulada"


class ServiceState(models.TextChoices):
    """The state of the service itself, besides the request's (bajas-migraciones: "estado de
    servicio"). Empty: not reported (a file in the layout before the column)."""

    ACTIVO = "ACTIVO", "Activo"
    SUSPENDIDO = "SUSPENDIDO", "Suspendido"
    DADO_DE_BAJA = "DADO_DE_BAJA", "Dado de baja"
    MIGRADO = "MIGRADO", "Migrado"


NOT_REPORTED = "No informado por la operadora"


def service_state_words(value: str) -> str:
    """The state of the service in plain words (empty: the report did not give it)."""
    return ServiceState(value).label if value in ServiceState.values else NOT_REPORTED


class BatchState(models.TextChoices):
    QUEUED = "QUEUED", "En cola"
    PROCESSING = "PROCESSING", "Procesando"
    DONE = "DONE", "Cargado"
    REJECTED = "REJECTED", "Rechazado"


class BatchSource(models.TextChoices):
    CSV = "CSV", "Archivo CSV"
    XLSX = "XLSX", "Libro XLSX"
    JSON = "JSON", "Filas por la API (JSON)"


class OnError(models.TextChoices):
    REJECT_FILE = "REJECT_FILE", "Rechazar todo el reporte si una fila tiene errores"
    SKIP_ROWS = "SKIP_ROWS", "Cargar las filas válidas y reportar las demás"


def batch_path(batch: "Batch", filename: str) -> str:
    ext = {"CSV": "csv", "XLSX": "xlsx", "JSON": "csv"}[batch.source]
    return (
        f"service_requests/{batch.operator.code}/{batch.report_date:%Y/%m/%d}/"
        f"{batch.sha256[:16]}.{ext}"
    )


class Batch(models.Model):
    """One report of one operator for one day, as received (the file is kept)."""

    operator = models.ForeignKey(
        "catalog.Operator", verbose_name="operadora", on_delete=models.PROTECT, related_name="+"
    )
    report_date = models.DateField("día reportado")
    source = models.CharField("origen", max_length=5, choices=BatchSource.choices)
    file = models.FileField("archivo", upload_to=batch_path, max_length=200)
    original_name = models.CharField("nombre del archivo", max_length=200)
    size = models.BigIntegerField("tamaño (bytes)")
    sha256 = models.CharField("SHA-256 del contenido", max_length=64)
    on_error = models.CharField("si hay filas con errores", max_length=12, choices=OnError.choices)
    state = models.CharField(
        "estado", max_length=12, choices=BatchState.choices, default=BatchState.QUEUED
    )
    rows_total = models.PositiveIntegerField("filas", default=0)
    rows_ok = models.PositiveIntegerField("filas sin errores", default=0)
    rows_rejected = models.PositiveIntegerField("filas con errores", default=0)
    errors_total = models.PositiveIntegerField("errores", default=0)
    bajas = models.PositiveIntegerField("bajas", default=0)
    migraciones = models.PositiveIntegerField("migraciones", default=0)
    # Progress while the worker reads the file (the upload page polls it).
    rows_read = models.PositiveIntegerField("filas leídas", default=0)
    progress = models.PositiveSmallIntegerField("avance (%)", default=0)
    # Set when the worker failed for a reason of ours (not the file's): the same file may
    # then be sent again (it does not count as already received).
    internal_error = models.BooleanField("falla interna", default=False)
    uploaded_at = models.DateTimeField("recibido")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_key = models.ForeignKey(
        "accounts.OperatorApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField("inicio del proceso", null=True, blank=True)
    finished_at = models.DateTimeField("fin del proceso", null=True, blank=True)
    # A later report of the same day replaces this one (its rows stop counting).
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField("reemplazado", null=True, blank=True)

    class Meta:
        verbose_name = "reporte de bajas y migraciones"
        verbose_name_plural = "reportes de bajas y migraciones"
        constraints = [
            # The same content for the same day is the same report (idempotent re-upload).
            models.UniqueConstraint(
                fields=["operator", "report_date", "sha256"],
                condition=Q(internal_error=False),
                name="sr_batch_content_uniq",
            ),
            models.CheckConstraint(
                condition=Q(state__in=BatchState.values), name="sr_batch_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["operator", "-uploaded_at", "-id"], name="sr_batch_operator_idx"),
            models.Index(fields=["operator", "report_date"], name="sr_batch_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id}/{self.report_date:%Y-%m-%d} N.º {self.pk}"

    @property
    def queued(self) -> bool:
        return self.state == BatchState.QUEUED

    @property
    def processing(self) -> bool:
        return self.state == BatchState.PROCESSING

    @property
    def done(self) -> bool:
        return self.state == BatchState.DONE

    @property
    def rejected(self) -> bool:
        return self.state == BatchState.REJECTED

    @property
    def finished(self) -> bool:
        return self.state in (BatchState.DONE, BatchState.REJECTED)

    @property
    def landed(self) -> bool:
        """Its rows are the operator's report for that day (done and not replaced)."""
        return self.state == BatchState.DONE and self.replaced_by_id is None


class BatchError(models.Model):
    """One problem of a batch. Row 0 is the file as a whole; row 1 is the header line."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField("fila")
    field = models.CharField("columna", max_length=40)
    message = models.CharField("mensaje", max_length=400)

    class Meta:
        verbose_name = "error de un reporte"
        verbose_name_plural = "errores de los reportes"
        indexes = [models.Index(fields=["batch", "row", "id"], name="sr_error_batch_row_idx")]


class _RequestFields(models.Model):
    """The reported columns (docs/service_requests.md), shared by the request and its
    reports. Lengths and values are checked by `layout.RowChecker` before anything is
    written."""

    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    channel = models.CharField("canal", max_length=12, choices=Channel.choices)
    requested_at = models.DateTimeField("solicitado")
    document_type = models.CharField(
        "tipo de documento", max_length=10, choices=[(t, t) for t in DOCUMENT_TYPES]
    )
    document_number = models.CharField("número de documento", max_length=12)
    service_number = models.CharField("número de servicio", max_length=20, blank=True)
    contract = models.CharField("contrato", max_length=30, blank=True)
    service = models.CharField("servicio", max_length=10, choices=Service.choices)
    from_plan = models.CharField("plan de origen", max_length=100, blank=True)
    to_plan = models.CharField("plan de destino", max_length=100, blank=True)
    reason = models.CharField("motivo", max_length=500, blank=True)
    status = models.CharField("estado", max_length=12, choices=Status.choices)
    scheduled_date = models.DateField("fecha programada", null=True, blank=True)
    executed_at = models.DateTimeField("ejecutado", null=True, blank=True)
    rejection_reason = models.CharField("motivo del rechazo", max_length=500, blank=True)
    service_state = models.CharField(
        "estado del servicio", max_length=14, choices=ServiceState.choices, blank=True, default=""
    )
    # A baja executed after its scheduled date (computed while reading the row).
    late_execution = models.BooleanField("ejecutada después de la fecha programada")
    report_date = models.DateField("día del reporte")

    class Meta:
        abstract = True

    @property
    def service_state_label(self) -> str:
        return service_state_words(self.service_state)


class ServiceRequest(_RequestFields):
    """A baja or migración as the latest report of it says (by report day).

    Its foreign keys have no database constraint and no index of their own: the merge
    writes them from the batch being processed, and a constraint checked for each of a
    million rows at COMMIT cost more than the whole merge (docs/service_requests.md,
    "Diseño de la ingesta"). Nothing deletes operators or batches.
    """

    operator = models.ForeignKey(
        "catalog.Operator",
        verbose_name="operadora",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    request_code = models.CharField("código de pedido", max_length=40)
    # The batch that set the values above.
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    first_report_date = models.DateField("primer reporte")
    created_at = models.DateTimeField("registrado en el SGU")
    updated_at = models.DateTimeField("actualizado")

    class Meta:
        verbose_name = "solicitud de baja o migración"
        verbose_name_plural = "solicitudes de baja o migración"
        constraints = [
            # The upsert's key; code first so that the public lookup (code + document,
            # no operator) uses it too.
            models.UniqueConstraint(
                fields=["request_code", "operator"], name="sr_request_code_operator_uniq"
            ),
            models.CheckConstraint(condition=Q(kind__in=KINDS), name="sr_request_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=STATUSES), name="sr_request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(executed_at__isnull=True) | Q(status="EJECUTADA"),
                name="sr_request_executed_only_if_done",
            ),
        ]
        indexes = [
            # Monitoring (selectors.py): each alert reads only its own slice of the table.
            models.Index(
                fields=["scheduled_date", "id"],
                condition=Q(kind="BAJA")
                & Q(scheduled_date__isnull=False)
                & (Q(status__in=["REGISTRADA", "EN_PROCESO"]) | Q(late_execution=True)),
                name="sr_bajas_due_idx",
            ),
            models.Index(
                fields=["requested_at", "id"],
                condition=Q(kind="MIGRACION") & Q(status="REGISTRADA"),
                name="sr_migrations_open_idx",
            ),
            models.Index(
                fields=["requested_at", "id"],
                condition=Q(kind="BAJA") & Q(status="RECHAZADA"),
                name="sr_bajas_rejected_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_code} ({self.get_kind_display()})"


class ServiceRequestReport(_RequestFields):
    """A request as one batch reported it: the history, one row per request and report.

    Keyed by (request code, operator, batch): the merge writes it straight from the staging
    table (no join), and a code twice in one file fails on the key (then it is reported row
    by row). Foreign keys without database constraints, for the same reason as
    ServiceRequest's.
    """

    # The key is the natural one (no serial id: one index less to fill per row).
    pk = models.CompositePrimaryKey("request_code", "operator", "batch")
    operator = models.ForeignKey(
        "catalog.Operator",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    request_code = models.CharField("código de pedido", max_length=40)
    # Indexed: replacing a day's report finds that report's rows by it.
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = "reporte de una solicitud"
        verbose_name_plural = "historial de las solicitudes"


class DailyReport(models.Model):
    """One operator's day: the batch that stands for it, and whether it came late or not
    at all (flagged the next morning by `services.flag_missing_reports`)."""

    operator = models.ForeignKey(
        "catalog.Operator", verbose_name="operadora", on_delete=models.PROTECT, related_name="+"
    )
    report_date = models.DateField("día")
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField("plazo para reportar")
    received_at = models.DateTimeField("primer reporte aceptado", null=True, blank=True)
    late = models.BooleanField("reportado fuera de plazo (o no reportado)", default=False)
    missing_flagged_at = models.DateTimeField("marcado como faltante", null=True, blank=True)

    class Meta:
        verbose_name = "día reportado"
        verbose_name_plural = "días reportados"
        constraints = [
            models.UniqueConstraint(fields=["operator", "report_date"], name="sr_day_uniq")
        ]
        indexes = [models.Index(fields=["report_date", "operator"], name="sr_day_date_idx")]

    def __str__(self) -> str:
        return f"{self.operator_id} {self.report_date:%Y-%m-%d}"
