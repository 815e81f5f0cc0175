"""The screens' finishing (issue 16): pages that dead-ended or looped, links that led
nowhere, tables that widened the phone, codes and English that reached people."""

import re

import pytest
from django.test import Client

from attention.helpers import make_areas, make_staff
from factories import (
    PASSWORD,
    Mailbox,
    assert_links_resolve,
    assisted_form,
    enrol_two_factor,
    error_of,
    make_citizen,
    make_operator_agent,
    make_regulator,
    register_case,
    registration_form,
    solution_form,
    text,
)
from outages.helpers import make_operator_admin
from sgu.attention import services as attention
from sgu.cases.models import Case

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- 1. /admin/ for someone signed in who is not an administrator ------------------------------


def test_admin_for_a_signed_in_non_administrator_is_a_403_page_not_a_redirect_loop(claro):
    for user in (make_citizen(), make_regulator(), make_operator_agent(claro)):
        client = client_for(user)
        first = client.get("/admin/")
        assert first.status_code == 302 and first["Location"].startswith("/admin/login/")
        page = client.get(first["Location"])
        assert page.status_code == 403
        assert "solo para los administradores del regulador" in text(page)


def test_admin_login_still_lets_an_administrator_in_and_sends_strangers_to_log_in():
    admin = make_regulator("REGULATOR_SUPERVISOR")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    assert Client().get("/admin/login/?next=/admin/")["Location"].startswith("/cuenta/ingresar/")
    client = client_for(admin)
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- 2. links in the receipt and the emails -------------------------------------------------


def test_the_assisted_registration_receipt_links_to_the_public_status_page(office, mailbox, tasks):

    agent = make_regulator()
    agent.office = office
    agent.save(update_fields=["office"])
    client = client_for(agent)
    receipt = client.get(client.post("/regulador/registrar/", assisted_form())["Location"])
    html = receipt.content.decode()
    assert "http://testserver/consulta/caso/" in html
    assert "http://testserver/consulta/caso/" in assert_links_resolve(html, "http://testserver")
    for href in re.findall(r'<a [^>]*href="(/[^"#?]*)', html):
        assert_links_resolve(f"http://testserver{href}", "http://testserver")

    case = Case.objects.get()
    client.post(f"/regulador/casos/{case.code}/constancia/enviar/")
    tasks()
    message = mailbox.wait_for(case.citizen.email, "Constancia")
    body = Mailbox.text(message)
    assert any(u.endswith("/consulta/caso/") for u in assert_links_resolve(body))


def test_a_wrong_path_in_an_email_fails_the_check():
    with pytest.raises(AssertionError, match="no page"):
        assert_links_resolve("Vea http://127.0.0.1:8000/consulta/ hoy.", "http://127.0.0.1:8000")


# --- 3. the 1st level's running escalations --------------------------------------------------


def test_running_escalations_are_a_table_on_the_page_not_in_the_browser_title(catalog):
    make_areas()
    agent = make_staff(first="Luis")
    q = attention.register_query(
        agent=agent,
        channel="WEB",
        motive="tramites-portabilidad",
        question="¿P?",
        name="Rosa",
        email="r@x.pe",
    )
    attention.escalate(
        agent=agent,
        query=q,
        area_code="USUARIOS",
        criticality="ALTO",
        complexity="BAJA",
        reason="Criterio del área.",
    )
    html = client_for(agent).get("/regulador/atencion/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<table" not in title and q.code not in title
    main = html.split('<main id="contenido"', 1)[1]
    assert re.search(r"<table[^>]*>\s*<caption>En curso en el 2\.º o 3\.er nivel", main)
    assert q.code in main


# --- 4. wide tables scroll inside their own box -----------------------------------------------

WIDE_TABLE_PAGES = [
    "/regulador/atencion/indicadores/",
    "/regulador/atencion/encuestas/",
    "/cuenta/correcciones/",
    "/regulador/estadisticas/",
    "/regulador/estadisticas/diario/",
    "/regulador/",
]


def test_every_data_table_sits_in_a_scrolling_box(catalog):
    make_areas()
    client = client_for(make_staff(role="REGULATOR_SUPERVISOR", first="Carmen"))
    for url in WIDE_TABLE_PAGES:
        html = client.get(url).content.decode()
        tables = re.findall(r'(?:<div class="table-scroll"[^>]*>\s*)?<table class="table', html)
        assert tables, url
        assert all(t.startswith('<div class="table-scroll"') for t in tables), url
    css = (client.get("/static/sgu/sgu.css").getvalue()).decode()
    assert ".table-scroll {" in css and "overflow-x: auto" in css and "position: sticky" in css


# --- 8. an agent who needs an attention point learns who can create one ------------------------


def test_agent_refused_a_new_attention_point_is_told_which_administrator_to_ask(claro):
    admin = make_operator_admin(claro)
    agent = make_operator_agent(claro)
    client = client_for(agent)
    refused = client.get("/inoperatividad/puntos/nuevo/")
    assert refused.status_code == 403
    assert f"Solo un administrador de {claro.name}" in text(refused)
    assert admin.email in text(refused)
    events = text(client.get("/inoperatividad/eventos/"))
    assert admin.email in events and "puntos de atención" in events
    points = text(client.get("/inoperatividad/puntos/"))
    assert admin.email in points
    own = text(client_for(admin).get("/inoperatividad/eventos/"))
    assert "Nuevo punto de atención" in own


# --- 5. codes and English that reached people ------------------------------------------------

CODES = ("RESOLVED", "NOT_APPLICABLE", "PASAPORTE", "TIENDA", "CENTRO_LLAMADAS")


def test_form_errors_name_the_choices_in_words_not_codes(claro, citizen):

    case = register_case(citizen)
    agent = client_for(make_operator_agent(claro))
    answer = agent.post(f"/operadora/casos/{case.code}/solucion/", solution_form(outcome=""))
    message = error_of(answer, "id_outcome")
    assert "«Resuelto»" in message and not any(code in message for code in CODES)

    registration = Client().post("/cuenta/registro/", registration_form(document_type=""))
    message = error_of(registration, "id_document_type")
    assert "pasaporte" in message and not any(code in message for code in CODES)

    admin = client_for(make_operator_admin(claro))
    point = admin.post("/inoperatividad/puntos/nuevo/", {"kind": "KIOSKO"})
    message = error_of(point, "id_kind")
    assert "Centro de llamadas" in message and not any(code in message for code in CODES)


def test_the_admin_names_the_background_tasks_in_spanish():
    admin = make_regulator("REGULATOR_SUPERVISOR")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    index = text(client.get("/admin/"))
    assert "Tareas en segundo plano" in index and "Núcleo" in index
    for english in ("Tasks Database Backend", "Task Results", "Task Result"):
        assert english not in index
    listing = text(client.get("/admin/django_tasks_database/dbtaskresult/"))
    assert "tarea" in listing.lower() and "Task name" not in listing and "Enqueued" not in listing


# --- 7. the staff menus, grouped by task; no menu before the second factor --------------------


def nav_of(response) -> str:
    html = response.content.decode()
    return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)


def top_entries(nav: str) -> list[str]:
    """What the header shows before anything is opened: group names and single links."""
    inner = re.sub(r"<ul>.*?</ul>", "", nav, flags=re.S)  # the groups' panels
    return [
        " ".join(re.sub(r"<[^>]+>", " ", m).split())
        for m in re.findall(r"<(?:summary|a|button)\b[^>]*>(.*?)</(?:summary|a|button)>", inner)
    ]


def test_the_supervisors_menu_is_five_groups_and_every_page_is_still_reachable(catalog):
    supervisor = make_regulator("REGULATOR_SUPERVISOR")
    supervisor.is_staff = True
    supervisor.save()
    nav = nav_of(client_for(supervisor).get("/regulador/"))
    entries = top_entries(nav)
    assert entries[:6] == [
        "Menú", "Bandejas", "Estadísticas", "Atención", "Operadoras", "Administración",
    ]  # fmt: skip
    assert len(entries) <= 8  # plus the account and «Salir»
    for href in (
        "/regulador/bandeja/",
        "/regulador/devueltos/",
        "/regulador/registrar/",
        "/regulador/estadisticas/",
        "/regulador/atencion/indicadores/",
        "/regulador/atencion/",
        "/regulador/conocimiento/",
        "/regulador/sugerencias/",
        "/cuenta/correcciones/",
        "/inoperatividad/regulador/",
        "/inoperatividad/contingencias/",
        "/bajas-migraciones/regulador/",
        "/admin/",
    ):
        assert f'href="{href}"' in nav, href
    assert 'aria-current="page"' in nav and "nav-group--current" in nav


def test_an_orientador_sees_no_statistics_and_operators_group_by_role(claro):
    entries = top_entries(nav_of(client_for(make_regulator()).get("/regulador/")))
    assert "Estadísticas" not in entries and "Administración" not in entries
    agent = top_entries(nav_of(client_for(make_operator_agent(claro)).get("/operadora/bandeja/")))
    assert "Bandejas" in agent and "Administración" not in agent
    admin_nav = nav_of(client_for(make_operator_admin(claro)).get("/operadora/bandeja/"))
    assert "Administración" in top_entries(admin_nav)
    for href in ("/operadora/personal/", "/operadora/claves/", "/operadora/webhook/"):
        assert f'href="{href}"' in admin_nav


def test_before_the_second_factor_the_page_shows_only_the_code_form_and_a_way_out(catalog):

    supervisor = make_regulator("REGULATOR_SUPERVISOR")
    enrol_two_factor(supervisor)
    client = Client()
    assert client.login(username=supervisor.email, password=PASSWORD)
    page = client.get("/cuenta/verificar/")
    assert page.status_code == 200
    nav = nav_of(page)
    assert top_entries(nav) == ["Salir"]
    assert "/regulador/" not in nav and supervisor.get_full_name() not in nav


def test_the_base_template_asks_the_menu_not_the_role():
    from pathlib import Path

    import sgu

    base = (Path(sgu.__file__).parent / "templates" / "base.html").read_text()
    assert "user.role ==" not in base and "'OPERATOR_ADMIN'" not in base


# --- 10. a confirmation before what cannot be undone; copy buttons; the operator's search ------


def test_revoking_a_key_deactivating_someone_and_cancelling_an_invitation_ask_first(claro):
    from sgu.accounts import services as accounts
    from sgu.accounts.models import OperatorApiKey
    from sgu.operators import services as operators
    from sgu.operators.models import OperatorInvitation

    admin = make_operator_admin(claro)
    agent = make_operator_agent(claro)
    accounts.create_operator_key(operator=claro, name="ERP", created_by=admin)
    key = OperatorApiKey.objects.get()
    operators.invite_staff(operator=claro, email="nueva@claro.pe", role="OPERATOR_AGENT", by=admin)
    invitation = OperatorInvitation.objects.get()
    client = client_for(admin)

    for url, question in (
        (f"/operadora/claves/{key.pk}/revocar/", "¿Revocar la clave «ERP»?"),
        (f"/operadora/personal/{agent.pk}/desactivar/", "¿Desactivar a"),
        (f"/operadora/personal/invitaciones/{invitation.pk}/anular/", "¿Anular la invitación"),
    ):
        page = client.post(url)
        assert page.status_code == 200 and question in text(page), url
        html = page.content.decode()
        assert f'action="{url}"' in html and 'name="confirmado" value="1"' in html
        assert "Cancelar" in text(page)
    key.refresh_from_db()
    agent.refresh_from_db()
    invitation.refresh_from_db()
    assert key.revoked_at is None and agent.is_active and invitation.cancelled_at is None

    confirmed = {"confirmado": "1"}
    assert client.post(f"/operadora/claves/{key.pk}/revocar/", confirmed).status_code == 302
    assert client.post(f"/operadora/personal/{agent.pk}/desactivar/", confirmed).status_code == 302
    url = f"/operadora/personal/invitaciones/{invitation.pk}/anular/"
    assert client.post(url, confirmed).status_code == 302
    key.refresh_from_db()
    agent.refresh_from_db()
    invitation.refresh_from_db()
    assert key.revoked_at and not agent.is_active and invitation.cancelled_at


def test_a_new_key_and_a_new_webhook_secret_come_with_a_copy_button(claro):
    client = client_for(make_operator_admin(claro))
    page = client.post("/operadora/claves/", {"name": "ERP"}).content.decode()
    assert 'id="secreto"' in page and 'data-copy="secreto"' in page
    page = client.post(
        "/operadora/webhook/", {"url": "https://erp.claro.example/sgu", "active": "on"}
    ).content.decode()
    assert 'id="secreto"' in page and 'data-copy="secreto"' in page


def test_the_operators_tray_finds_a_case_by_code_line_or_document(claro, citizen):

    mine = register_case(citizen, service_number="987111222")
    other = register_case(citizen, service_number="987333444")
    client = client_for(make_operator_agent(claro))
    page = client.get("/operadora/bandeja/")
    assert 'name="q"' in page.content.decode() and "Código, línea o documento" in text(page)
    for q in (mine.code, mine.code.lower(), "987111222"):
        shown = text(client.get("/operadora/bandeja/", {"q": q}))
        assert mine.code in shown and other.code not in shown, q
    both = text(client.get("/operadora/bandeja/", {"q": citizen.document_number}))
    assert mine.code in both and other.code in both
    nothing = text(client.get("/operadora/bandeja/", {"q": "SGU-1999-0000001"}))
    assert "Ningún caso cumple estos filtros" in nothing


# --- 9. Spanish agreement and one spelling per term ---------------------------------------------


def test_levels_are_spelled_1_er_2_o_3_er_everywhere():
    from sgu.attention.templatetags.attention_ui import nivel

    assert [nivel(n) for n in (1, 2, 3)] == ["1.er nivel", "2.º nivel", "3.er nivel"]


def test_criticality_agrees_with_its_noun():
    from sgu.attention.models import Criticality

    assert Criticality.labels == ["Alta", "Media", "Baja"]


def test_counts_agree_in_number():
    from django.template import Context, Template

    fragment = Template(
        "{% load i18n %}"
        "{% blocktrans trimmed count n=ok %}Se cargó {{ n }} solicitud{% plural %}"
        "Se cargaron {{ n }} solicitudes{% endblocktrans %}"
    )
    assert fragment.render(Context({"ok": 1})) == "Se cargó 1 solicitud"
    assert fragment.render(Context({"ok": 2})) == "Se cargaron 2 solicitudes"


def test_the_attachments_field_of_a_case_is_not_marked_required_and_amounts_use_a_comma(
    catalog, citizen
):
    from sgu.catalog.models import Subcategory

    case = register_case(citizen)
    html = client_for(citizen).get(f"/casos/{case.code}/").content.decode()
    label = re.search(r'<label for="id_attachments">(.*?)</label>', html, re.S).group(1)
    assert "Agregar archivos" in label and "req" not in label
    names = list(Subcategory.objects.filter(name__contains="UIT").values_list("name", flat=True))
    assert names and all("0,5 UIT" in n for n in names)
    new = client_for(citizen).get("/casos/nuevo/").content.decode()
    assert "(plazo:" not in new and "UIT) · plazo:" in new


# --- 6. statistics people can read ----------------------------------------------------------


def test_figures_use_a_decimal_comma_thousands_spaces_and_their_units():
    from sgu.core.templatetags.sgu_ui import cifra, numero

    assert numero(1234567) == "1\u202f234\u202f567" and numero(3) == "3"
    assert numero(2.456) == "2,46" and numero(85.25, 1) == "85,2"
    assert cifra(85.3, "%") == "85,3 %"
    assert cifra(2.5, "días hábiles") == "2,50 días" and cifra(1, "días hábiles") == "1 día"
    assert cifra(4.2, "de 1 a 5") == "4,2 de 5"
    assert cifra(None, "%") == "—" and cifra(12000, "casos") == "12\u202f000"


def test_the_dashboard_titles_its_charts_counts_in_whole_numbers_and_names_no_repository_path(
    citizen,
):

    register_case(citizen)
    client = client_for(make_regulator("REGULATOR_SUPERVISOR"))
    page = client.get("/regulador/estadisticas/")
    html = page.content.decode()
    assert "docs/indicators.md" not in html
    assert "Casos registrados por operadora" in text(page)
    assert len(re.findall(r'<figcaption class="chart-title">', html)) == len(
        re.findall(r"<canvas data-chart=", html)
    )
    assert 'href="/indicadores/"' in html
    script = client.get("/static/reporting/dashboard.js").getvalue().decode()
    assert "precision: 0" in script and "beginAtZero: true" in script
    # A percentage cell carries its sign; a figure never shows a decimal point.
    assert re.search(r'<td class="num">\d+,\d %</td>', html)
    assert not re.search(r'<td class="num">\d+\.\d', html)


def test_the_daily_report_is_read_on_screen_with_its_downloads(citizen):
    from django.utils import timezone

    from sgu.reporting import services as reporting

    register_case(citizen)
    today = timezone.localdate()
    reporting.generate_daily_report(day=today, now=timezone.now())
    page = client_for(make_regulator("REGULATOR_SUPERVISOR")).get("/regulador/estadisticas/diario/")
    shown = text(page)
    assert "Casos ingresados" in shown and "Total" in shown and "Claro" in shown
    html = page.content.decode()
    assert f"/regulador/estadisticas/diario/{today:%Y-%m-%d}.csv" in html
    assert f"/regulador/estadisticas/diario/{today:%Y-%m-%d}.xlsx" in html
