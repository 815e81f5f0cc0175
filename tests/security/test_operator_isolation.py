"""Operator isolation, generated from the URL list: every operator page (Django's resolver)
and every operator API operation (the ninja routers) is tried with another operator's agent,
administrator or API key, against objects that belong to Claro. A new endpoint whose path
parameter is not mapped below makes this test fail — it cannot escape the check."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from factories import (
    make_admin,
    make_case,
    make_citizen,
    make_operator_agent,
    operator_api,
    overdue_case,
    png_bytes,
    request_claim,
    upload,
)
from sgu.accounts import services as accounts
from sgu.api import api
from sgu.cases import services as cases
from sgu.core.principal import Principal
from sgu.operators import services as operator_services
from sgu.operators.models import WebhookDelivery

pytestmark = pytest.mark.django_db

WEB_NAMESPACES = {"operators", "outages"}
API_PREFIXES = ("/operator/",)
# Pages of those namespaces that only the regulator may open (operators get 403).
REGULATOR_ONLY = {
    "regulator_events",
    "export_csv",
    "export_xlsx",
    "windows",
    "window_new",
    "window",
    "window_apply",
}


def web_routes():
    out = []

    def walk(patterns, prefix, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
            elif isinstance(p, URLPattern) and ns in WEB_NAMESPACES:
                out.append((ns, p.name, "/" + prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", None)
    return out


def api_routes():
    out = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            full = prefix + path
            if full.startswith(API_PREFIXES):
                for op in view.operations:
                    for method in op.methods:
                        out.append((method, "/api/v1" + full, op.view_func.__name__))
    return out


@pytest.fixture
def claro_world(claro, movistar, settings):
    """Objects that are Claro's: a case with evidence, a claim, a webhook delivery, an API
    key, an attention point and an outage."""
    from outages.helpers import make_point, register

    settings.SGU = {**settings.SGU, "WEBHOOK_ALLOW_HTTP_HOSTS": ["127.0.0.1"]}
    admin = make_admin(claro)
    operator_services.configure_webhook(
        operator=claro, url="http://127.0.0.1:9/x", secret="0123456789abcdef0123"
    )
    citizen = make_citizen()
    case = make_case(citizen)
    attachment = cases.add_attachments(
        case=case,
        files=[upload("foto.png", png_bytes(), "image/png")],
        by=Principal(actor_role="CITIZEN", user=citizen),
    )[0]

    claim = request_claim(overdue_case(citizen))
    _, key = accounts.create_operator_key(operator=claro, name="crm")
    point = make_point(admin)
    from datetime import timedelta

    from django.utils import timezone

    outage = register(admin, point, started_at=timezone.now() - timedelta(hours=1))
    from service_requests.helpers import baja, csv_bytes, send

    batch = send(claro, csv_bytes([baja()]), process=False)
    staff_member = make_operator_agent(claro)
    invitation = operator_services.invite_staff(
        operator=claro, email="invitada@claro.com.pe", role="OPERATOR_AGENT", by=admin
    )
    return {
        "code": case.code,
        "pk": attachment.pk,
        "claim_id": claim.pk,
        "delivery_id": WebhookDelivery.objects.filter(operator=claro).first().pk,
        "key_id": key.pk,
        "outage_id": outage.pk,
        "batch_id": batch.pk,
        "user_id": staff_member.pk,
        "invitation_id": invitation.pk,
        "kind": "PLANS",  # a kind of the operator's own information, not an object of Claro's
        # The invitation page is opened by token, without an account: a signed-in person of
        # any operator gets 403 there (a real, pending token of Claro's is not enough).
        "token": _invitation_token(invitation),
        ("point_edit", "pk"): point.pk,
        ("event_close", "pk"): outage.pk,
        ("event", "pk"): outage.pk,
        ("event_confirm", "pk"): outage.pk,
        ("event_evaluate", "pk"): outage.pk,
        ("event_approve", "pk"): outage.pk,
        ("window", "pk"): 1,
        ("window_apply", "pk"): 1,
        "_codes": {case.code, claim.case.code},
    }


def _invitation_token(invitation) -> str:
    # Only the hash is stored: give the invitation a token the test knows.
    from sgu.accounts.services import token_hash

    raw = "token-de-prueba-de-claro-0123456789"
    type(invitation).objects.filter(pk=invitation.pk).update(token_hash=token_hash(raw))
    return raw


def readable(response) -> str:
    """The body as text, whether streamed (exports) or not; an XLSX is unzipped."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = b"".join(z.read(n) for n in z.namelist())
    return data.decode(errors="replace")


# Path parameters that name a kind of thing, not an object: the page is the caller's own.
NOT_AN_OBJECT = {"kind"}


def names_an_object(pattern: str) -> bool:
    params = set(re.findall(r"<(?:\w+:)?(\w+)>", pattern)) | set(re.findall(r"\{(\w+)\}", pattern))
    return bool(params - NOT_AN_OBJECT)


def fill(path: str, name: str, world: dict) -> str:
    def value(match):
        param = match.group("name")
        key = (name, param) if (name, param) in world else param
        assert key in world, f"parámetro {param!r} de {path} ({name}) sin mapear en el test"
        return str(world[key])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, path)
    return re.sub(r"\{(?P<name>\w+)\}", value, path)


def test_every_operator_page_refuses_another_operators_staff(claro_world, movistar):
    routes = web_routes()
    assert len(routes) > 15
    for user in (make_operator_agent(movistar), make_admin(movistar)):
        web = Client()
        web.force_login(user)
        for _ns, name, pattern in routes:
            path = fill(pattern, name, claro_world)
            for method in ("get", "post"):
                response = getattr(web, method)(path, *([{"x": "1"}] if method == "post" else []))
                status = response.status_code
                if names_an_object(pattern):  # an object of Claro's
                    assert status in (403, 404, 405), (method, path, status)
                elif name in REGULATOR_ONLY:
                    assert status in (403, 405), (method, path, status)
                else:  # a list/form of one's own operator: nothing of Claro's in it
                    body = readable(response)
                    for code in claro_world["_codes"]:
                        assert code not in body, (method, path)


def test_every_operator_api_operation_refuses_another_operators_key(claro_world, movistar):
    routes = api_routes()
    assert len(routes) >= 10
    movistar_key = operator_api(movistar)
    for method, pattern, name in routes:
        path = fill(pattern, name, claro_world)
        if method == "GET":
            response = movistar_key.get(path)
        elif method == "POST":
            response = movistar_key.post(path, {})
        else:  # PUT, PATCH, DELETE: the same empty JSON body
            response = movistar_key.client.generic(
                method, path, "{}", content_type="application/json", **movistar_key._headers({})
            )
        status = response.status_code
        if names_an_object(pattern):
            assert status in (403, 404, 422), (method, path, status)
            if status == 422:  # validation ran first: the object must still be unseen
                assert not any(c in readable(response) for c in claro_world["_codes"])
        else:
            assert status in (200, 201, 409, 422), (method, path, status)
            for code in claro_world["_codes"]:
                assert code not in readable(response), (method, path)
