"""Suggestions box (issue 8): anyone sends a suggestion and gets a code; it is routed to the
responsible area of the regulator (by its topic, or by staff triage), the area answers the
sender by email, and the actions taken are recorded. Nothing is deleted: the events are the
record the annual report is made from."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class SuggestionTopic(models.Model):
    """What a suggestion is about, and the area that answers it by default."""

    code = models.SlugField("código", max_length=30, unique=True)
    name = models.CharField("nombre", max_length=120)
    area = models.ForeignKey(
        "attention.Area",
        verbose_name="área responsable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Las sugerencias de este tema se derivan solas a esta área. Vacío: las "
        "deriva el personal del regulador.",
    )
    active = models.BooleanField("activo", default=True)
    position = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "tema de sugerencia"
        verbose_name_plural = "temas de sugerencia"

    def __str__(self) -> str:
        return self.name


class SuggestionState(models.TextChoices):
    RECEIVED = "RECEIVED", "Recibida (por derivar)"
    ROUTED = "ROUTED", "Derivada al área"
    ANSWERED = "ANSWERED", "Respondida"
    REDIRECTED = "REDIRECTED", "No es sugerencia: atendida como consulta o reclamo"


class SuggestionChannel(models.TextChoices):
    WEB = "WEB", "Formulario web"
    API = "API", "API"
    # Received by other means and entered by the regulator's staff (attention manual 9.1).
    PHONE = "TELEFONO", "Teléfono"
    LETTER = "CARTA", "Carta o mesa de partes"
    SOCIAL = "REDES", "Redes sociales"
    IN_PERSON = "PRESENCIAL", "Presencial"


STAFF_CHANNELS = (
    SuggestionChannel.PHONE,
    SuggestionChannel.LETTER,
    SuggestionChannel.SOCIAL,
    SuggestionChannel.IN_PERSON,
)


class RedirectedAs(models.TextChoices):
    """What a submission that is not a suggestion is answered and routed as."""

    QUERY = "CONSULTA", "Consulta"
    COMPLAINT = "RECLAMO", "Reclamo"


class SuggestionSequence(models.Model):
    """Last number given to a year's suggestions (bumped atomically)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class Suggestion(models.Model):
    code = models.CharField("código", max_length=20, unique=True)
    received_at = models.DateTimeField("recibida")
    channel = models.CharField("canal", max_length=10, choices=SuggestionChannel.choices)
    name = models.CharField("nombre", max_length=120, blank=True)
    # Empty only for one entered by staff from a letter, a call… with no email given.
    email = models.EmailField("correo electrónico", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The responsible first decides whether it is a suggestion (null: not decided yet).
    is_suggestion = models.BooleanField("es sugerencia", null=True, blank=True)
    triaged_at = models.DateTimeField("calificada", null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="calificada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    redirected_as = models.CharField(
        "atendida como", max_length=10, choices=RedirectedAs.choices, blank=True
    )
    redirect_reference = models.CharField(
        "referencia (consulta o reclamo)", max_length=40, blank=True
    )
    text = models.TextField("sugerencia")
    topic = models.ForeignKey(
        SuggestionTopic,
        verbose_name="tema",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ciudadano",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    area = models.ForeignKey(
        "attention.Area",
        verbose_name="área responsable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        "estado", max_length=10, choices=SuggestionState.choices, default=SuggestionState.RECEIVED
    )
    routed_at = models.DateTimeField("derivada", null=True, blank=True)
    answer = models.TextField("respuesta", blank=True)
    answered_at = models.DateTimeField("respondida", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="respondida por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "sugerencia"
        verbose_name_plural = "sugerencias"
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="suggestion_received_idx"),
            models.Index(fields=["area", "state"], name="suggestion_area_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["RECEIVED", "REDIRECTED"]) | Q(area__isnull=False),
                name="suggestion_routed_has_area",
            ),
            models.CheckConstraint(
                condition=~Q(state="ANSWERED") | Q(answered_at__isnull=False),
                name="suggestion_answered_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def answered(self) -> bool:
        return self.state == SuggestionState.ANSWERED

    @property
    def open(self) -> bool:
        """Still to be answered (received or routed)."""
        return self.state in (SuggestionState.RECEIVED, SuggestionState.ROUTED)

    @property
    def redirected(self) -> bool:
        """Not a suggestion: answered and routed as a consulta or a complaint."""
        return self.state == SuggestionState.REDIRECTED

    @property
    def awaiting_triage(self) -> bool:
        """The responsible has not yet decided whether it is a suggestion."""
        return self.is_suggestion is None and self.state != SuggestionState.ANSWERED

    @property
    def entered_by_staff(self) -> bool:
        return self.channel in STAFF_CHANNELS


class EventKind(models.TextChoices):
    RECEIVED = "RECEIVED", "Recibida"
    ROUTED = "ROUTED", "Derivada"
    ANSWERED = "ANSWERED", "Respondida al remitente"
    ACTION = "ACTION", "Acción adoptada"
    TRIAGED = "TRIAGED", "Calificada como sugerencia"
    REDIRECTED = "REDIRECTED", "No es sugerencia: reencauzada"


class SuggestionEvent(models.Model):
    """What happened to a suggestion, in order: append-only."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name="sugerencia", on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField("fecha")
    kind = models.CharField("tipo", max_length=10, choices=EventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "attention.Area",
        verbose_name="área",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("detalle", blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "evento de sugerencia"
        verbose_name_plural = "eventos de sugerencias"
        indexes = [models.Index(fields=["kind", "at"], name="suggestion_event_kind_idx")]

    @property
    def routed(self) -> bool:
        return self.kind == EventKind.ROUTED


class AreaAnnualReport(models.Model):
    """Each area's annual report of the suggestions it received and the actions implemented,
    due to the responsible within the first ten business days of the next year (attention
    manual 9.1). One row per year and area, opened by the consolidated report's page; the
    due day is computed with the platform's calendar when the row is made."""

    year = models.PositiveSmallIntegerField("año informado")
    area = models.ForeignKey(
        "attention.Area", verbose_name="área", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("vence (10.º día hábil del año siguiente)")
    summary = models.TextField(
        "informe: sugerencias recibidas y acciones implementadas", blank=True
    )
    submitted_at = models.DateTimeField("presentado", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="presentado por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_time = models.BooleanField("presentado a tiempo", null=True, blank=True)

    class Meta:
        ordering = ["year", "area__name"]
        verbose_name = "informe anual de un área"
        verbose_name_plural = "informes anuales de las áreas"
        constraints = [
            models.UniqueConstraint(fields=["year", "area"], name="suggestion_area_report_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.area} — {self.year}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None
