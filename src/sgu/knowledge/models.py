"""Knowledge base (issue 8): articles that the regulator's agents consult while attending.

An article is a stable identity; its content lives in numbered versions that are never
edited nor deleted (the only change a version ever sees is its review: a draft is approved
or rejected once). The version in force on a day is the approved one with the highest
number whose validity has started; it is shown only while its validity has not ended.
Agents confirm each version they have read.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Article(models.Model):
    created_at = models.DateTimeField("creado", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="creado por",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "artículo"
        verbose_name_plural = "artículos"

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"BC-{self.pk:05d}" if self.pk else "BC-nuevo"


class VersionStatus(models.TextChoices):
    DRAFT = "DRAFT", "Borrador pendiente de aprobación"
    APPROVED = "APPROVED", "Aprobada"
    REJECTED = "REJECTED", "Rechazada"


class ArticleVersion(models.Model):
    article = models.ForeignKey(
        Article, verbose_name="artículo", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("versión")
    question = models.CharField("pregunta", max_length=300)
    answer = models.TextField("respuesta")
    category = models.CharField("categoría", max_length=80)
    valid_from = models.DateField("vigente desde")
    valid_to = models.DateField("vigente hasta", null=True, blank=True)
    source_file = models.FileField(
        "documento de sustento (archivo)", upload_to="conocimiento/%Y/", blank=True
    )
    source_name = models.CharField("nombre del archivo", max_length=200, blank=True)
    source_url = models.URLField("enlace del documento", max_length=500, blank=True)
    source_reference = models.CharField("referencia del documento", max_length=300, blank=True)
    change_note = models.CharField("motivo del cambio", max_length=300, blank=True)
    # Question, answer and category in lower case without accents: the portable search
    # (the same on SQLite and PostgreSQL, no extension needed).
    search_text = models.TextField(editable=False)
    status = models.CharField(
        "estado", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="redactada por",
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField("redactada")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="revisada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("revisada", null=True, blank=True)
    review_note = models.CharField("observación de la revisión", max_length=300, blank=True)

    class Meta:
        ordering = ["article_id", "number"]
        verbose_name = "versión de artículo"
        verbose_name_plural = "versiones de artículos"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_number_uniq"),
            # One pending draft per article at a time.
            models.UniqueConstraint(
                fields=["article"], condition=Q(status="DRAFT"), name="kb_one_draft_per_article"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="kb_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="DRAFT", reviewed_at__isnull=True)
                | Q(status__in=["APPROVED", "REJECTED"], reviewed_at__isnull=False),
                name="kb_reviewed_when_not_draft",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_from"], name="kb_version_status_idx")]

    def __str__(self) -> str:
        return f"{self.article.code} v{self.number}"

    @property
    def is_draft(self) -> bool:
        """Waiting for another supervisor's approval."""
        return self.status == VersionStatus.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == VersionStatus.APPROVED

    @property
    def has_source(self) -> bool:
        return bool(self.source_file or self.source_url or self.source_reference)


class ReadConfirmation(models.Model):
    """An agent's statement that they read one version of an article."""

    version = models.ForeignKey(
        ArticleVersion,
        verbose_name="versión",
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="usuario",
        on_delete=models.PROTECT,
        related_name="kb_reads",
    )
    confirmed_at = models.DateTimeField("confirmada")

    class Meta:
        ordering = ["-confirmed_at"]
        verbose_name = "confirmación de lectura"
        verbose_name_plural = "confirmaciones de lectura"
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="kb_read_once_per_version")
        ]


class IncidentMatrixEntry(models.Model):
    """The incident matrix (attention manual 8.3.2.3, 9.3): a solved incident's cause, solution
    and typification, kept so the next one like it is solved faster. Linked both ways: the
    entry names its incident (the top escalation), the incident's page shows its entry."""

    escalation = models.OneToOneField(
        "attention.Escalation",
        verbose_name="incidencia",
        on_delete=models.PROTECT,
        related_name="matrix_entry",
    )
    typification = models.CharField("tipificación", max_length=200)
    cause = models.TextField("causa")
    solution = models.TextField("solución")
    # Typification, cause and solution in lower case without accents (the portable search).
    search_text = models.TextField(editable=False)
    created_at = models.DateTimeField("registrada")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrada por",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "entrada de la matriz de incidencias"
        verbose_name_plural = "matriz de incidencias"

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"MI-{self.pk:05d}" if self.pk else "MI-nueva"
