"""The provider in the Django admin (issue 18): providers and their teams are configured
there, in Spanish; the register's history (requirements, stages, files, replicas,
confirmations, evaluations and attempts) is shown and can never be added, edited or
deleted there."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factories import lima, make_citizen, pdf_bytes
from provider.helpers import P, approved_version, file, to_replica_stage
from sgu.accounts import services as accounts
from sgu.accounts.models import Role
from sgu.provider import services
from sgu.provider.models import (
    Evaluation,
    EvaluationAttempt,
    Provider,
    ProviderStaff,
    Replica,
    ReportSubscription,
    Requirement,
    RequirementAttachment,
    RequirementStep,
    Trainee,
)

pytestmark = pytest.mark.django_db

HISTORY = [
    Requirement,
    RequirementStep,
    RequirementAttachment,
    Replica,
    Trainee,
    Evaluation,
    EvaluationAttempt,
]


@pytest.fixture
def superuser(cliente):
    cliente.is_staff = cliente.is_superuser = True
    cliente.save(update_fields=["is_staff", "is_superuser"])
    browser = Client()
    browser.force_login(cliente)
    return browser


@pytest.fixture
def history(team, cliente):
    """One requirement with a file, its replica, a confirmation and a failed attempt."""
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    pdf = SimpleUploadedFile("oficio.pdf", pdf_bytes(), "application/pdf")
    services.add_attachments(requirement=req, files=[pdf], by=P(cliente), now=lima(2026, 11, 25, 9))
    req = to_replica_stage(req, team, cliente, now=lima(2026, 11, 25, 10))
    replica = services.plan_replica(
        requirement=req,
        article_version=approved_version(),
        memory_aid="La portabilidad se ejecuta en 24 horas; la pide el titular.",
        scheduled_for="2026-11-26",
        trainer=team.trainer,
        advisors=[team.advisors[0]],
        by=P(team.trainer),
        now=lima(2026, 11, 25, 11),
    )
    services.schedule_evaluation(
        replica=replica,
        questions=[services.Question("¿Plazo de la portabilidad?", ["24 horas", "5 días"], 0)],
        pass_mark=100,
        max_attempts=2,
        opens_at=None,
        by=P(team.trainer),
        now=lima(2026, 11, 25, 11),
    )
    services.start_replica(replica=replica, by=P(team.trainer), now=lima(2026, 11, 25, 12))
    for person in (team.ops, team.monitor, team.advisors[0]):
        services.confirm_training(replica=replica, by=P(person), now=lima(2026, 11, 25, 13))
    services.submit_evaluation(
        replica=replica, answers=[1], by=P(team.advisors[0]), now=lima(2026, 11, 25, 14)
    )
    services.subscribe_report(
        provider=team.provider, email="jefa@regulador.example.pe", period="weekly", by=P(cliente)
    )
    return req


def test_every_provider_model_has_its_spanish_page_and_every_page_opens(superuser, history):
    index = superuser.get("/admin/").content.decode()
    assert "Proveedor del centro de contacto" in index
    for plural in (
        "Proveedores",
        "Personal del proveedor",
        "Requerimientos",
        "Etapas del requerimiento",
        "Adjuntos del requerimiento",
        "Réplicas",
        "Capacitados",
        "Evaluaciones",
        "Intentos de evaluación",
        "Envíos programados del reporte",
    ):
        assert plural in index, plural
    for model in [Provider, ProviderStaff, ReportSubscription, *HISTORY]:
        base = f"/admin/provider/{model._meta.model_name}/"
        listed = superuser.get(base)
        assert listed.status_code == 200, (model, listed.status_code)
        one = model.objects.order_by("pk").first()
        shown = superuser.get(f"{base}{one.pk}/change/")
        assert shown.status_code == 200, (model, shown.status_code)
    page = superuser.get(f"/admin/provider/requirement/{history.pk}/change/").content.decode()
    # The stages, the file and the replica are on the requirement's page.
    assert "Validación inicial" in page and "oficio.pdf" in page and "Réplicas" in page


def test_the_history_cannot_be_added_changed_or_deleted(superuser, history, rf, cliente):
    request = rf.get("/admin/")
    request.user = cliente
    for model in HISTORY:
        model_admin = admin.site._registry[model]
        one = model.objects.order_by("pk").first()
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request, one), model
        assert not model_admin.has_delete_permission(request, one), model
        base = f"/admin/provider/{model._meta.model_name}/"
        assert superuser.post(f"{base}{one.pk}/delete/", {"post": "yes"}).status_code == 403
        assert superuser.get(f"{base}add/").status_code == 403
        bulk = superuser.post(
            base, {"action": "delete_selected", "_selected_action": [one.pk], "post": "yes"}
        )
        assert bulk.status_code in (200, 302)
    assert Requirement.objects.count() == 1
    assert RequirementStep.objects.count() == 5
    assert (Trainee.objects.count(), EvaluationAttempt.objects.count()) == (3, 1)
    assert RequirementAttachment.objects.count() == 1
    # Providers and seats are deactivated, never deleted.
    for model in (Provider, ProviderStaff):
        assert not admin.site._registry[model].has_delete_permission(request), model


def test_a_person_joins_a_providers_team_in_the_admin(superuser, team):
    newcomer = accounts.create_staff_user(
        email="nueva.asesora@contacta.example.pe",
        password="Clave-segura-123",
        role=Role.PROVIDER_ADVISOR,
        first_name="Nueva",
        last_name="Asesora",
    )
    added = superuser.post(
        "/admin/provider/providerstaff/add/", {"provider": team.provider.pk, "user": newcomer.pk}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert ProviderStaff.objects.get(user=newcomer).provider == team.provider

    # A citizen, or someone already on a team, is refused in Spanish; nothing is written.
    for outsider, message in (
        (make_citizen(), "Solo una persona con un rol del proveedor integra su equipo."),
        (team.advisors[0], "Esa persona ya integra el equipo de un proveedor."),
    ):
        refused = superuser.post(
            "/admin/provider/providerstaff/add/",
            {"provider": team.provider.pk, "user": outsider.pk},
        )
        assert refused.status_code == 200
        assert message in refused.content.decode()
    assert ProviderStaff.objects.filter(provider=team.provider).count() == 8
