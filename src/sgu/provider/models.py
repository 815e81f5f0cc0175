"""The contact-centre provider (issue 18): the outsourced company that runs the regulator's
telephone line and front desk, its area Experiencia Cliente, the register of the regulator's
requirements with a plazo per stage, and the replicas that take each requirement to every
advisor (docs/domain.md, «Proveedor del centro de contacto»).

A requirement's history is its `RequirementStep` rows: one per stage it went through, with
the instant it started, the instant it was due (none while the regulator owes precisions:
the provider's clock is stopped) and the instant it ended. On time or late, per stage and in
total, is read from them; nothing is ever deleted."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Provider(models.Model):
    """A contact-centre company serving the regulator."""

    code = models.SlugField("código", max_length=30, unique=True)
    name = models.CharField("razón social", max_length=200)
    ruc = models.CharField("RUC", max_length=11, blank=True)
    # The regulator's mailbox that receives the replicas' start, close and final status.
    client_email = models.EmailField("correo del cliente", blank=True)
    active = models.BooleanField("activo", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "proveedor"
        verbose_name_plural = "proveedores"

    def __str__(self) -> str:
        return self.name


class ProviderStaff(models.Model):
    """Which provider a person with a provider role works for (their role is User.role)."""

    provider = models.ForeignKey(
        Provider, verbose_name="proveedor", on_delete=models.PROTECT, related_name="staff"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="usuario",
        on_delete=models.PROTECT,
        related_name="provider_seat",
    )
    created_at = models.DateTimeField("desde")

    class Meta:
        verbose_name = "personal del proveedor"
        verbose_name_plural = "personal del proveedor"

    def __str__(self) -> str:
        return f"{self.user} — {self.provider}"


class RequirementType(models.TextChoices):
    NEW_INFO = "NEW_INFO", "Información nueva o actualizada para los asesores"
    TRAINING = "TRAINING", "Capacitación en un caso específico"
    REINFORCEMENT = "REINFORCEMENT", "Refuerzo sobre un punto determinado"
    SYSTEM_CHANGE = "SYSTEM_CHANGE", "Cambio en los sistemas del proveedor"
    SYSTEM_ACCESS = "SYSTEM_ACCESS", "Acceso a sistemas internos"


class Stage(models.TextChoices):
    VALIDATION = "VALIDATION", "Validación inicial"
    OBSERVED = "OBSERVED", "Observado: precisiones pendientes del cliente"
    OPS_AWARENESS = "OPS_AWARENESS", "Conocimiento del supervisor de operaciones"
    FEASIBILITY = "FEASIBILITY", "Viabilidad y plazo"
    DEPLOYMENT_START = "DEPLOYMENT_START", "Inicio del despliegue comunicado al cliente"
    REPLICA = "REPLICA", "Réplica a los asesores"
    FINAL_REPORT = "FINAL_REPORT", "Estatus final al cliente"
    CLOSED = "CLOSED", "Cerrado"


class RequirementSequence(models.Model):
    """Last requirement number given per year (one row per year, bumped atomically)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class Requirement(models.Model):
    """A requirement the regulator (the client) files to the provider."""

    code = models.CharField("código", max_length=20, unique=True)
    provider = models.ForeignKey(
        Provider, verbose_name="proveedor", on_delete=models.PROTECT, related_name="requirements"
    )
    type = models.CharField("tipo", max_length=16, choices=RequirementType.choices)
    topic = models.CharField("tema", max_length=200)
    description = models.TextField("descripción")
    requested_date = models.DateField("fecha solicitada", null=True, blank=True)
    filed_at = models.DateTimeField("registrado")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrado por",
        on_delete=models.PROTECT,
        related_name="provider_requirements",
    )
    stage = models.CharField(
        "etapa", max_length=16, choices=Stage.choices, default=Stage.VALIDATION
    )
    stage_started_at = models.DateTimeField("etapa desde")
    # None while the regulator owes precisions (the provider's clock is stopped) and once closed.
    stage_due_at = models.DateTimeField("etapa vence", null=True, blank=True)
    # Business days granted at feasibility for the deployment (1, or 15–30 for a system change).
    granted_days = models.PositiveSmallIntegerField("plazo otorgado (días hábiles)", null=True)
    feasibility_note = models.TextField("análisis de viabilidad", blank=True)
    final_status = models.TextField("estatus final informado", blank=True)
    closed_at = models.DateTimeField("cerrado", null=True, blank=True)

    class Meta:
        verbose_name = "requerimiento"
        verbose_name_plural = "requerimientos"
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "-filed_at", "-id"], name="req_provider_filed_idx"),
            models.Index(fields=["stage", "-filed_at"], name="req_stage_filed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage="CLOSED", closed_at__isnull=False)
                | (~Q(stage="CLOSED") & Q(closed_at__isnull=True)),
                name="req_closed_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(granted_days__isnull=True)
                | Q(granted_days__gte=1, granted_days__lte=30),
                name="req_granted_days_1_30",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class RequirementAttachment(models.Model):
    """A file the regulator attached to a requirement, on filing or afterwards (PDF, JPEG or
    PNG, checked by content: `cases.attachments.check_upload`). Kept with the requirement:
    never deleted."""

    requirement = models.ForeignKey(
        Requirement,
        verbose_name="requerimiento",
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    name = models.CharField("nombre", max_length=200)
    content_type = models.CharField("tipo de archivo", max_length=40)
    size = models.PositiveIntegerField("tamaño (bytes)")
    sha256 = models.CharField("huella SHA-256", max_length=64)
    file = models.FileField("archivo", upload_to="proveedor/%Y/", max_length=200)
    uploaded_at = models.DateTimeField("adjuntado")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="adjuntado por",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "adjunto del requerimiento"
        verbose_name_plural = "adjuntos del requerimiento"

    def __str__(self) -> str:
        return self.name


class RequirementStep(models.Model):
    """One stage a requirement went through: when it started, was due and ended, who ended
    it and how (the action), with the note (the precisions asked, the answer…)."""

    requirement = models.ForeignKey(
        Requirement, verbose_name="requerimiento", on_delete=models.PROTECT, related_name="steps"
    )
    stage = models.CharField("etapa", max_length=16, choices=Stage.choices)
    started_at = models.DateTimeField("inicio")
    due_at = models.DateTimeField("vence", null=True, blank=True)
    ended_at = models.DateTimeField("fin", null=True, blank=True)
    action = models.CharField("acción", max_length=24, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("nota", blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = "etapa del requerimiento"
        verbose_name_plural = "etapas del requerimiento"
        constraints = [
            models.UniqueConstraint(
                fields=["requirement"],
                condition=Q(ended_at__isnull=True),
                name="req_one_open_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id}:{self.stage}"


# --- replicas ---------------------------------------------------------------------------------


class ReplicaState(models.TextChoices):
    PLANNED = "PLANNED", "Programada"
    IN_PROGRESS = "IN_PROGRESS", "En curso"
    CLOSED = "CLOSED", "Cerrada"


class Replica(models.Model):
    """A requirement deployed to the advisors: its material (a knowledge-base article version
    and an ayuda memoria), the people it targets, its date and trainer."""

    requirement = models.ForeignKey(
        Requirement,
        verbose_name="requerimiento",
        on_delete=models.PROTECT,
        related_name="replicas",
    )
    article_version = models.ForeignKey(
        "knowledge.ArticleVersion",
        verbose_name="versión del artículo",
        on_delete=models.PROTECT,
        related_name="replicas",
    )
    memory_aid = models.TextField("ayuda memoria")
    scheduled_for = models.DateField("fecha")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="formador",
        on_delete=models.PROTECT,
        related_name="replicas_given",
    )
    state = models.CharField(
        "estado", max_length=12, choices=ReplicaState.choices, default=ReplicaState.PLANNED
    )
    created_at = models.DateTimeField("creada")
    started_at = models.DateTimeField("iniciada", null=True, blank=True)
    closed_at = models.DateTimeField("cerrada", null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name = "réplica"
        verbose_name_plural = "réplicas"

    def __str__(self) -> str:
        return f"Réplica {self.pk} de {self.requirement_id}"

    @property
    def in_progress(self) -> bool:
        return self.state == ReplicaState.IN_PROGRESS


class Trainee(models.Model):
    """One person a replica targets and their confirmation (signature-equivalent): the
    instant they confirmed having been informed and trained, on which article version.
    `lead` people (the operation's supervisor and monitor) are trained first."""

    replica = models.ForeignKey(
        Replica, verbose_name="réplica", on_delete=models.PROTECT, related_name="trainees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="persona",
        on_delete=models.PROTECT,
        related_name="replica_seats",
    )
    lead = models.BooleanField("primer soporte (supervisor o monitor)", default=False)
    confirmed_at = models.DateTimeField("confirmó", null=True, blank=True)
    confirmed_version = models.ForeignKey(
        "knowledge.ArticleVersion",
        verbose_name="versión confirmada",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    passed_at = models.DateTimeField("aprobó la evaluación", null=True, blank=True)

    class Meta:
        ordering = ["-lead", "id"]
        verbose_name = "capacitado"
        verbose_name_plural = "capacitados"
        constraints = [
            models.UniqueConstraint(fields=["replica", "user"], name="trainee_once_per_replica"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_version__isnull=False),
                name="trainee_confirms_a_version",
            ),
        ]


class Evaluation(models.Model):
    """The scheduled evaluation of a replica: short questions written by the trainer."""

    replica = models.OneToOneField(
        Replica, verbose_name="réplica", on_delete=models.PROTECT, related_name="evaluation"
    )
    opens_at = models.DateTimeField("disponible desde")
    pass_mark = models.PositiveSmallIntegerField("nota aprobatoria (%)")
    max_attempts = models.PositiveSmallIntegerField("intentos permitidos")
    # [{"text": "...", "options": ["a", "b", ...], "answer": 0}, ...]
    questions = models.JSONField("preguntas")

    class Meta:
        verbose_name = "evaluación"
        verbose_name_plural = "evaluaciones"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="eval_pass_mark_1_100"
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1, max_attempts__lte=10),
                name="eval_attempts_1_10",
            ),
        ]


class EvaluationAttempt(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name="evaluación", on_delete=models.PROTECT, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="asesor", on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField("intento")
    submitted_at = models.DateTimeField("enviado")
    answers = models.JSONField("respuestas")
    score = models.PositiveSmallIntegerField("nota (%)")
    passed = models.BooleanField("aprobado")

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = "intento de evaluación"
        verbose_name_plural = "intentos de evaluación"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "user", "number"], name="eval_attempt_number_uniq"
            ),
        ]


class ReportSubscription(models.Model):
    """The client's choice: the provider's report emailed weekly, fortnightly or monthly."""

    provider = models.ForeignKey(
        Provider, verbose_name="proveedor", on_delete=models.PROTECT, related_name="subscriptions"
    )
    email = models.EmailField("correo")
    period = models.CharField("periodicidad", max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="pedido por",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("desde")
    # The last day of the last period already sent (each period is sent once).
    last_period_end = models.DateField("último periodo enviado", null=True, blank=True)

    class Meta:
        verbose_name = "envío programado del reporte"
        verbose_name_plural = "envíos programados del reporte"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "email", "period"], name="report_subscription_uniq"
            ),
            models.CheckConstraint(
                condition=Q(period__in=["weekly", "fortnightly", "monthly"]),
                name="report_subscription_period",
            ),
        ]
