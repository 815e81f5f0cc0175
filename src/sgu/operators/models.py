"""Operator integration: the webhook endpoint an operator's administrator configures, and
every delivery owed to it with each attempt (status, latency, excerpt of the answer)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from sgu.accounts.models import Role
from sgu.catalog.models import OperatorInfoKind


class WebhookEndpoint(models.Model):
    """Where an operator wants its events. One per operator; the secret signs each body
    (HMAC-SHA256), so it is kept (not hashed): the platform needs it to sign."""

    operator = models.OneToOneField(
        "catalog.Operator", on_delete=models.PROTECT, related_name="webhook"
    )
    url = models.URLField("dirección (HTTPS)", max_length=500)
    secret = models.CharField("secreto", max_length=200)
    active = models.BooleanField("activo", default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = "webhook de operadora"
        verbose_name_plural = "webhooks de operadoras"

    def __str__(self) -> str:
        return f"{self.operator_id}: {self.url}"


class WebhookDelivery(models.Model):
    """One event owed to one operator. Written in the same transaction as the event; the
    body is stored as sent (the signature covers these exact bytes)."""

    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=40)
    url = models.URLField(max_length=500)
    body = models.TextField()
    case_code = models.CharField(max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    # Claimed by a worker that is posting it now (services.outbox.claim_delivery).
    sending_until = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["operator", "-created_at"], name="webhook_op_created")]

    @property
    def status_label(self) -> str:
        if self.delivered_at:
            return "Entregado"
        if self.gave_up_at:
            return "Abandonado"
        return "Pendiente"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class OperatorInvitation(models.Model):
    """An operator administrator's invitation to join the operator's staff. The link carries
    a random token; only its SHA-256 is kept. Single use, expiring; a newer invitation to the
    same address supersedes the pending one."""

    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField("correo electrónico")
    role = models.CharField("rol", max_length=24)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "invitación de operadora"
        verbose_name_plural = "invitaciones de operadoras"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["operator", "email"], name="invitation_op_email")]

    def __str__(self) -> str:
        return f"{self.operator_id}: {self.email}"

    @property
    def role_label(self) -> str:
        return dict(Role.choices).get(self.role, self.role)

    def is_pending(self, now) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > now


class StaffDuty(models.TextChoices):
    """What a member of the operator's staff is responsible for, beyond the account's role
    (agent or administrator). The inoperatividad procedure names these people: only the
    channel's head registers and closes events, the systems-failure team confirms a falla
    masiva, Control e Información evaluates each event and a manager approves the report."""

    CHANNEL_HEAD = "CHANNEL_HEAD", "Jefe / supervisor / coordinador de canal"
    SYSTEMS_FAILURE = "SYSTEMS_FAILURE", "Equipo de Fallas de Sistemas y Plataforma"
    OUTAGE_REVIEWER = "OUTAGE_REVIEWER", "Control e Información (evalúa la inoperatividad)"
    OUTAGE_MANAGER = "OUTAGE_MANAGER", "Gerente que aprueba el reporte de inoperatividad"


class StaffDutyAssignment(models.Model):
    """One duty held by one person of an operator's staff (granted by its administrator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_duties"
    )
    duty = models.CharField("función", max_length=20, choices=StaffDuty.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("asignada", default=timezone.now)

    class Meta:
        verbose_name = "función del personal de operadora"
        verbose_name_plural = "funciones del personal de operadoras"
        constraints = [
            models.UniqueConstraint(fields=["user", "duty"], name="staff_duty_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.duty}"


# --- the operator's information for the citizen's form (instructivo, punto vii) ---------------


class InfoList(models.Model):
    """One version of one of an operator's lists (plans, packages, recharge channels, points of
    sale). A replace writes a new version; the older ones stay, closed at the new one's start:
    nothing is edited or deleted, so what a citizen was offered on a given day can be read
    back. The current version is the latest one whose validity covers today (both dates
    included; no end date: until replaced)."""

    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.PROTECT, related_name="info_lists"
    )
    kind = models.CharField("lista", max_length=20, choices=OperatorInfoKind.choices)
    version = models.PositiveIntegerField("versión")
    valid_from = models.DateField("vigente desde")
    valid_to = models.DateField("vigente hasta", null=True, blank=True)
    created_at = models.DateTimeField("registrada")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_key_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "lista de información de operadora"
        verbose_name_plural = "listas de información de operadoras"
        ordering = ["operator", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "kind", "version"], name="info_list_version_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="info_list_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id} · {self.kind} v{self.version}"

    @property
    def kind_label(self) -> str:
        return OperatorInfoKind(self.kind).label

    @property
    def source_label(self) -> str:
        return "API" if self.api_key_id else "web"


class InfoItem(models.Model):
    """One plan, package, recharge channel or point of sale of one version of a list."""

    info_list = models.ForeignKey(InfoList, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    name = models.CharField("nombre", max_length=120)
    detail = models.CharField("detalle", max_length=300, blank=True)

    class Meta:
        ordering = ["info_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["info_list", "position"], name="info_item_pos_uniq")
        ]

    def __str__(self) -> str:
        return self.name


# --- scope: who is bound by the SGU and the daily bajas/migraciones report ---------------------


class ScopeThreshold(models.Model):
    """An operator is bound by the SGU and by the daily bajas/migraciones report when it has
    *more than* this many subscribers nationwide (instructivo, point ii; 500,000 today). Kept
    with history: the row in force on a day is the latest one valid from that day or before;
    with no row at all, `settings.SGU["SCOPE_MIN_SUBSCRIBERS"]` stands."""

    subscribers = models.PositiveBigIntegerField("más de … abonados")
    valid_from = models.DateField("vigente desde", unique=True)
    note = models.CharField("norma o sustento", max_length=200, blank=True)
    recorded_at = models.DateTimeField("registrado", default=timezone.now)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "umbral de abonados (ámbito)"
        verbose_name_plural = "umbrales de abonados (ámbito)"

    def __str__(self) -> str:
        return f"más de {self.subscribers:,} abonados desde {self.valid_from:%d/%m/%Y}"


class SubscriberCount(models.Model):
    """An operator's subscribers nationwide, as the regulator knows them from a date on (its
    history: a new count is a new row, never an edit of the old one)."""

    operator = models.ForeignKey(
        "catalog.Operator",
        verbose_name="operadora",
        on_delete=models.PROTECT,
        related_name="subscriber_counts",
    )
    subscribers = models.PositiveBigIntegerField("abonados a nivel nacional")
    valid_from = models.DateField("vigente desde")
    source = models.CharField("fuente", max_length=200, blank=True)
    recorded_at = models.DateTimeField("registrado", default=timezone.now)

    class Meta:
        ordering = ["operator", "-valid_from"]
        verbose_name = "abonados de una operadora"
        verbose_name_plural = "abonados de las operadoras"
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "valid_from"], name="subscriber_count_day_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operator_id}: {self.subscribers:,} desde {self.valid_from:%d/%m/%Y}"


class OwnChannels(models.Model):
    """Where a citizen goes for an operator that the SGU does not bind: its own attention
    channels, named in the refusal of the case form."""

    operator = models.OneToOneField(
        "catalog.Operator",
        verbose_name="operadora",
        on_delete=models.PROTECT,
        related_name="own_channels",
    )
    web = models.URLField("página web de atención", max_length=300, blank=True)
    phone = models.CharField("teléfono de atención", max_length=60, blank=True)
    offices = models.CharField("oficinas o centros de atención", max_length=300, blank=True)

    class Meta:
        verbose_name = "canales de atención propios"
        verbose_name_plural = "canales de atención propios"

    def __str__(self) -> str:
        return f"canales de {self.operator_id}"
