from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from sgu.core.identity import DocumentType


class Role(models.TextChoices):
    CITIZEN = "CITIZEN", "Ciudadano"
    REGULATOR_AGENT = "REGULATOR_AGENT", "Orientador del regulador"
    REGULATOR_SUPERVISOR = "REGULATOR_SUPERVISOR", "Supervisor del regulador"
    OPERATOR_AGENT = "OPERATOR_AGENT", "Agente de operadora"
    OPERATOR_ADMIN = "OPERATOR_ADMIN", "Administrador de operadora"
    # The contact-centre provider (sgu.provider): its area Experiencia Cliente and the
    # operation it serves. Which provider each one works for is sgu.provider.ProviderStaff.
    PROVIDER_CX_SUPERVISOR = "PROVIDER_CX_SUPERVISOR", "Supervisor de Experiencia Cliente"
    PROVIDER_COORDINATOR = "PROVIDER_COORDINATOR", "Coordinador de Experiencia Cliente"
    PROVIDER_TRAINER = "PROVIDER_TRAINER", "Formador"
    PROVIDER_OPS_SUPERVISOR = "PROVIDER_OPS_SUPERVISOR", "Supervisor de operaciones"
    PROVIDER_MONITOR = "PROVIDER_MONITOR", "Monitor"
    PROVIDER_ADVISOR = "PROVIDER_ADVISOR", "Asesor"


OPERATOR_ROLES = frozenset({Role.OPERATOR_AGENT, Role.OPERATOR_ADMIN})
REGULATOR_ROLES = frozenset({Role.REGULATOR_AGENT, Role.REGULATOR_SUPERVISOR})
PROVIDER_ROLES = frozenset(
    {
        Role.PROVIDER_CX_SUPERVISOR,
        Role.PROVIDER_COORDINATOR,
        Role.PROVIDER_TRAINER,
        Role.PROVIDER_OPS_SUPERVISOR,
        Role.PROVIDER_MONITOR,
        Role.PROVIDER_ADVISOR,
    }
)


class SguUserManager(UserManager["User"]):
    def _create_user(  # type: ignore[override]
        self, username: str, email: str, password: str | None, **extra_fields: Any
    ) -> "User":
        # Email is the login; username mirrors it so Django's machinery keeps working.
        email = self.normalize_email(email).lower()
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.REGULATOR_SUPERVISOR)
        return self._create_user(email, email, password, **extra_fields)


class User(AbstractUser):
    """Every person who signs in: citizens, regulator staff and operator staff."""

    email = models.EmailField("correo electrónico", unique=True)
    role = models.CharField("rol", max_length=24, choices=Role.choices, default=Role.CITIZEN)
    document_type = models.CharField(
        "tipo de documento", max_length=10, choices=DocumentType.choices, blank=True
    )
    document_number = models.CharField("número de documento", max_length=12, blank=True)
    phone = models.CharField("celular", max_length=9, blank=True)
    email_verified_at = models.DateTimeField("correo confirmado", null=True, blank=True)
    consent_at = models.DateTimeField("consentimiento otorgado", null=True, blank=True)
    consent_version = models.CharField(
        "versión del texto de consentimiento", max_length=20, blank=True
    )
    consent_channel = models.CharField("consentimiento recibido por", max_length=20, blank=True)
    operator = models.ForeignKey(
        "catalog.Operator",
        verbose_name="operadora",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    office = models.ForeignKey(
        "catalog.Office",
        verbose_name="oficina",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = SguUserManager()

    class Meta:
        verbose_name = "usuario"
        verbose_name_plural = "usuarios"
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                condition=Q(role="CITIZEN") & ~Q(document_number=""),
                name="citizen_document_uniq",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["OPERATOR_AGENT", "OPERATOR_ADMIN"])
                | Q(operator__isnull=False),
                name="operator_staff_has_operator",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_operator_staff(self) -> bool:
        return self.role in OPERATOR_ROLES

    @property
    def is_regulator_staff(self) -> bool:
        return self.role in REGULATOR_ROLES

    @property
    def is_provider_staff(self) -> bool:
        return self.role in PROVIDER_ROLES

    @property
    def is_operator_admin(self) -> bool:
        return self.role == Role.OPERATOR_ADMIN

    @property
    def is_regulator_supervisor(self) -> bool:
        return self.role == Role.REGULATOR_SUPERVISOR


class EmailToken(models.Model):
    """Single-use, expiring token sent by email (confirmation). Only its hash is stored."""

    class Purpose(models.TextChoices):
        CONFIRM_EMAIL = "CONFIRM_EMAIL", "Confirmar correo"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class ApiToken(models.Model):
    """Bearer token for citizens and regulator staff. Expiring and revocable; hash stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)


class OperatorApiKey(models.Model):
    """An operator back-end's key. Shown once at creation; only its SHA-256 is kept."""

    operator = models.ForeignKey(
        "catalog.Operator", on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField("nombre", max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "clave de API de operadora"
        verbose_name_plural = "claves de API de operadoras"

    def __str__(self) -> str:
        return f"{self.operator_id}:{self.name} ({self.prefix}…)"


class TwoFactorDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238). Unconfirmed while being set up.

    The secret must be readable to check codes, so it is kept as is (like every TOTP server);
    the database is what protects it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField("activada", null=True, blank=True)
    # The last time step whose code was accepted: a code is never accepted twice.
    last_used_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "verificación en dos pasos"
        verbose_name_plural = "verificaciones en dos pasos"

    def __str__(self) -> str:
        return f"{self.user} ({'activa' if self.confirmed_at else 'sin confirmar'})"


class RecoveryCode(models.Model):
    """A single-use code for when the phone is lost. Shown once; only its SHA-256 is kept
    (60 random bits each)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_code_lookup_idx")]


class CorrectionRequest(models.Model):
    """A citizen asks the regulator to correct a datum about them (Ley 29733, rectificación)."""

    class Field(models.TextChoices):
        FIRST_NAME = "first_name", "Nombres"
        LAST_NAME = "last_name", "Apellidos"
        DOCUMENT = "document", "Documento de identidad"
        EMAIL = "email", "Correo electrónico"
        PHONE = "phone", "Celular"
        CASE = "case", "Datos de un caso"
        OTHER = "other", "Otro dato"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pendiente"
        DONE = "DONE", "Atendida"
        REJECTED = "REJECTED", "No procede"

    user = models.ForeignKey(
        User, verbose_name="ciudadano", on_delete=models.PROTECT, related_name="corrections"
    )
    field = models.CharField("dato", max_length=20, choices=Field.choices)
    current_value = models.CharField("valor registrado", max_length=300, blank=True)
    requested_value = models.CharField("valor correcto", max_length=300)
    note = models.TextField("comentario", blank=True)
    created_at = models.DateTimeField("solicitada", auto_now_add=True)
    status = models.CharField(
        "estado", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    handled_at = models.DateTimeField("atendida", null=True, blank=True)
    handled_by = models.ForeignKey(
        User,
        verbose_name="atendida por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    response = models.TextField("respuesta", blank=True)

    class Meta:
        verbose_name = "solicitud de rectificación de datos"
        verbose_name_plural = "solicitudes de rectificación de datos"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="correction_status_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_field_display()}"
