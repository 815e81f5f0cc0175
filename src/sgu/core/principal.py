from dataclasses import dataclass
from typing import Any

from django.db import models


class Actor(models.TextChoices):
    """Who acts, as every timeline (cases, attention) records it."""

    CITIZEN = "CITIZEN", "Ciudadano"
    OPERATOR = "OPERATOR", "Operadora"
    REGULATOR = "REGULATOR", "Regulador"
    SYSTEM = "SYSTEM", "Sistema"


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in person, or an operator's back-end through its API key.

    `actor_role` is the timeline's role (Actor). Operator principals always
    carry their operator; everything an operator may see is scoped by it.
    """

    actor_role: str
    user: Any = None  # accounts.User or None (system, API key)
    operator: Any = None  # catalog.Operator for operator staff and keys
    api_key_id: int | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None
