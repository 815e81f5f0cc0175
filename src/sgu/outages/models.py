"""Inoperatividad register (DOMAIN §8) and contingency windows (DOMAIN §5).

The invariants that must hold under concurrency live in the database: one open event per
(attention point, procedure type) is a partial unique index; a correlative number is unique
per operator; a window extends a case at most once.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AttentionPointKind(models.TextChoices):
    TIENDA = "TIENDA", "Tienda o centro de atención al cliente (CAC)"
    CENTRO_LLAMADAS = "CENTRO_LLAMADAS", "Centro de llamadas (p. ej. 123)"
    OTRO = "OTRO", "Otro canal de atención"


class ProcedureType(models.TextChoices):
    RECLAMOS = "RECLAMOS", "Reclamos"
    ALTAS = "ALTAS", "Altas"
    BAJAS = "BAJAS", "Bajas"
    CONSULTAS = "CONSULTAS", "Consultas"


class Scenario(models.TextChoices):
    FALLA_MASIVA = "FALLA_MASIVA", "Falla masiva"
    EVENTO_NO_PREVISTO = (
        "EVENTO_NO_PREVISTO",
        "Evento no previsto (corte de energía, inundación, infraestructura)",
    )
    ERROR_O_PRUEBA = "ERROR_O_PRUEBA", "Error o prueba (no se reporta)"


class ClosingReason(models.TextChoices):
    CONECTIVIDAD = "CONECTIVIDAD", "Conectividad"
    INTERMITENCIA = "INTERMITENCIA", "Intermitencia"
    MANTENIMIENTO_APLICATIVOS = "MANTENIMIENTO_APLICATIVOS", "Mantenimiento de aplicativos"
    FALLA_MASIVA_APLICATIVO = "FALLA_MASIVA_APLICATIVO", "Falla masiva de aplicativo"
    # The unforeseen-event motives ("Motivo de ocurrencia" of the Evento No Previsto scenario).
    SIN_FLUIDO_ELECTRICO = (
        "SIN_FLUIDO_ELECTRICO",
        "Sin fluido eléctrico en el punto de atención",
    )
    INFRAESTRUCTURA = "INFRAESTRUCTURA", "Infraestructura del punto de atención"
    ERROR_USUARIO = "ERROR_USUARIO", "Error de usuario"


class ScenarioClosingReason(models.Model):
    """Which closing reasons a scenario allows (data the regulator's administrator keeps).
    "Error de usuario" is allowed in every scenario and needs no row: an event found to be an
    error or a test is always closed that way (docs/outages.md, "Motivos de cierre")."""

    scenario = models.CharField("escenario", max_length=20, choices=Scenario.choices)
    closing_reason = models.CharField(
        "motivo de cierre", max_length=28, choices=ClosingReason.choices
    )

    class Meta:
        ordering = ["scenario", "closing_reason"]
        verbose_name = "motivo de cierre admitido"
        verbose_name_plural = "motivos de cierre por escenario"
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "closing_reason"], name="scenario_closing_reason_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scenario_display()}: {self.get_closing_reason_display()}"


class ApplicationGroup(models.TextChoices):
    VENTA = "VENTA", "Sistema de venta"
    POSTVENTA = "POSTVENTA", "Sistema de postventa"


class AffectedApplication(models.Model):
    """An application an event can name as down. The common list (operator empty) starts with
    the document's: SISACT Prepago, SISACT, SICAR, SIAC ÚNICO, Web Asesor reclamos, SGA; each
    operator adds its own, which only it sees."""

    operator = models.ForeignKey(
        "catalog.Operator",
        verbose_name="operadora",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vacío: aplicativo común a todas las operadoras.",
    )
    code = models.SlugField("código", max_length=40)
    name = models.CharField("nombre", max_length=80)
    group = models.CharField("tipo", max_length=10, choices=ApplicationGroup.choices)
    note = models.CharField("nota", max_length=200, blank=True)
    active = models.BooleanField("activo", default=True)
    order = models.PositiveSmallIntegerField("orden", default=100)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = "aplicativo afectado"
        verbose_name_plural = "aplicativos afectados"
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(operator__isnull=True), name="application_common_uniq"
            ),
            models.UniqueConstraint(fields=["operator", "code"], name="application_operator_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcedureSubcategory(models.Model):
    """Which SGU subcategories correspond to a procedure type, for the evaluation's case count
    (criterion 3: the cases of that procedure received during the event). A procedure type
    with no row counts every case of the operator."""

    procedure_type = models.CharField(
        "tipo de procedimiento", max_length=12, choices=ProcedureType.choices
    )
    subcategory = models.ForeignKey(
        "catalog.Subcategory",
        verbose_name="subcategoría",
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = "subcategoría de un tipo de procedimiento"
        verbose_name_plural = "subcategorías por tipo de procedimiento"
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_type", "subcategory"], name="procedure_subcategory_uniq"
            )
        ]


class AttentionPoint(models.Model):
    """An operator's store (CAC), call centre or other channel where users file procedures."""

    operator = models.ForeignKey(
        "catalog.Operator",
        verbose_name="operadora",
        on_delete=models.PROTECT,
        related_name="attention_points",
    )
    code = models.SlugField(
        "código", max_length=40, help_text="Código interno de la operadora, p. ej. CAC-MIRAFLORES."
    )
    name = models.CharField("nombre", max_length=120)
    kind = models.CharField("tipo", max_length=16, choices=AttentionPointKind.choices)
    ubigeo = models.CharField("ubigeo", max_length=6, help_text="Código INEI de 6 dígitos.")
    address = models.CharField("dirección", max_length=200, blank=True)
    active = models.BooleanField("activo", default=True)
    created_at = models.DateTimeField("registrado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        ordering = ["operator", "name", "id"]
        verbose_name = "punto de atención"
        verbose_name_plural = "puntos de atención"
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="attention_point_code_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OutageSequence(models.Model):
    """Last correlative number given to an operator's outage events (bumped atomically)."""

    operator = models.OneToOneField(
        "catalog.Operator", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)


class OutageEvent(models.Model):
    """One event of an operator's inoperatividad register."""

    operator = models.ForeignKey(
        "catalog.Operator", verbose_name="operadora", on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField("número correlativo")
    attention_point = models.ForeignKey(
        AttentionPoint,
        verbose_name="punto de atención",
        on_delete=models.PROTECT,
        related_name="outages",
    )
    procedure_type = models.CharField(
        "tipo de procedimiento", max_length=12, choices=ProcedureType.choices
    )
    scenario = models.CharField("escenario", max_length=20, choices=Scenario.choices)
    systems = models.CharField("detalle de sistemas", max_length=500, blank=True)
    applications = models.ManyToManyField(
        AffectedApplication, verbose_name="aplicativos afectados", related_name="events"
    )
    started_at = models.DateTimeField("inicio")
    ended_at = models.DateTimeField("fin", null=True, blank=True)
    closing_reason = models.CharField(
        "motivo de cierre", max_length=28, choices=ClosingReason.choices, blank=True
    )
    manual = models.BooleanField(
        "registro manual posterior",
        default=False,
        help_text="Regularización de un formulario en papel, registrada después del hecho.",
    )
    registered_at = models.DateTimeField("registrado en el SGU")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by_key = models.ForeignKey(
        "accounts.OperatorApiKey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("cierre registrado en el SGU", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by_key = models.ForeignKey(
        "accounts.OperatorApiKey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing_justification = models.TextField(
        "sustento del cierre",
        blank=True,
        help_text="Obligatorio al cerrar como «Error de usuario».",
    )
    # Review before reporting (docs/outages.md, "Revisión"). A falla masiva is confirmed by
    # the systems-failure team, with the window of the failure they announced.
    failure_confirmed_at = models.DateTimeField("falla masiva confirmada", null=True, blank=True)
    failure_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure_started_at = models.DateTimeField("inicio de la falla masiva", null=True, blank=True)
    failure_ended_at = models.DateTimeField("fin de la falla masiva", null=True, blank=True)
    evaluated_at = models.DateTimeField("evaluado", null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluation = models.JSONField("cifras de la evaluación", null=True, blank=True)
    evaluation_proceeds = models.BooleanField("procede reportar", null=True, blank=True)
    evaluation_note = models.TextField("observación de la evaluación", blank=True)
    approved_at = models.DateTimeField("aprobado y reportado al regulador", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 23:59:59 Lima of the 3rd business day after the Lima day of `ended_at` (DOMAIN §8).
    report_due_at = models.DateTimeField("plazo para reportar", null=True, blank=True)
    # Frozen at the moment they become known (see docs/outages.md, "Alertas").
    registered_late = models.BooleanField("registrado fuera de plazo", default=False)
    closed_late = models.BooleanField("cierre registrado fuera de plazo", default=False)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "evento de inoperatividad"
        verbose_name_plural = "eventos de inoperatividad"
        constraints = [
            models.UniqueConstraint(fields=["operator", "number"], name="outage_number_uniq"),
            # At most one open event per (attention point, procedure type): enforced by the
            # database so that it holds when two requests arrive at once.
            models.UniqueConstraint(
                fields=["attention_point", "procedure_type"],
                condition=Q(ended_at__isnull=True),
                name="outage_one_open_per_point_procedure",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="outage_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(ended_at__isnull=True) & Q(closing_reason=""))
                | (Q(ended_at__isnull=False) & ~Q(closing_reason="")),
                name="outage_closed_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["operator", "-started_at", "-id"], name="outage_operator_started_idx"
            ),
            models.Index(fields=["-started_at", "-id"], name="outage_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id}-{self.number:06d}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def discarded(self) -> bool:
        """Closed as "Error de usuario": registered by error or as a test."""
        return self.closing_reason == ClosingReason.ERROR_USUARIO

    @property
    def reportable(self) -> bool:
        """Events that turned out to be errors or tests are never reported, whatever the
        scenario they were registered with."""
        return self.scenario != Scenario.ERROR_O_PRUEBA and not self.discarded

    @property
    def reported(self) -> bool:
        return self.approved_at is not None

    @property
    def reported_late(self) -> bool:
        return bool(
            self.approved_at and self.report_due_at and self.approved_at > self.report_due_at
        )

    @property
    def duration_minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class ContingencyScope(models.TextChoices):
    SGU = "SGU", "Todo el SGU"
    OPERATOR = "OPERATOR", "Una operadora (su interfaz con el SGU)"


class ContingencyWindow(models.Model):
    """A period in which the SGU, or one operator's interface to it, was unavailable.

    Cases whose plazo was running during it are extended by the business time it took
    (docs/contingency.md). Registered after the fact; not editable once registered, since
    the extensions it granted are computed from it.
    """

    starts_at = models.DateTimeField("inicio")
    ends_at = models.DateTimeField("fin")
    scope = models.CharField("alcance", max_length=10, choices=ContingencyScope.choices)
    operator = models.ForeignKey(
        "catalog.Operator",
        verbose_name="operadora",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("motivo")
    registered_at = models.DateTimeField("registrada")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_applied_at = models.DateTimeField("última aplicación", null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "ventana de contingencia"
        verbose_name_plural = "ventanas de contingencia"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="contingency_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(scope="SGU") & Q(operator__isnull=True))
                | (Q(scope="OPERATOR") & Q(operator__isnull=False)),
                name="contingency_scope_operator",
            ),
        ]

    def __str__(self) -> str:
        return f"Contingencia N.º {self.pk}"


class ContingencyExtension(models.Model):
    """A case a window extended, and by how much. The pair is unique: re-applying a window
    never extends the same case twice."""

    window = models.ForeignKey(
        ContingencyWindow, on_delete=models.PROTECT, related_name="extensions"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField("aplicada")
    overlap_from = models.DateTimeField("el plazo corría desde")
    overlap_to = models.DateTimeField("hasta")
    lost_seconds = models.PositiveIntegerField("tiempo hábil perdido (segundos)")
    unit = models.CharField("unidad", max_length=16)  # BUSINESS_DAYS or BUSINESS_HOURS
    amount = models.DecimalField("ampliación", max_digits=8, decimal_places=2)
    previous_due_at = models.DateTimeField("plazo anterior")
    new_due_at = models.DateTimeField("nuevo plazo")
    reopened = models.BooleanField("caso reabierto", default=False)

    class Meta:
        verbose_name = "ampliación por contingencia"
        verbose_name_plural = "ampliaciones por contingencia"
        constraints = [
            models.UniqueConstraint(fields=["window", "case"], name="contingency_extension_uniq")
        ]

    @property
    def amount_label(self) -> str:
        """ "1 día hábil", "2 días hábiles", "1,5 horas hábiles"."""
        n = self.amount
        text = f"{n.normalize():f}".replace(".", ",")
        if self.unit == "BUSINESS_DAYS":
            return f"{text} día hábil" if n == 1 else f"{text} días hábiles"
        return f"{text} hora hábil" if n == 1 else f"{text} horas hábiles"
