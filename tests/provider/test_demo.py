"""The provider's demo (`load_provider_demo`): a team and months of requirements in every
stage, made through the services; loading it twice changes nothing."""

import pytest
from django.utils import timezone

from factories import PASSWORD
from provider.helpers import approved_version, regulator
from sgu.core.calendar import load_calendar
from sgu.provider import selectors
from sgu.provider.demo import load_provider_demo
from sgu.provider.models import (
    Provider,
    Replica,
    ReplicaState,
    Requirement,
    RequirementAttachment,
    Stage,
)

pytestmark = pytest.mark.django_db


def test_demo_has_a_team_and_requirements_in_every_stage():
    approved_version()
    client = regulator()
    provider = load_provider_demo(password=PASSWORD)
    assert provider is not None
    assert provider.staff.count() == 12
    stages = set(Requirement.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    first = Requirement.objects.order_by("filed_at").first()
    assert (timezone.now() - first.filed_at).days >= 90
    assert Replica.objects.filter(state=ReplicaState.CLOSED).exists()
    assert Replica.objects.filter(state=ReplicaState.IN_PROGRESS).exists()
    total = selectors.register_compliance(selectors.register(client), timezone.now())
    assert 50 < total.percent < 100  # some stages late, most on time
    rows = list(
        selectors.register_rows(selectors.register(client), timezone.now(), load_calendar())
    )
    assert len(rows) == 24
    # Each requirement has its memo; those whose observation the client answered, its
    # written precisions too (one still waits for them).
    answered = (
        Requirement.objects.filter(steps__stage=Stage.OBSERVED, steps__ended_at__isnull=False)
        .distinct()
        .count()
    )
    assert answered >= 1
    assert RequirementAttachment.objects.count() == 24 + answered
    assert {a.content_type for a in RequirementAttachment.objects.all()} == {"application/pdf"}

    assert load_provider_demo(password=PASSWORD) is None
    assert Provider.objects.count() == 1
