from django.conf import settings
from django.db import models
from django.db.models import Q

from sgu.cases.workflow import Actor, State


class Channel(models.TextChoices):
    WEB = "WEB", "Web"
    APP = "APP", "Aplicativo móvil"
    PRESENCIAL = "PRESENCIAL", "Presencial"
    TELEFONICO = "TELEFONICO", "Telefónico"


class Outcome(models.TextChoices):
    RESOLVED = "RESOLVED", "Resuelto"
    NOT_RESOLVED = "NOT_RESOLVED", "No resuelto"
    NOT_APPLICABLE = "NOT_APPLICABLE", "No corresponde"


class CaseSequence(models.Model):
    """Last correlative number given per year (one row per year, bumped atomically)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class Case(models.Model):
    """A problem a user reported about an operator (gestión)."""

    code = models.CharField("código", max_length=20, unique=True)
    # No index of their own for citizen, operator, subcategory and office: each leads a
    # composite index below (case_citizen_idx, case_operator_*, case_subcat_reg_idx,
    # case_office_reg_idx), which serves their lookups as well; one more index would only cost
    # every registration an insertion (docs/benchmarks.md, «Issue 19»).
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    subcategory = models.ForeignKey(
        "catalog.Subcategory", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    service = models.CharField("servicio", max_length=10)  # denormalised for trays/statistics
    channel = models.CharField("canal", max_length=12, choices=Channel.choices)
    service_number = models.CharField("número de servicio", max_length=20)
    description = models.TextField("descripción")
    fields = models.JSONField("datos adicionales", default=dict, blank=True)
    state = models.CharField("estado", max_length=16, choices=State.choices)
    registered_at = models.DateTimeField("registrado")
    forwarded_at = models.DateTimeField("trasladado", null=True, blank=True)
    received_on = models.DateField("recibido (día hábil)", null=True, blank=True)
    due_at = models.DateTimeField("plazo", null=True, blank=True)
    due_explanation = models.TextField("cómo se calculó el plazo", blank=True)
    acknowledged_at = models.DateTimeField("en atención desde", null=True, blank=True)
    answered_at = models.DateTimeField("atendido", null=True, blank=True)
    # End of the citizen's rating window; after it an unrated case is closed as not rated.
    rating_due_at = models.DateTimeField("plazo para calificar", null=True, blank=True)
    closed_at = models.DateTimeField("cerrado", null=True, blank=True)
    office = models.ForeignKey(
        "catalog.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_cases",
    )
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "caso"
        verbose_name_plural = "casos"
        indexes = [
            # Operator tray: one operator's cases by due date (keyset pagination on it).
            models.Index(fields=["operator", "due_at", "id"], name="case_operator_due_idx"),
            # The same tray filtered by state: a range of this index instead of walking the
            # operator's whole history by due date to find the few cases in that state.
            models.Index(
                fields=["operator", "state", "due_at", "id"], name="case_operator_state_due_idx"
            ),
            models.Index(fields=["operator", "updated_at", "id"], name="case_operator_upd_idx"),
            # Cases changed since a moment, all operators: the statistics rollups' dirty days.
            models.Index(fields=["updated_at"], name="case_updated_idx"),
            # A citizen's cases, newest first.
            models.Index(fields=["citizen", "-registered_at"], name="case_citizen_idx"),
            # Open cases whose plazo may pass (the scheduler's query).
            models.Index(
                fields=["due_at"],
                name="case_open_due_idx",
                condition=Q(state__in=["FORWARDED", "IN_PROGRESS"]),
            ),
            # Answered cases whose rating window may close (the scheduler's other query).
            models.Index(
                fields=["rating_due_at"],
                name="case_rating_due_idx",
                condition=Q(state="ANSWERED"),
            ),
            # The regulator's tracking tray (newest first), alone and under its usual filters;
            # each index ends in the tray's ordering so a filtered page is an index range scan.
            models.Index(fields=["-registered_at", "-id"], name="case_reg_idx"),
            models.Index(fields=["state", "-registered_at", "-id"], name="case_state_reg_idx"),
            models.Index(
                fields=["operator", "-registered_at", "-id"], name="case_operator_reg_idx"
            ),
            models.Index(
                fields=["subcategory", "-registered_at", "-id"], name="case_subcat_reg_idx"
            ),
            models.Index(
                fields=["office", "-registered_at", "-id"],
                name="case_office_reg_idx",
                condition=Q(office__isnull=False),
            ),
            models.Index(
                fields=["channel", "-registered_at", "-id"],
                name="case_assisted_reg_idx",
                condition=Q(channel__in=["PRESENCIAL", "TELEFONICO"]),
            ),
            # Free-text search is an exact match on the line (code is unique already).
            models.Index(fields=["service_number"], name="case_service_number_idx"),
            # The cases still owing an answer (a few % of the table) with every column "overdue
            # now" of the statistics groups by: an index-only scan of a small index instead of
            # thousands of table pages per month (docs/benchmarks.md, "Estadísticas a 10
            # millones").
            models.Index(
                fields=[
                    "registered_at",
                    "state",
                    "due_at",
                    "operator",
                    "subcategory",
                    "channel",
                    "office",
                ],
                name="case_unanswered_stats_idx",
                condition=Q(state__in=["FORWARDED", "IN_PROGRESS", "OVERDUE"]),
            ),
            # "Vence primero" ordering of the running cases.
            models.Index(
                fields=["due_at", "id"],
                name="case_running_due_idx",
                condition=Q(state__in=["FORWARDED", "IN_PROGRESS", "OVERDUE"]),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def awaiting_email_confirmation(self) -> bool:
        """Registered, not yet forwarded: the plazo starts when the citizen confirms."""
        return self.state == State.REGISTERED

    @property
    def returned(self) -> bool:
        """Sent back by the operator, waiting for the regulator's review."""
        return self.state == State.RETURNED


class SavedTrayView(models.Model):
    """A tracking-tray filter a regulator user saved under a name ("vencidos de hoy")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tray_views"
    )
    name = models.CharField("nombre", max_length=80)
    query = models.CharField("filtros", max_length=1000, blank=True)
    created_at = models.DateTimeField("creada", auto_now_add=True)

    class Meta:
        verbose_name = "vista guardada de la bandeja"
        verbose_name_plural = "vistas guardadas de la bandeja"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="tray_view_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name


class Solution(models.Model):
    """The operator's answer (one per case; a case is answered once)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="solution")
    outcome = models.CharField("resultado", max_length=16, choices=Outcome.choices)
    detail = models.TextField("detalle de la solución")
    actions = models.TextField("acciones realizadas", blank=True)
    executed_at = models.DateField("fecha de ejecución")
    responsible = models.CharField("responsable", max_length=120)
    recorded_at = models.DateTimeField("registrada")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    on_time = models.BooleanField("dentro del plazo")
    # Business days from the received day to the answer's Lima date (0 = answered the day it
    # was received), computed once with the calendar so statistics stay SQL aggregates.
    response_business_days = models.PositiveSmallIntegerField(
        "tiempo de respuesta (días hábiles)", null=True, blank=True
    )


class Rating(models.Model):
    """The citizen's rating of the operator's answer."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="rating")
    resolved = models.BooleanField("¿se resolvió?")
    score = models.PositiveSmallIntegerField("satisfacción (1 a 5)")
    comment = models.TextField("comentario", blank=True)
    rated_at = models.DateTimeField("calificado")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_5"
            )
        ]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Content-addressed: the name a person gave never reaches the file system.
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[instance.content_type]
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField("nombre", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField("tamaño (bytes)")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    uploaded_at = models.DateTimeField("subido")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["uploaded_at", "id"]


class CaseEvent(models.Model):
    """One line of a case's timeline. Append-only: never updated, never deleted."""

    # Indexed by case_event_case_at_idx (case, at), not by an index of its own.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    at = models.DateTimeField("fecha")
    kind = models.CharField("evento", max_length=24)  # the workflow Action, or NOTE, ATTACHMENT…
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_role = models.CharField("actor", max_length=12, choices=Actor.choices)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField("nota", blank=True)
    internal = models.BooleanField(
        "nota interna", default=False, help_text="No se muestra al ciudadano."
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at_idx")]


class ClaimState(models.TextChoices):
    PENDING_CODE = "PENDING_CODE", "Esperando código"
    CODED = "CODED", "Con código"


class Claim(models.Model):
    """A formal reclamo generated from a case. Stores what the claim form needs (DOMAIN §3)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="claim")
    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.PROTECT, related_name="claims"
    )
    state = models.CharField(
        "estado", max_length=12, choices=ClaimState.choices, default=ClaimState.PENDING_CODE
    )
    # The claim form's data, frozen at the moment the claim is requested.
    holder_name = models.CharField("titular", max_length=300)
    holder_document_type = models.CharField("tipo de documento", max_length=10)
    holder_document_number = models.CharField("número de documento", max_length=12)
    service = models.CharField("servicio", max_length=10)
    service_number = models.CharField("número de servicio", max_length=20)
    reason = models.TextField("motivo del reclamo")
    request = models.TextField("pedido concreto")
    amount = models.DecimalField(
        "monto reclamado (S/)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    notify_email = models.EmailField("correo para notificaciones")
    resolution_days = models.PositiveSmallIntegerField("plazo de resolución (días hábiles)")
    requested_at = models.DateTimeField("solicitado")
    code_due_at = models.DateTimeField("plazo para asignar código")
    claim_code = models.CharField("código de reclamo", max_length=40, null=True, blank=True)
    coded_at = models.DateTimeField("código asignado", null=True, blank=True)
    coded_late = models.BooleanField("código asignado fuera de plazo", default=False)
    resolution_due_at = models.DateTimeField("plazo de resolución", null=True, blank=True)
    form_pdf = models.FileField("formulario (PDF)", upload_to="claims/", blank=True)

    class Meta:
        verbose_name = "reclamo"
        verbose_name_plural = "reclamos"
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "claim_code"],
                condition=Q(claim_code__isnull=False),
                name="claim_code_unique_per_operator",
            )
        ]
        indexes = [models.Index(fields=["operator", "state", "code_due_at"], name="claim_tray_idx")]

    def __str__(self) -> str:
        return self.claim_code or f"reclamo de {self.case_id}"

    @property
    def is_coded(self) -> bool:
        return self.state == ClaimState.CODED

    @property
    def awaits_code(self) -> bool:
        return self.state == ClaimState.PENDING_CODE

    @property
    def has_form(self) -> bool:
        """The claim form (PDF) exists: made when the operator gives the code."""
        return self.is_coded and bool(self.form_pdf)
