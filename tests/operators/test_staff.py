"""The operator administrator's staff page: invitations by email (single use, 72 hours,
token stored hashed), role changes, deactivation that takes effect at once — and never
another operator's people."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone

from factories import PASSWORD, logged, make_admin, make_operator_agent, run_tasks
from sgu.accounts.models import Role, User
from sgu.accounts.services import token_hash
from sgu.core.models import AuditEvent
from sgu.operators.models import OperatorInvitation

# Destructive actions are sent from their confirmation page (core/confirm.html).
CONFIRMED = {"confirmado": "1"}

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Faro-de-Chorrillos-42"
LINK = re.compile(r"http://\S+/operadora/invitacion/(?P<token>[A-Za-z0-9_-]{30,})/")


def invite(web, email="nueva.agente@claro.com.pe", role="OPERATOR_AGENT"):
    return web.post("/operadora/personal/", {"email": email, "role": role})


def accept(path, **overrides):
    data = {
        "first_name": "Rosa",
        "last_name": "Quispe",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return Client().post(path, data)


def test_invitation_arrives_by_email_and_creates_the_account(claro, mailbox):
    admin = make_admin(claro)
    web = logged(admin)
    response = invite(web)
    assert response.status_code == 302
    run_tasks()
    msg = mailbox.wait_for("nueva.agente@claro.com.pe", "Invitación")
    body = mailbox.text(msg)
    assert "72 horas" in body and claro.name in body
    match = LINK.search(body)
    token = match.group("token")
    path = match.group(0)[match.group(0).index("/operadora/") :]
    invitation = OperatorInvitation.objects.get()
    assert invitation.token_hash == token_hash(token) and token not in str(invitation.__dict__)
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)
    # Pending invitations are listed for the administrator.
    assert "nueva.agente@claro.com.pe" in web.get("/operadora/personal/").content.decode()

    page = Client().get(path)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"  # the token never leaves the site
    assert "nueva.agente@claro.com.pe" in page.content.decode()

    done = accept(path)
    assert done.status_code == 302 and done["Location"] == "/cuenta/ingresar/"
    user = User.objects.get(email="nueva.agente@claro.com.pe")
    assert (user.role, user.operator, user.first_name) == (Role.OPERATOR_AGENT, claro, "Rosa")
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert authenticate(email=user.email, password=NEW_PASSWORD) == user

    # Single use: the same link now refuses, and no second account appears.
    again = accept(path, first_name="Otra")
    assert again.status_code == 410 and "ya se usó" in again.content.decode()
    assert User.objects.filter(email="nueva.agente@claro.com.pe").count() == 1

    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert "operator_staff.invited" in actions and "operator_staff.joined" in actions


def test_expired_unknown_and_replaced_links_are_refused(claro, mailbox):
    web = logged(make_admin(claro))
    invite(web, email="tarde@claro.com.pe")
    run_tasks()
    first = LINK.search(mailbox.text(mailbox.wait_for("tarde@claro.com.pe"))).group(0)
    first = first[first.index("/operadora/") :]
    OperatorInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = accept(first)
    assert expired.status_code == 410 and "venció" in expired.content.decode()
    assert not User.objects.filter(email="tarde@claro.com.pe").exists()

    unknown = Client().get("/operadora/invitacion/no-existe-este-token-0123456789abc/")
    assert unknown.status_code == 404

    # A new invitation to the same address replaces the pending one.
    mailbox.clear()
    invite(web, email="tarde@claro.com.pe", role="OPERATOR_ADMIN")
    invite(web, email="tarde@claro.com.pe", role="OPERATOR_ADMIN")
    run_tasks()
    assert len(mailbox.to("tarde@claro.com.pe")) == 2
    older, newer = (LINK.search(mailbox.text(m)).group(0) for m in mailbox.to("tarde@claro.com.pe"))
    older, newer = older[older.index("/operadora/") :], newer[newer.index("/operadora/") :]
    assert accept(older).status_code == 410
    assert accept(newer).status_code == 302
    assert User.objects.get(email="tarde@claro.com.pe").role == Role.OPERATOR_ADMIN


def test_bad_input_is_explained_and_creates_nothing(claro, mailbox):
    web = logged(make_admin(claro))
    bad = web.post("/operadora/personal/", {"email": "no-es-correo", "role": "SUPERUSER"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "Ingrese un correo válido" in html and "Elija el rol" in html
    taken = invite(web, email=make_operator_agent(claro).email)
    assert taken.status_code == 422 and "ya tiene una cuenta" in taken.content.decode()
    assert not OperatorInvitation.objects.exists()

    invite(web, email="debil@claro.com.pe")
    run_tasks()
    link = LINK.search(mailbox.text(mailbox.wait_for("debil@claro.com.pe"))).group(0)
    path = link[link.index("/operadora/") :]
    weak = accept(path, first_name="", password="12345678", password2="12345679")
    assert weak.status_code == 422
    html = weak.content.decode()
    assert "Ingrese sus nombres" in html
    assert "contraseña es demasiado común" in html or "completamente numérica" in html
    assert "no coinciden" in html
    assert not User.objects.filter(email="debil@claro.com.pe").exists()
    assert accept(path).status_code == 302  # the link still works after a refusal


def test_signed_in_people_cannot_use_an_invitation(claro, mailbox):
    web = logged(make_admin(claro))
    invite(web)
    run_tasks()
    link = LINK.search(mailbox.text(mailbox.wait_for("nueva.agente@claro.com.pe"))).group(0)
    path = link[link.index("/operadora/") :]
    assert web.post(path, {"first_name": "x"}).status_code == 403
    assert not User.objects.filter(email="nueva.agente@claro.com.pe").exists()


def test_deactivation_ends_sessions_at_once_and_reactivation_restores(claro):
    admin = make_admin(claro)
    agent = make_operator_agent(claro)
    agent_web = logged(agent)
    admin_web = logged(admin)
    assert agent_web.get("/operadora/bandeja/").status_code == 200
    assert agent_web.get("/api/v1/operator/cases").status_code == 200  # session on the API

    response = admin_web.post(f"/operadora/personal/{agent.pk}/desactivar/", CONFIRMED)
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active is False
    # The same session, next request: signed out of the pages and of the API.
    assert agent_web.get("/operadora/bandeja/").status_code == 302
    assert agent_web.get("/api/v1/operator/cases").status_code == 401
    assert authenticate(email=agent.email, password=PASSWORD) is None

    admin_web.post(f"/operadora/personal/{agent.pk}/reactivar/")
    assert authenticate(email=agent.email, password=PASSWORD) == agent
    # The session from before the deactivation ended for good: reactivated, the person
    # signs in again; the old cookie does not come back to life.
    assert agent_web.get("/operadora/bandeja/").status_code == 302
    assert logged(agent).get("/operadora/bandeja/").status_code == 200
    assert admin_web.get("/operadora/bandeja/").status_code == 200  # others keep theirs
    actions = set(AuditEvent.objects.filter(actor=admin).values_list("action", flat=True))
    assert {"operator_staff.deactivated", "operator_staff.reactivated"} <= actions


def test_role_change_and_the_last_administrator_rule(claro):
    admin = make_admin(claro)
    agent = make_operator_agent(claro)
    web = logged(admin)
    # The only active administrator cannot demote or deactivate themselves.
    web.post(f"/operadora/personal/{admin.pk}/rol/", {"role": "OPERATOR_AGENT"})
    web.post(f"/operadora/personal/{admin.pk}/desactivar/", CONFIRMED)
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.OPERATOR_ADMIN, True)
    page = web.get("/operadora/personal/").content.decode()
    assert "único administrador activo" in page

    assert web.post(f"/operadora/personal/{agent.pk}/rol/", {"role": "OPERATOR_ADMIN"}).status_code
    agent.refresh_from_db()
    assert agent.role == Role.OPERATOR_ADMIN
    assert logged(agent).get("/operadora/claves/").status_code == 200  # admin pages open now
    # With a second administrator, the first may step down.
    web.post(f"/operadora/personal/{admin.pk}/rol/", {"role": "OPERATOR_AGENT"})
    admin.refresh_from_db()
    assert admin.role == Role.OPERATOR_AGENT
    assert web.get("/operadora/personal/").status_code == 403  # at once

    bad = logged(agent).post(f"/operadora/personal/{admin.pk}/rol/", {"role": "CITIZEN"})
    assert bad.status_code == 302
    admin.refresh_from_db()
    assert admin.role == Role.OPERATOR_AGENT
    event = AuditEvent.objects.filter(action="operator_staff.role_changed").order_by("id").last()
    assert event.data == {"operator": "CLARO", "from": "OPERATOR_ADMIN", "to": "OPERATOR_AGENT"}


def test_another_operators_people_are_404_and_agents_are_kept_out(claro, movistar, mailbox):
    claro_admin = make_admin(claro)
    claro_agent = make_operator_agent(claro)
    invite(logged(claro_admin), email="pendiente@claro.com.pe")
    invitation = OperatorInvitation.objects.get()
    outsider = logged(make_admin(movistar))
    for path, data in (
        (f"/operadora/personal/{claro_agent.pk}/rol/", {"role": "OPERATOR_ADMIN"}),
        (f"/operadora/personal/{claro_agent.pk}/desactivar/", {}),
        (f"/operadora/personal/{claro_agent.pk}/desactivar/", CONFIRMED),
        (f"/operadora/personal/{claro_agent.pk}/reactivar/", {}),
        (f"/operadora/personal/invitaciones/{invitation.pk}/anular/", {}),
        (f"/operadora/personal/invitaciones/{invitation.pk}/anular/", CONFIRMED),
    ):
        assert outsider.post(path, data).status_code == 404, path
    listing = outsider.get("/operadora/personal/").content.decode()
    assert claro_agent.email not in listing and "pendiente@claro.com.pe" not in listing
    claro_agent.refresh_from_db()
    invitation.refresh_from_db()
    assert claro_agent.is_active and claro_agent.role == Role.OPERATOR_AGENT
    assert invitation.cancelled_at is None

    agent_web = logged(make_operator_agent(claro))
    assert agent_web.get("/operadora/personal/").status_code == 403
    assert agent_web.post(f"/operadora/personal/{claro_agent.pk}/desactivar/").status_code == 403
    claro_agent.refresh_from_db()
    assert claro_agent.is_active

    # The administrator of Claro cancels the invitation: its link stops working.
    logged(claro_admin).post(f"/operadora/personal/invitaciones/{invitation.pk}/anular/", CONFIRMED)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
