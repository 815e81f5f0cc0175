"""Levels of the regulator's own attention (DOMAIN.md §1, issue 8).

An `Area` is a unit of the regulator at one attention level: level 1 is orientación (the
orientadores who attend the citizen), level 2 the specialist areas, level 3 technical support.
`AreaMember` says which regulator users work in an area (their queue)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


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
