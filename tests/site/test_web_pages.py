"""Pages everyone sees, error pages, and rules every page keeps (accessibility basics and a
markup ready for a strict Content-Security-Policy)."""

import re

import pytest
from django.test import Client

from factories import (
    PASSWORD,
    assign_code,
    check_page_rules,
    enrol_two_factor,
    make_admin,
    make_citizen,
    make_operator_agent,
    make_regulator,
    overdue_case,
    png_upload,
    register_case,
    request_claim,
    return_case,
    text,
)

pytestmark = pytest.mark.django_db


def test_home_explains_the_sgu_and_offers_the_main_actions(client):
    response = client.get("/")

    shown = text(response)
    assert response.status_code == 200
    assert "Sistema de Gestión de Usuarios" in shown
    html = response.content.decode()
    for href in ('href="/casos/nuevo/"', 'href="/cuenta/ingresar/"', 'href="/cuenta/registro/"'):
        assert href in html


def test_home_links_by_role(client, claro):
    client.force_login(make_citizen())
    html = client.get("/").content.decode()
    assert 'href="/casos/"' in html and "/operadora/bandeja/" not in html

    client.force_login(make_operator_agent(claro))
    html = client.get("/").content.decode()
    assert 'href="/operadora/bandeja/"' in html and 'href="/casos/"' not in html


def test_unknown_page_is_the_styled_404(client):
    response = client.get("/no-existe/")

    assert response.status_code == 404
    assert "No encontramos esta página" in text(response)
    assert "sgu.css" in response.content.decode()


def test_500_page_renders_without_a_request_context(rf):
    from sgu.core.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Algo salió mal de nuestro lado" in response.content.decode()


def test_a_form_without_its_csrf_token_gets_a_spanish_page(catalog):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/cuenta/ingresar/", {"username": "a@b.pe", "password": "x"})

    assert response.status_code == 403
    assert "La página venció" in response.content.decode()


# A JSON data island (json_script) is not executed, so the CSP does not need to allow it.


def pages(client, claro) -> list[tuple[str, str]]:
    """Every page of the web UI, as each role sees it."""
    citizen = make_citizen()
    case = register_case(citizen, attachments=[png_upload()])
    claimable = overdue_case(citizen)
    pending = request_claim(overdue_case(citizen))
    coded = assign_code(request_claim(overdue_case(citizen)), "R-1")
    returned = return_case(register_case(citizen))
    out = []
    anonymous = Client()
    for path in (
        "/",
        "/cuenta/registro/",
        "/cuenta/ingresar/",
        "/cuenta/confirmar/",
        "/cuenta/confirmar/abc/",
        "/no-existe/",
        "/indicadores/",
        "/indicadores/?periodo=2026-13",
        "/consulta/caso/",
    ):
        out.append((path, anonymous.get(path).content.decode()))
    out.append(("registro con errores", anonymous.post("/cuenta/registro/", {}).content.decode()))
    out.append(
        ("consulta de caso con errores", anonymous.post("/consulta/caso/", {}).content.decode())
    )
    found = anonymous.post(
        "/consulta/caso/", {"code": case.code, "document_number": citizen.document_number}
    )
    out.append(("consulta de caso encontrada", found.content.decode()))
    client.force_login(citizen)
    for path in (
        "/",
        "/casos/",
        "/casos/nuevo/",
        f"/casos/{case.code}/",
        "/casos/nuevo/campos/?subcategory=recarga-no-acreditada",
        "/cuenta/registro/listo/",
        "/operadora/bandeja/",
        f"/casos/{claimable.code}/",
        f"/casos/{pending.case.code}/",
        f"/casos/{coded.case.code}/",
        "/regulador/",
    ):
        out.append((path, client.get(path).content.decode()))
    out.append(("caso con errores", client.post("/casos/nuevo/", {}).content.decode()))
    reclamo = client.post(f"/casos/{claimable.code}/reclamo/", {"reason": ""})
    out.append(("reclamo con errores", reclamo.content.decode()))
    agent = Client()
    agent.force_login(make_operator_agent(claro))
    for path in (
        "/operadora/bandeja/",
        f"/operadora/casos/{case.code}/",
        f"/operadora/casos/{pending.case.code}/",
        "/operadora/reclamos/",
        "/operadora/reclamos/?state=CODED",
    ):
        out.append((path, agent.get(path).content.decode()))
    bad_code = agent.post(f"/operadora/reclamos/{pending.pk}/codigo/", {})
    out.append(("código con errores", bad_code.content.decode()))
    bad_return = agent.post(f"/operadora/casos/{case.code}/devolver/", {})
    out.append(("devolución con errores", bad_return.content.decode()))

    operator_admin = Client()
    operator_admin.force_login(make_admin(claro))
    out.append(
        ("/operadora/personal/", operator_admin.get("/operadora/personal/").content.decode())
    )
    bad_invite = operator_admin.post("/operadora/personal/", {"email": "x"})
    out.append(("invitación con errores", bad_invite.content.decode()))
    out.append(
        ("invitación inexistente", Client().get("/operadora/invitacion/abc/").content.decode())
    )
    regulator = Client()
    regulator.force_login(make_regulator())
    for path in (
        "/",
        "/regulador/",
        "/regulador/devueltos/",
        f"/regulador/casos/{returned.code}/",
        f"/regulador/casos/{coded.case.code}/",
    ):
        out.append((path, regulator.get(path).content.decode()))
    reassign = regulator.post(f"/regulador/casos/{returned.code}/reasignar/", {})
    out.append(("reasignación con errores", reassign.content.decode()))
    close = regulator.post(f"/regulador/casos/{returned.code}/confirmar-devolucion/", {})
    out.append(("cierre con errores", close.content.decode()))
    out += knowledge_and_suggestion_pages()
    out += account_security_pages(citizen)
    return out


def knowledge_and_suggestion_pages() -> list[tuple[str, str]]:
    """The knowledge base's and the suggestions' pages that take a parameter or show errors."""
    from knowledge.helpers import published, supervisor, write
    from suggestions.helpers import area, submit

    author, reviewer = supervisor(), supervisor()
    version = published(author, reviewer)
    draft = write(author, question="¿Qué hago si mi recarga no llegó a mi saldo?")
    area("USUARIOS", "Protección de usuarios")
    suggestion = submit()
    boss = Client()
    boss.force_login(reviewer)
    out = [
        (path, boss.get(path).content.decode())
        for path in (
            f"/regulador/conocimiento/articulos/{version.article_id}/",
            f"/regulador/conocimiento/articulos/{version.article_id}/cambiar/",
            f"/regulador/conocimiento/versiones/{draft.pk}/",
            "/regulador/conocimiento/?q=portabilidad",
            f"/regulador/sugerencias/{suggestion.code}/",
        )
    ]
    bad_article = boss.post("/regulador/conocimiento/gestion/nuevo/", {})
    out.append(("artículo con errores", bad_article.content.decode()))
    bad_reject = boss.post(f"/regulador/conocimiento/versiones/{draft.pk}/rechazar/", {})
    out.append(("rechazo con errores", bad_reject.content.decode()))
    bad_route = boss.post(f"/regulador/sugerencias/{suggestion.code}/derivar/", {})
    out.append(("derivación con errores", bad_route.content.decode()))
    bad_form = Client().post("/sugerencias/", {})
    out.append(("sugerencia con errores", bad_form.content.decode()))
    return out


def test_every_page_keeps_the_rules(client, claro):
    for path, html in pages(client, claro):
        check_page_rules(path, html)


def plain_paths(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the site without parameters, read from the URL configuration, so a new
    page is checked without anyone listing it. The Django admin, the JSON API and the probes
    (/healthz, /readyz: 503 is one of their answers) are not the web UI and are left out."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    if patterns is None:
        patterns = get_resolver().url_patterns
    out = []
    for entry in patterns:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern) or "<" in str(pattern):
            continue  # regex routes here are downloads with parameters
        route = prefix + str(pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or route.startswith(("admin/", "api/")):
                continue
            out += plain_paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and not route.startswith(
            ("admin/", "api/", "healthz", "readyz")
        ):
            out.append("/" + route)
    return out


def test_every_plain_page_of_every_role_keeps_the_rules(claro):
    from sgu.accounts.models import Role

    paths = plain_paths()
    assert "/regulador/bandeja/" in paths and "/operadora/bandeja/" in paths
    admin = make_operator_agent(claro)
    admin.role = Role.OPERATOR_ADMIN
    admin.save(update_fields=["role"])
    people = {
        "anónimo": None,
        "ciudadano": make_citizen(),
        "agente de operadora": make_operator_agent(claro),
        "administrador de operadora": admin,
        "orientador": make_regulator(),
        "supervisor": make_regulator("REGULATOR_SUPERVISOR"),
    }
    seen = 0
    for who, user in people.items():
        browser = Client()
        if user is not None:
            browser.force_login(user)
        for path in paths:
            # An empty form sent (a double click, a bot): a message, never a crash.
            assert browser.post(path, {}).status_code < 500, (who, "POST", path)
            response = browser.get(path)
            assert response.status_code < 500, (who, path)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                check_page_rules(f"{who} {path}", response.content.decode())
                seen += 1
    assert seen > 40


def test_an_htmx_request_after_the_session_expired_sends_the_browser_to_log_in(client):
    response = client.get("/operadora/bandeja/?overdue=si", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/cuenta/ingresar/?next=/operadora/bandeja/")


def account_security_pages(citizen) -> list[tuple[str, str]]:
    """The second factor's pages (before the session is verified) and password recovery."""
    from sgu.accounts import totp
    from sgu.accounts.services import _reset_link

    out = []
    new_staff = Client()
    new_staff.post("/cuenta/ingresar/", {"username": make_regulator().email, "password": PASSWORD})
    setup = new_staff.get("/cuenta/verificar/configurar/")
    out.append(("configurar 2FA", setup.content.decode()))
    wrong = new_staff.post("/cuenta/verificar/configurar/", {"code": "1"})
    out.append(("configurar 2FA con errores", wrong.content.decode()))
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', setup.content.decode()).group(1)
    codes = new_staff.post("/cuenta/verificar/configurar/", {"code": totp.now_code(secret)})
    out.append(("códigos de recuperación", codes.content.decode()))
    enrolled = make_regulator()
    enrol_two_factor(enrolled)
    staff = Client()
    staff.post("/cuenta/ingresar/", {"username": enrolled.email, "password": PASSWORD})
    out.append(("código 2FA", staff.get("/cuenta/verificar/").content.decode()))
    out.append(("código 2FA con errores", staff.post("/cuenta/verificar/", {}).content.decode()))
    staff.post("/cuenta/verificar/", {"code": totp.now_code(enrolled.two_factor.secret)})
    out.append(("seguridad con 2FA", staff.get("/cuenta/seguridad/").content.decode()))
    anonymous = Client()
    out.append(("recuperar con errores", anonymous.post("/cuenta/recuperar/", {}).content.decode()))
    link = _reset_link(citizen)
    out.append(("nueva contraseña", anonymous.get(link).content.decode()))
    out.append(("nueva contraseña con errores", anonymous.post(link, {}).content.decode()))
    out.append(("enlace vencido", anonymous.get("/cuenta/recuperar/MQ/x-y/").content.decode()))
    return out


# The lists without parameters in their URL (the others page through the same function).
PAGED_LISTS = [
    "/casos/",
    "/operadora/bandeja/",
    "/operadora/reclamos/",
    "/regulador/bandeja/",
    "/regulador/devueltos/",
    "/regulador/sugerencias/",
    "/regulador/atencion/",
    "/regulador/atencion/consultas/",
    "/bajas-migraciones/operadora/",
    "/bajas-migraciones/regulador/dias/",
    "/inoperatividad/eventos/",
    "/inoperatividad/regulador/",
    "/inoperatividad/contingencias/",
]


def test_a_broken_cursor_on_any_list_shows_its_first_page_with_a_message(claro):
    """Every web list pages with a cursor (core.web.page_of); an edited or stale one shows the
    list's first page and says why, on every page that lists, for every role."""
    from sgu.accounts.models import Role

    admin = make_operator_agent(claro)
    admin.role = Role.OPERATOR_ADMIN
    admin.save(update_fields=["role"])
    people = [
        make_citizen(),
        make_operator_agent(claro),
        admin,
        make_regulator(),
        make_regulator("REGULATOR_SUPERVISOR"),
    ]
    told = set()
    for user in people:
        browser = Client()
        browser.force_login(user)
        for path in plain_paths():
            response = browser.get(path + "?cursor=no-es-un-cursor")
            assert response.status_code < 500, (user.role, path)
            if response.streaming:  # a download
                continue
            if "El cursor no es válido; vuelva a la primera página." in response.content.decode():
                assert response.status_code == 200, (user.role, path)
                told.add(path)
    assert told >= set(PAGED_LISTS), sorted(set(PAGED_LISTS) - told)
