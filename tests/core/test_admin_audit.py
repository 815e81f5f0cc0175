"""Changes made through the Django admin land in the audit trail, for every model's admin."""

import pytest
from django.contrib import admin
from django.test import Client

from factories import make_regulator
from sgu.core.admin_site import AuditedAdmin
from sgu.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db


def test_every_registered_admin_is_audited():
    assert admin.site._registry  # the admin is really there
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), model


def test_adding_changing_and_deleting_in_the_admin_are_audited(catalog):
    supervisor = make_regulator("REGULATOR_SUPERVISOR")
    supervisor.is_staff = supervisor.is_superuser = True
    supervisor.save(update_fields=["is_staff", "is_superuser"])
    browser = Client()
    browser.force_login(supervisor)
    base = "/admin/core/calendarday/"

    added = browser.post(
        f"{base}add/", {"date": "2026-12-24", "is_working": "", "reason": "Decreto de prueba"}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    day = CalendarDay.objects.get(date="2026-12-24")
    changed = browser.post(
        f"{base}{day.pk}/change/", {"date": "2026-12-24", "is_working": "", "reason": "Otro motivo"}
    )
    assert changed.status_code == 302
    deleted = browser.post(f"{base}{day.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not CalendarDay.objects.filter(pk=day.pk).exists()

    trail = list(
        AuditEvent.objects.filter(action__startswith="admin.")
        .order_by("id")
        .values_list("action", "actor_id", "target")
    )
    target = f"core.CalendarDay:{day.pk}"
    assert trail == [
        ("admin.added", supervisor.pk, target),
        ("admin.changed", supervisor.pk, target),
        ("admin.deleted", supervisor.pk, target),
    ]
    change = AuditEvent.objects.get(action="admin.changed").data["change"]
    assert change == [{"changed": {"fields": ["Motivo"]}}]
