"""Levels of the regulator's own attention (DOMAIN.md §1, issue 8).

An `Area` is a unit of the regulator at one attention level: level 1 is orientación (the
orientadores who attend the citizen), level 2 the specialist areas, level 3 technical support.
`AreaMember` says which regulator users work in an area (their queue)."""

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q

from sgu.attention.clocks import duration_label
from sgu.attention.workflow import HopState
from sgu.core.calendar import LIMA as LIMA_TZ


class Level(models.IntegerChoices):
    FIRST = 1, "Primer nivel"
    SECOND = 2, "Segundo nivel"
    THIRD = 3, "Tercer nivel"


class Area(models.Model):
    code = models.SlugField("código", max_length=30, unique=True)
    name = models.CharField("nombre", max_length=120)
    level = models.PositiveSmallIntegerField("nivel", choices=Level.choices)
    active = models.BooleanField("activa", default=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = "área de atención"
        verbose_name_plural = "áreas de atención"
        constraints = [
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="area_level_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (nivel {self.level})"


class AreaMember(models.Model):
    """A regulator user who attends an area's queue. Operator staff and citizens never."""

    area = models.ForeignKey(
        Area, verbose_name="área", on_delete=models.PROTECT, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="usuario",
        on_delete=models.PROTECT,
        related_name="attention_areas",
    )
    created_at = models.DateTimeField("desde", auto_now_add=True)

    class Meta:
        verbose_name = "integrante de área"
        verbose_name_plural = "integrantes de áreas"
        constraints = [
            models.UniqueConstraint(fields=["area", "user"], name="area_member_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.area.name}"


# --- consultas ------------------------------------------------------------------------------


class Region(models.TextChoices):
    """Where the citizen is: Peru's departments (and the Constitutional Province of Callao).
    The incident reports count Lima apart from the other regions (attention manual 9.3.3)."""

    AMAZONAS = "AMAZONAS", "Amazonas"
    ANCASH = "ANCASH", "Áncash"
    APURIMAC = "APURIMAC", "Apurímac"
    AREQUIPA = "AREQUIPA", "Arequipa"
    AYACUCHO = "AYACUCHO", "Ayacucho"
    CAJAMARCA = "CAJAMARCA", "Cajamarca"
    CALLAO = "CALLAO", "Callao"
    CUSCO = "CUSCO", "Cusco"
    HUANCAVELICA = "HUANCAVELICA", "Huancavelica"
    HUANUCO = "HUANUCO", "Huánuco"
    ICA = "ICA", "Ica"
    JUNIN = "JUNIN", "Junín"
    LA_LIBERTAD = "LA_LIBERTAD", "La Libertad"
    LAMBAYEQUE = "LAMBAYEQUE", "Lambayeque"
    LIMA = "LIMA", "Lima"
    LORETO = "LORETO", "Loreto"
    MADRE_DE_DIOS = "MADRE_DE_DIOS", "Madre de Dios"
    MOQUEGUA = "MOQUEGUA", "Moquegua"
    PASCO = "PASCO", "Pasco"
    PIURA = "PIURA", "Piura"
    PUNO = "PUNO", "Puno"
    SAN_MARTIN = "SAN_MARTIN", "San Martín"
    TACNA = "TACNA", "Tacna"
    TUMBES = "TUMBES", "Tumbes"
    UCAYALI = "UCAYALI", "Ucayali"


def region_of_department(name: str) -> str:
    """The region code of a department written by hand (an office's «Lima», «Cusco»…), or ""."""

    plain = "".join(
        c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c)
    )
    code = plain.strip().upper().replace(" ", "_")
    return code if code in Region.values else ""


class QueryChannel(models.TextChoices):
    PRESENCIAL = "PRESENCIAL", "Presencial"
    TELEFONICO = "TELEFONICO", "Telefónico"
    WEB = "WEB", "Web"
    EMAIL = "EMAIL", "Correo electrónico"
    APP = "APP", "Aplicativo móvil"
    CARTA = "CARTA", "Carta o mesa de partes"


class QueryState(models.TextChoices):
    OPEN = "OPEN", "En atención (1.er nivel)"
    ESCALATED = "ESCALATED", "Escalada"
    REVIEW = "REVIEW", "En revisión de calidad"
    ANSWERED = "ANSWERED", "Respondida"


class QueryMotive(models.Model):
    """The classification of consultas (attention manual, 7.4.1.1 and 7.4.2.1: «motivos de la
    consulta, tipificación»): families (no parent) and their sub-motives. A consulta is typified
    with a sub-motive. Maintained in /admin/; deactivated, never deleted. A `legal` family's
    consultas are reviewed by the quality supervisor before the answer leaves."""

    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nombre", max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name="familia",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    legal = models.BooleanField(
        "consulta legal (revisión de calidad)",
        default=False,
        help_text="Se indica en la familia; sus submotivos la heredan.",
    )
    active = models.BooleanField("activo", default=True)
    order = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "motivo de consulta"
        verbose_name_plural = "motivos de consulta (tipificación)"

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class QuerySequence(models.Model):
    """Last consulta number given per year (one row per year, bumped atomically)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class Query(models.Model):
    """A consulta: a citizen's question that is not a problem with an operator, registered by
    a 1st-level agent from any channel, answered at some level and counted."""

    code = models.CharField("código", max_length=20, unique=True)
    channel = models.CharField("canal", max_length=12, choices=QueryChannel.choices)
    state = models.CharField(
        "estado", max_length=12, choices=QueryState.choices, default=QueryState.OPEN
    )
    topic = models.CharField("tema", max_length=200)
    # The typification (a sub-motive of the maintained catalog); null only on consultas
    # registered before the catalog existed.
    motive = models.ForeignKey(
        QueryMotive,
        verbose_name="motivo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queries",
    )
    question = models.TextField("consulta")
    # Who asked: name always, unless the person declines to give any data (an anonymous
    # consulta: no name, document, email or phone kept); a document, email and phone when
    # the citizen gives them.
    anonymous = models.BooleanField("anónima", default=False)
    name = models.CharField("nombre", max_length=200, blank=True)
    document_type = models.CharField("tipo de documento", max_length=10, blank=True)
    document_number = models.CharField("número de documento", max_length=12, blank=True)
    email = models.EmailField("correo", blank=True)
    phone = models.CharField("teléfono", max_length=15, blank=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cuenta del ciudadano",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queries",
    )
    office = models.ForeignKey(
        "catalog.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="queries"
    )
    # Where the citizen is (not personal data: an anonymous consulta may say it too).
    region = models.CharField("región", max_length=16, choices=Region.choices, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_queries"
    )
    registered_at = models.DateTimeField("registrada")
    # The virtual channel's clock (attention manual 7.4.1.1): none for in person / telephone.
    received_at = models.DateTimeField("recibida (para el plazo)", null=True, blank=True)
    due_at = models.DateTimeField("plazo de respuesta", null=True, blank=True)
    due_explanation = models.TextField("cómo se calculó el plazo", blank=True)
    # The first response (the answer, or the escalation that the citizen is told of) stops it.
    first_response_at = models.DateTimeField("primera respuesta", null=True, blank=True)
    on_time = models.BooleanField("primera respuesta dentro del plazo", null=True, blank=True)
    # A legal consulta's answer is a draft until the quality supervisor approves it
    # (attention manual 7.4.1.1); returned drafts keep the observations.
    draft_answer = models.TextField("proyecto de respuesta", blank=True)
    draft_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    draft_at = models.DateTimeField("proyecto enviado a revisión", null=True, blank=True)
    review_observations = models.TextField("observaciones de la revisión", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="revisada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("revisada", null=True, blank=True)
    answer = models.TextField("respuesta", blank=True)
    answered_at = models.DateTimeField("respondida", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_queries",
    )
    # The level whose answer reached the citizen (1 when answered without escalating).
    resolved_level = models.PositiveSmallIntegerField(
        "resuelta en el nivel", null=True, blank=True, choices=Level.choices
    )

    class Meta:
        verbose_name = "consulta"
        verbose_name_plural = "consultas"
        constraints = [
            # An anonymous consulta keeps no personal data (attention manual: the person may
            # decline to give it).
            models.CheckConstraint(
                condition=Q(anonymous=False)
                | (
                    Q(name="")
                    & Q(document_number="")
                    & Q(email="")
                    & Q(phone="")
                    & Q(citizen__isnull=True)
                ),
                name="query_anonymous_no_personal_data",
            ),
        ]
        indexes = [
            models.Index(fields=["-registered_at", "-id"], name="query_reg_idx"),
            models.Index(fields=["state", "-registered_at", "-id"], name="query_state_reg_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def answered(self) -> bool:
        return self.state == QueryState.ANSWERED

    @property
    def display_name(self) -> str:
        return "Consulta anónima" if self.anonymous else self.name


# --- escalations ----------------------------------------------------------------------------


class Criticality(models.TextChoices):
    ALTO = "ALTO", "Alta"
    MEDIO = "MEDIO", "Media"
    BAJO = "BAJO", "Baja"


class Complexity(models.TextChoices):
    BAJA = "BAJA", "Baja"
    MEDIA = "MEDIA", "Media"
    ALTA = "ALTA", "Alta"
    MUY_ALTA = "MUY_ALTA", "Muy alta"
    INDEFINIDA = "INDEFINIDA", "Indefinida"


class Priority(models.TextChoices):
    ALTA = "ALTA", "Alta"
    MEDIA = "MEDIA", "Media"
    BAJA = "BAJA", "Baja"


class Coordination(models.TextChoices):
    """Whether the answer needed coordinating with others (attention manual 9.3.1)."""

    NONE = "NONE", "Sin coordinación"
    INTERNAL = "INTERNAL", "Coordinación interna"
    EXTERNAL = "EXTERNAL", "Coordinación externa"
    BOTH = "BOTH", "Coordinación interna y externa"


class Outcome(models.TextChoices):
    """How an area closes what it was sent (attention manual 9.3.7.3)."""

    SOLVED = "SOLVED", "Incidencia solucionada"
    REQUIREMENT = "REQUIREMENT", "Pasa a requerimiento funcional (no es un defecto)"


class WaitingOn(models.TextChoices):
    PROVIDER = "PROVIDER", "Proveedor de servicios"
    EXTERNAL = "EXTERNAL", "Entidad externa"


class Escalation(models.Model):
    """One hop up the levels: a case or a consulta sent by level n to an area of level n+1.

    A hop to level 3 has the level-2 hop it came from as `parent`. Each hop has its own
    clock (`due_at`, from its criticality, in business days), separate from the operator's
    plazo of a case. The states and who may move them are in `attention/workflow.py`."""

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    query = models.ForeignKey(
        Query, null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    area = models.ForeignKey(
        Area, verbose_name="área", on_delete=models.PROTECT, related_name="escalations"
    )
    level = models.PositiveSmallIntegerField("nivel", choices=Level.choices)
    state = models.CharField(
        "estado", max_length=16, choices=HopState.choices, default=HopState.PENDING
    )
    criticality = models.CharField("criticidad", max_length=8, choices=Criticality.choices)
    complexity = models.CharField("complejidad", max_length=12, choices=Complexity.choices)
    priority = models.CharField(
        "prioridad", max_length=8, choices=Priority.choices, default=Priority.MEDIA
    )
    reason = models.TextField("motivo del escalamiento")
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField("escalado")
    received_on = models.DateField("recibido (día hábil)")
    max_business_days = models.PositiveSmallIntegerField("plazo (días hábiles)")
    due_at = models.DateTimeField("plazo del nivel")
    due_explanation = models.TextField("cómo se calculó el plazo", blank=True)
    # The incident's response clock (attention manual 9.3.4, «tiempo de respuesta»): from the
    # report until the 2nd-level specialist takes it or the 3rd level makes contact; its
    # limit is `due_at` (by criticality). Kept on the level-2 hop.
    taken_at = models.DateTimeField("tomado", null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_on_time = models.BooleanField("tomado dentro del plazo", null=True, blank=True)
    # Level 2 elevates to level 3 the same (Lima) day it receives the incident (manual 9.3.1);
    # set when it elevates. Then it has 1 business day to validate the 3rd level's answer
    # before it goes down: its own clock, from the moment the answer comes back.
    elevated_same_day = models.BooleanField("elevado el mismo día", null=True, blank=True)
    validation_due_at = models.DateTimeField("validar la respuesta hasta", null=True, blank=True)
    validation_on_time = models.BooleanField("validada dentro del plazo", null=True, blank=True)
    # The solution clock («tiempo de solución», level-3 hops only): from the 2nd level's
    # report until the 3rd level informs the solution; criticality × complexity matrix.
    solution_business_days = models.PositiveSmallIntegerField(
        "plazo de solución (días hábiles)", null=True, blank=True
    )
    solution_due_at = models.DateTimeField("plazo de solución", null=True, blank=True)
    solution_explanation = models.TextField("cómo se calculó el plazo de solución", blank=True)
    solution_on_time = models.BooleanField("solucionado dentro del plazo", null=True, blank=True)
    # Waiting on a provider or an external entity pauses the solution clock (manual 9.3.7.3:
    # «el plazo de atención se iniciará al momento de contar con la respuesta del proveedor»):
    # set while paused; each pause is a `ClockPause`, the business time paused moves the due.
    paused_at = models.DateTimeField("plazo de solución en pausa desde", null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(
        "tiempo hábil en pausa (segundos)", default=0, help_text="Suma de las pausas cerradas."
    )
    region = models.CharField("región", max_length=16, choices=Region.choices, blank=True)
    answer = models.TextField("respuesta", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("respondido", null=True, blank=True)
    outcome = models.CharField("resultado", max_length=12, choices=Outcome.choices, blank=True)
    coordination = models.CharField(
        "coordinación", max_length=10, choices=Coordination.choices, blank=True
    )
    coordination_with = models.CharField("coordinado con", max_length=200, blank=True)
    # The level that wrote the answer (3 when a level-3 answer was passed down by level 2).
    answer_level = models.PositiveSmallIntegerField("respuesta del nivel", null=True, blank=True)
    # Business days from the received day to the answer's Lima date; computed once.
    response_business_days = models.PositiveSmallIntegerField(
        "tiempo de respuesta (días hábiles)", null=True, blank=True
    )
    on_time = models.BooleanField("respondido dentro del plazo", null=True, blank=True)
    sent_back_at = models.DateTimeField("devuelto", null=True, blank=True)
    sent_back_reason = models.TextField("motivo de la devolución", blank=True)
    informed_at = models.DateTimeField("informado al ciudadano", null=True, blank=True)
    # The 1st level must tell the citizen the day the answer reached it (Lima dates).
    informed_same_day = models.BooleanField(
        "informado el mismo día de la respuesta", null=True, blank=True
    )
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "escalamiento"
        verbose_name_plural = "escalamientos"
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(query__isnull=True))
                | (Q(case__isnull=True) & Q(query__isnull=False)),
                name="escalation_case_xor_query",
            ),
            models.CheckConstraint(condition=Q(level__in=[2, 3]), name="escalation_level_2_3"),
        ]
        indexes = [
            # An area's queue: its pending hops, the one due first on top.
            models.Index(fields=["area", "state", "due_at", "id"], name="escalation_queue_idx"),
            models.Index(fields=["state", "updated_at", "id"], name="escalation_state_idx"),
            models.Index(fields=["escalated_at"], name="escalation_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} → {self.area.name}"

    @property
    def item_code(self) -> str:
        return self.case.code if self.case_id else self.query.code

    @property
    def sent_back(self) -> bool:
        """Returned to the level below, which owes the next step."""
        return self.state == HopState.SENT_BACK

    @property
    def solution_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def became_requirement(self) -> bool:
        return self.outcome == Outcome.REQUIREMENT

    @property
    def coordinated(self) -> bool:
        return self.coordination in (
            Coordination.INTERNAL,
            Coordination.EXTERNAL,
            Coordination.BOTH,
        )


class ClockPause(models.Model):
    """One pause of a level-3 hop's solution clock while it waits on a provider or an external
    entity («Indefinida» complexity, manual 9.3.6). `business_seconds` (the business-day time
    it lasted) is fixed when it is resumed; the solution due moves by it."""

    escalation = models.ForeignKey(
        "Escalation", on_delete=models.PROTECT, related_name="pauses", verbose_name="escalamiento"
    )
    waiting_on = models.CharField("espera a", max_length=10, choices=WaitingOn.choices)
    waiting_on_name = models.CharField("quién", max_length=200)
    reason = models.TextField("motivo")
    paused_at = models.DateTimeField("pausado")
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resumed_at = models.DateTimeField("reanudado", null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resume_note = models.TextField("nota al reanudar", blank=True)
    business_seconds = models.PositiveIntegerField("tiempo hábil en pausa (s)", null=True)
    due_before = models.DateTimeField("plazo antes de la pausa")
    due_after = models.DateTimeField("plazo tras reanudar", null=True, blank=True)

    class Meta:
        ordering = ["paused_at", "id"]
        verbose_name = "pausa del plazo de solución"
        verbose_name_plural = "pausas del plazo de solución"
        constraints = [
            models.UniqueConstraint(
                fields=["escalation"],
                condition=Q(resumed_at__isnull=True),
                name="clock_one_open_pause",
            ),
        ]

    @property
    def paused_label(self) -> str:
        return duration_label(self.business_seconds or 0)


class FunctionalRequirement(models.Model):
    """An incident that is not a defect: its solution needs a functional development or a
    business rule, so it leaves the incidents as a requirement, coordinated with the user area
    (attention manual 9.3.7.3). The backlog the 2nd-level area and the 3rd level follow."""

    escalation = models.OneToOneField(
        "Escalation",
        on_delete=models.PROTECT,
        related_name="requirement",
        verbose_name="incidencia de origen",
    )
    user_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="requirements", verbose_name="área usuaria"
    )
    title = models.CharField("requerimiento", max_length=200)
    description = models.TextField("descripción")
    created_at = models.DateTimeField("registrado")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "requerimiento funcional"
        verbose_name_plural = "requerimientos funcionales"

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"RF-{self.created_at.astimezone(LIMA_TZ).year}-{self.pk:05d}"


class AttentionEvent(models.Model):
    """One step of an escalation or a consulta. Append-only: never updated, never deleted."""

    escalation = models.ForeignKey(
        Escalation, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    query = models.ForeignKey(
        Query, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("fecha")
    kind = models.CharField("evento", max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField("nota", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "evento de atención"
        verbose_name_plural = "eventos de atención"
        indexes = [
            models.Index(fields=["escalation", "at"], name="attention_event_esc_idx"),
            models.Index(fields=["query", "at"], name="attention_event_query_idx"),
            models.Index(fields=["case", "at"], name="attention_event_case_idx"),
        ]


# --- survey of the regulator's own service ----------------------------------------------------


class Survey(models.Model):
    """The citizen's rating of the regulator's attention (not of the operator's answer):
    offered after an assisted case registration or a consulta, answered once, by a
    single-use link (only its hash is kept) or from the citizen's account."""

    # Not a field: the raw link token, on the instance services.offer_survey returns (never
    # stored; only its hash is).
    raw_token: str

    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    query = models.OneToOneField(
        Query, null=True, blank=True, on_delete=models.PROTECT, related_name="survey"
    )
    office = models.ForeignKey(
        "catalog.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="orientador",
        on_delete=models.PROTECT,
        related_name="attention_surveys",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField("correo", blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    offered_at = models.DateTimeField("ofrecida")
    expires_at = models.DateTimeField("vence")
    answered_at = models.DateTimeField("respondida", null=True, blank=True)
    answered_via = models.CharField("respondida por", max_length=10, blank=True)
    score = models.PositiveSmallIntegerField("calificación (1 a 5)", null=True, blank=True)
    comment = models.TextField("comentario", blank=True)

    class Meta:
        verbose_name = "encuesta de atención"
        verbose_name_plural = "encuestas de atención"
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=1) & Q(score__lte=5)),
                name="survey_score_1_5",
            ),
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(query__isnull=True))
                | (Q(case__isnull=True) & Q(query__isnull=False)),
                name="survey_case_xor_query",
            ),
        ]
        indexes = [models.Index(fields=["offered_at"], name="survey_offered_idx")]

    @property
    def item_code(self) -> str:
        return self.case.code if self.case_id else self.query.code
