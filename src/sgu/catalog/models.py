from decimal import Decimal

from django.db import models


class Operator(models.Model):
    """Empresa operadora bound by the SGU."""

    code = models.SlugField("código", max_length=20, unique=True)  # CLARO, MOVISTAR…
    name = models.CharField("nombre", max_length=120)
    mobile_lines = models.PositiveBigIntegerField(
        "líneas móviles", default=0, help_text="Para normalizar indicadores por tamaño de mercado."
    )
    lines_as_of = models.DateField("líneas a la fecha", null=True, blank=True)
    active = models.BooleanField("activa", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "operadora"
        verbose_name_plural = "operadoras"

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """A regulator office (centro de atención) where orientadores attend citizens."""

    code = models.SlugField("código", max_length=20, unique=True)
    name = models.CharField("nombre", max_length=120)
    address = models.CharField("dirección", max_length=200, blank=True)
    ubigeo = models.CharField("ubigeo", max_length=6, help_text="Código INEI de 6 dígitos")
    department = models.CharField("departamento", max_length=60)
    province = models.CharField("provincia", max_length=60)
    district = models.CharField("distrito", max_length=60)
    latitude = models.DecimalField("latitud", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("longitud", max_digits=9, decimal_places=6)
    active = models.BooleanField("activa", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "oficina"
        verbose_name_plural = "oficinas"

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Code(models.TextChoices):
        MOVIL = "MOVIL", "Telefonía móvil"
        FIJO = "FIJO", "Telefonía fija"
        INTERNET = "INTERNET", "Internet"
        TV = "TV", "TV de paga"

    code = models.CharField("código", max_length=10, choices=Code.choices, unique=True)
    name = models.CharField("nombre", max_length=80)
    active = models.BooleanField("activo", default=True)
    order = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "servicio"
        verbose_name_plural = "servicios"

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    service = models.ForeignKey(
        Service, verbose_name="servicio", on_delete=models.PROTECT, related_name="categories"
    )
    code = models.SlugField("código", max_length=40)
    name = models.CharField("nombre", max_length=120)
    active = models.BooleanField("activa", default=True)
    order = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        ordering = ["service", "order", "name"]
        verbose_name = "categoría"
        verbose_name_plural = "categorías"
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="category_code_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} · {self.name}"


class DeadlineUnit(models.TextChoices):
    BUSINESS_DAYS = "BUSINESS_DAYS", "días hábiles"
    BUSINESS_HOURS = "BUSINESS_HOURS", "horas hábiles"


class Subcategory(models.Model):
    category = models.ForeignKey(
        Category, verbose_name="categoría", on_delete=models.PROTECT, related_name="subcategories"
    )
    code = models.SlugField("código", max_length=60, unique=True)
    name = models.CharField("nombre", max_length=160)
    help_text = models.CharField("ayuda para el usuario", max_length=300, blank=True)
    deadline_amount = models.PositiveSmallIntegerField("plazo de atención", default=1)
    deadline_unit = models.CharField(
        "unidad del plazo",
        max_length=16,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.BUSINESS_DAYS,
    )
    claimable = models.BooleanField("materia reclamable", default=False)
    claim_deadline_days = models.PositiveSmallIntegerField(
        "plazo del reclamo (días hábiles)", null=True, blank=True
    )
    # Billing matters: the claim's legal deadline depends on the amount claimed (DOMAIN §4).
    claim_amount_field = models.SlugField(
        "campo con el monto reclamado",
        max_length=40,
        blank=True,
        help_text="Nombre técnico del campo adicional con el monto (p. ej. monto_reclamado).",
    )
    claim_deadline_days_above_half_uit = models.PositiveSmallIntegerField(
        "plazo del reclamo si el monto supera 0.5 UIT (días hábiles)", null=True, blank=True
    )
    # A matter whose reclamo would imply the suspension of payments is not filed through the
    # SGU (the operators' reclamo procedure, "Operativa para Generación de Reclamos"): the
    # citizen is told where to file it instead.
    suspends_payments = models.BooleanField(
        "implica suspensión de pagos",
        default=False,
        help_text="Si se marca, el SGU no genera el reclamo y le indica al usuario dónde "
        "presentarlo.",
    )
    claim_elsewhere = models.CharField(
        "dónde presentar el reclamo en su lugar",
        max_length=400,
        blank=True,
        help_text="Se muestra al usuario cuando la materia implica suspensión de pagos.",
    )
    active = models.BooleanField("activa", default=True)
    order = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        ordering = ["category__order", "order", "name"]
        verbose_name = "subcategoría"
        verbose_name_plural = "subcategorías"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline_amount__gte=1), name="subcategory_deadline_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(claimable=False) | models.Q(claim_deadline_days__gte=1),
                name="claimable_has_claim_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.name} · {self.name}"

    @property
    def service_code(self) -> str:
        return self.category.service.code

    @property
    def deadline_label(self) -> str:
        unit = "día hábil" if self.deadline_unit == DeadlineUnit.BUSINESS_DAYS else "hora hábil"
        plural = (
            "días hábiles" if self.deadline_unit == DeadlineUnit.BUSINESS_DAYS else "horas hábiles"
        )
        return f"{self.deadline_amount} {unit if self.deadline_amount == 1 else plural}"


class FieldType(models.TextChoices):
    TEXT = "TEXT", "texto"
    NUMBER = "NUMBER", "número"
    MONEY = "MONEY", "monto (S/)"
    DATE = "DATE", "fecha"
    CHOICE = "CHOICE", "opción de una lista"
    # The choices are the chosen operator's current information (operators.models.InfoList):
    # its plans, packages, recharge channels or points of sale, with "otro" as a fallback.
    OPERATOR_INFO = "OPINFO", "opción de la información de la operadora"


class OperatorInfoKind(models.TextChoices):
    """What an operator keeps current for the citizen's form (instructivo, punto vii)."""

    PLANS = "PLANS", "planes"
    PACKAGES = "PACKAGES", "paquetes y servicios adicionales"
    RECHARGE_CHANNELS = "RECHARGE_CHANNELS", "canales de recarga"
    POINTS_OF_SALE = "POINTS_OF_SALE", "puntos de venta"


class SubcategoryField(models.Model):
    """An extra datum the user must (or may) give for this kind of problem."""

    subcategory = models.ForeignKey(
        Subcategory, verbose_name="subcategoría", on_delete=models.CASCADE, related_name="fields"
    )
    name = models.SlugField(
        "nombre técnico", max_length=40, help_text="Clave en la API, p. ej. monto_reclamado"
    )
    label = models.CharField("etiqueta", max_length=120)
    type = models.CharField("tipo", max_length=8, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField("obligatorio", default=True)
    choices = models.JSONField(
        "opciones", default=list, blank=True, help_text='Solo para tipo "opción": ["A", "B"]'
    )
    info_kind = models.CharField(
        "información de la operadora",
        max_length=20,
        choices=OperatorInfoKind.choices,
        blank=True,
        help_text='Solo para tipo "opción de la información de la operadora": qué lista ofrece.',
    )
    help_text = models.CharField("ayuda", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "campo adicional"
        verbose_name_plural = "campos adicionales"
        constraints = [
            models.UniqueConstraint(fields=["subcategory", "name"], name="subcategory_field_uniq"),
            models.CheckConstraint(
                condition=~models.Q(type="OPINFO") | ~models.Q(info_kind=""),
                name="opinfo_field_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class UitValue(models.Model):
    """Unidad Impositiva Tributaria of a year (yearly configuration)."""

    year = models.PositiveSmallIntegerField("año", unique=True)
    value = models.DecimalField("valor (S/)", max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["-year"]
        verbose_name = "valor de la UIT"
        verbose_name_plural = "valores de la UIT"

    def __str__(self) -> str:
        return f"UIT {self.year}: S/ {self.value}"

    @property
    def half(self) -> Decimal:
        return (self.value / 2).quantize(Decimal("0.01"))
