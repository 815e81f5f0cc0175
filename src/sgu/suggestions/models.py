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


class SuggestionChannel(models.TextChoices):
    WEB = "WEB", "Formulario web"
    API = "API", "API"


class SuggestionSequence(models.Model):
    """Last number given to a year's suggestions (bumped atomically)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class Suggestion(models.Model):
    code = models.CharField("código", max_length=20, unique=True)
    received_at = models.DateTimeField("recibida")
    channel = models.CharField("canal", max_length=4, choices=SuggestionChannel.choices)
    name = models.CharField("nombre", max_length=120, blank=True)
    email = models.EmailField("correo electrónico")
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
                condition=Q(state="RECEIVED") | Q(area__isnull=False),
                name="suggestion_routed_has_area",
            ),
            models.CheckConstraint(
                condition=~Q(state="ANSWERED") | Q(answered_at__isnull=False),
                name="suggestion_answered_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class EventKind(models.TextChoices):
    RECEIVED = "RECEIVED", "Recibida"
    ROUTED = "ROUTED", "Derivada"
    ANSWERED = "ANSWERED", "Respondida al remitente"
    ACTION = "ACTION", "Acción adoptada"


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
