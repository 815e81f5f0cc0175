"""The citizen's pages: report a problem (extra fields by subcategory, evidence), my cases,
a case's detail (own only), downloads through an access check, and the rating."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from factories import (
    case_form,
    error_of,
    make_citizen,
    make_operator_agent,
    pdf_upload,
    png_bytes,
    png_upload,
    register_case,
    text,
)
from sgu.cases import services
from sgu.cases.models import Attachment, Case, Rating
from sgu.cases.workflow import Actor, State
from sgu.core.principal import Principal
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

NEW = "/casos/nuevo/"
FIELDS = "/casos/nuevo/campos/"


@pytest.fixture
def logged_citizen(client, citizen):
    client.force_login(citizen)
    return citizen


def answer(case, operator):
    by = Principal(actor_role=Actor.OPERATOR, operator=operator)
    return services.record_solution(
        case=case,
        data=services.SolutionInput(
            outcome="RESOLVED",
            detail="Acreditamos la recarga de S/ 10 en su línea.",
            actions="Revisión del abono",
            executed_at=timezone.localdate(),
            responsible="Mesa de ayuda",
        ),
        by=by,
    )


# --- the new-case form ----------------------------------------------------------------------


def test_new_case_form_lists_operators_and_problems_grouped_with_their_plazo(
    client, logged_citizen
):
    response = client.get(NEW)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="CLARO">Claro (América Móvil Perú)</option>' in html
    assert '<optgroup label="Recargas">' in html
    assert "Recarga no acreditada / saldo descontado · plazo: 1 día hábil" in html
    assert "· plazo: 3 días hábiles" in html
    assert 'enctype="multipart/form-data"' in html
    assert "multiple" in html and 'accept="application/pdf,image/jpeg,image/png' in html
    # HTMX brings the extra fields; the button that does it without JavaScript is there too.
    assert f'hx-get="{FIELDS}"' in html and 'hx-target="#extra-fields"' in html
    assert 'name="show_fields"' in html


def test_fields_fragment_renders_the_subcategorys_fields_with_the_right_inputs(
    client, logged_citizen
):
    response = client.get(FIELDS, {"subcategory": "recarga-no-acreditada"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page
    assert "Plazo de la operadora: 1 día hábil" in text(response)
    # money: a decimal keyboard; date: a date picker; choice: a select with its options.
    assert 'name="fields.monto_recarga"' in html and 'inputmode="decimal"' in html
    assert 'type="date" name="fields.fecha_recarga"' in html
    assert '<select name="fields.medio_recarga"' in html
    assert '<option value="Bodega o agente">Bodega o agente</option>' in html
    assert html.count('<span class="req" aria-hidden="true">*</span>') == 3
    assert html.count(" required") >= 3
    assert 'for="id_fields.monto_recarga"' in html


def test_fields_fragment_marks_optional_fields_as_optional(client, logged_citizen):
    response = client.get(FIELDS, {"subcategory": "linea-bloqueada-sin-causa"})

    html = response.content.decode()
    assert 'name="fields.fecha_bloqueo"' in html and 'name="fields.imei"' in html
    assert html.count('<span class="req" aria-hidden="true">*</span>') == 1


def test_fields_fragment_of_an_unknown_subcategory_is_empty(client, logged_citizen):
    response = client.get(FIELDS, {"subcategory": "no-existe"})

    assert response.status_code == 200
    assert text(response) == ""


def test_without_javascript_the_form_comes_back_with_the_chosen_subcategorys_fields(
    client, logged_citizen
):
    response = client.post(
        NEW, {"operator": "CLARO", "subcategory": "sin-senal", "show_fields": "1"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="fields.tipo_falla"' in html and 'name="fields.lugar"' in html
    assert 'value="sin-senal" selected' in html
    assert "data-error-summary" not in html  # asking for the fields is not an error
    assert Case.objects.count() == 0


def test_new_case_with_bad_input_shows_each_error_on_its_field_and_creates_nothing(
    client, logged_citizen
):
    response = client.post(
        NEW,
        case_form(
            service_number="123",
            description="corto",
            **{"fields.monto_recarga": "diez", "fields.medio_recarga": "Por paloma"},
        )
        | {"fields.fecha_recarga": ""},
    )

    assert response.status_code == 422
    assert "9 dígitos" in error_of(response, "id_service_number")
    assert "al menos 10 caracteres" in error_of(response, "id_description")
    assert "monto en soles" in error_of(response, "id_fields.monto_recarga")
    assert error_of(response, "id_fields.fecha_recarga") == "Ingrese «Fecha de la recarga»."
    assert "elija una de las opciones" in error_of(response, "id_fields.medio_recarga")
    assert 'href="#id_fields.monto_recarga"' in response.content.decode()
    assert 'value="diez"' in response.content.decode()  # what was typed stays
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert OutboundEmail.objects.filter(template="case_registered").count() == 0


def test_new_case_with_unknown_operator_and_subcategory(client, logged_citizen):
    response = client.post(NEW, case_form(operator="NADIE", subcategory="nada"))

    assert response.status_code == 422
    assert error_of(response, "id_operator") == "Operadora desconocida."
    assert "Subcategoría desconocida" in error_of(response, "id_subcategory")
    assert Case.objects.count() == 0


def test_new_case_is_registered_with_its_evidence_and_shows_code_and_due_date(
    client, logged_citizen
):
    response = client.post(
        NEW, case_form(attachments=[png_upload("recibo.png"), pdf_upload("voucher.pdf")])
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/casos/{case.code}/"
    assert case.citizen == logged_citizen
    assert case.state == State.FORWARDED
    assert case.fields == {
        "monto_recarga": "10.00",
        "fecha_recarga": "2026-01-15",
        "medio_recarga": "Bodega o agente",
    }
    assert sorted(Attachment.objects.filter(case=case).values_list("name", flat=True)) == [
        "recibo.png",
        "voucher.pdf",
    ]

    page = client.get(response["Location"])
    shown = text(page)
    local_due = timezone.localtime(case.due_at)
    assert f"Registramos su caso {case.code}" in shown
    assert f"{local_due:%d/%m/%Y %H:%M}" in shown
    assert "Trasladado a la operadora" in shown
    assert "recibo.png" in shown and "voucher.pdf" in shown
    assert "¿Cómo se calculó el plazo?" in shown


def test_a_case_of_an_unconfirmed_citizen_waits_for_the_email(client, catalog):
    citizen = make_citizen(verified=False)
    client.force_login(citizen)

    response = client.post(NEW, case_form(), follow=True)

    case = Case.objects.get()
    assert case.state == State.REGISTERED
    shown = text(response)
    assert f"Registramos su caso {case.code}. Está en espera" in shown
    assert "confirme su correo" in shown


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("foto.png", b"esto no es una imagen", "image/png"), "no es un PDF"),
        (SimpleUploadedFile("vacio.pdf", b"", "application/pdf"), "está vacío"),
    ],
)
def test_new_case_refuses_a_fake_or_empty_file_and_creates_nothing(
    client, logged_citizen, upload, message
):
    response = client.post(NEW, case_form(attachments=[upload]))

    assert response.status_code == 422
    assert message in error_of(response, "id_attachments")
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_new_case_refuses_an_oversized_file(client, logged_citizen, settings):
    settings.SGU = {**settings.SGU, "MAX_ATTACHMENT_BYTES": 1024}
    big = SimpleUploadedFile("grande.png", png_bytes() + b"\0" * 2048, "image/png")

    response = client.post(NEW, case_form(attachments=[big]))

    assert response.status_code == 422
    assert "el máximo es" in error_of(response, "id_attachments")
    assert Case.objects.count() == 0


def test_new_case_refuses_more_than_five_files(client, logged_citizen):
    files = [png_upload(f"f{i}.png") for i in range(6)]

    response = client.post(NEW, case_form(attachments=files))

    assert response.status_code == 422
    assert "como máximo 5 archivos" in error_of(response, "id_attachments")
    assert Case.objects.count() == 0


def test_new_case_is_for_citizens_only(client, claro):
    assert client.get(NEW)["Location"].startswith("/cuenta/ingresar/")
    client.force_login(make_operator_agent(claro))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, case_form()).status_code == 403
    assert Case.objects.count() == 0


# --- my cases ---------------------------------------------------------------------------------


def test_my_cases_lists_only_mine_newest_first(client, logged_citizen, other_citizen):
    first = register_case(logged_citizen)
    second = register_case(
        logged_citizen,
        subcategory="sin-senal",
        fields={"tipo_falla": "Sin señal", "lugar": "Av. Arequipa 1200, Lince"},
    )
    others = register_case(other_citizen)

    response = client.get("/casos/")

    shown = text(response)
    assert first.code in shown and second.code in shown
    assert others.code not in shown
    assert shown.index(second.code) < shown.index(first.code)
    assert "Claro (América Móvil Perú)" in shown
    assert "Sin señal / llamadas o datos intermitentes" in shown
    assert "Trasladado a la operadora" in shown
    assert "Vence en" in shown or "Vence hoy" in shown or "Vence el" in shown


def test_my_cases_see_more_pages_by_keyset(client, logged_citizen, monkeypatch):
    monkeypatch.setattr("sgu.cases.views.PAGE_SIZE", 2)
    codes = [register_case(logged_citizen).code for _ in range(3)]

    page1 = client.get("/casos/")
    assert codes[2] in text(page1) and codes[1] in text(page1)
    assert codes[0] not in text(page1)
    more = page1.context["next_cursor"]
    assert more and "Ver más casos" in text(page1)

    fragment = client.get("/casos/", {"cursor": more}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert codes[0] in text(fragment) and codes[1] not in text(fragment)
    assert "HX-Request" in fragment["Vary"]

    bad = client.get("/casos/", {"cursor": "basura"})
    assert bad.status_code == 200
    assert "El cursor no es válido" in text(bad)


def test_my_cases_says_so_when_there_are_none(client, logged_citizen):
    assert "Aún no ha reportado ningún problema" in text(client.get("/casos/"))


# --- a case -------------------------------------------------------------------------------------


def test_case_detail_of_another_citizen_or_unknown_is_a_404(client, logged_citizen, other_citizen):
    theirs = register_case(other_citizen, attachments=[png_upload()])
    attachment = Attachment.objects.get(case=theirs)

    for path in (
        f"/casos/{theirs.code}/",
        "/casos/SGU-2026-9999999/",
        f"/casos/{theirs.code}/adjuntos/{attachment.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "No encontramos esta página" in text(response)
    response = client.post(f"/casos/{theirs.code}/calificar/", {"resolved": "si", "score": "5"})
    assert response.status_code == 404


def test_case_detail_shows_the_timeline_without_internal_notes(client, logged_citizen, claro):
    case = register_case(logged_citizen)
    services.record_event(
        case=case,
        kind="NOTE",
        by=Principal(actor_role=Actor.OPERATOR, operator=claro),
        now=timezone.now(),
        note="Nota solo para el equipo de Claro",
        internal=True,
    )

    shown = text(client.get(f"/casos/{case.code}/"))

    assert "Caso registrado" in shown and "Enviado a la operadora" in shown
    assert "Nota solo para el equipo de Claro" not in shown


def test_overdue_case_is_shown_in_red_with_vencido(client, logged_citizen):
    case = register_case(logged_citizen, now=timezone.now() - timedelta(days=20))

    response = client.get(f"/casos/{case.code}/")

    html = response.content.decode()
    assert "card--overdue" in html and "countdown--overdue" in html
    assert "Vencido" in text(response)
    assert "La operadora no respondió dentro del plazo" in text(response)


def test_own_attachment_is_downloaded_through_the_access_check(client, logged_citizen):
    case = register_case(logged_citizen, attachments=[png_upload("mi recibo.png")])
    attachment = Attachment.objects.get(case=case)

    response = client.get(f"/casos/{case.code}/adjuntos/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.get(f"/casos/{case.code}/adjuntos/{attachment.pk + 999}/").status_code == 404
    # The page never links to the public media URL.
    assert "/media/" not in client.get(f"/casos/{case.code}/").content.decode()


def test_add_attachment_to_an_open_case(client, logged_citizen):
    case = register_case(logged_citizen)

    response = client.post(f"/casos/{case.code}/adjuntos/", {"attachments": [pdf_upload()]})

    assert response.status_code == 302
    assert Attachment.objects.filter(case=case).count() == 1
    page = client.get(f"/casos/{case.code}/")
    assert "Adjuntamos «constancia.pdf» a su caso." in text(page)
    assert "Archivo adjuntado" in text(page)


def test_add_attachment_refuses_a_fake_file_or_none(client, logged_citizen):
    case = register_case(logged_citizen)
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 no soy un pdf", "application/pdf")

    response = client.post(f"/casos/{case.code}/adjuntos/", {"attachments": [fake]})
    assert response.status_code == 415  # as the API answers the same file
    assert "no es un PDF, JPEG o PNG válido" in error_of(response, "id_attachments")

    response = client.post(f"/casos/{case.code}/adjuntos/", {})
    assert response.status_code == 422
    assert "Adjunte un archivo" in error_of(response, "id_attachments")
    assert Attachment.objects.filter(case=case).count() == 0


def test_no_attachment_form_once_answered_and_a_late_post_is_refused(client, logged_citizen, claro):
    case = answer(register_case(logged_citizen), claro)

    page = client.get(f"/casos/{case.code}/")
    assert f'action="/casos/{case.code}/adjuntos/"' not in page.content.decode()

    response = client.post(
        f"/casos/{case.code}/adjuntos/", {"attachments": [pdf_upload()]}, follow=True
    )
    assert "Ya no se pueden adjuntar archivos" in text(response)
    assert Attachment.objects.filter(case=case).count() == 0


# --- rating ---------------------------------------------------------------------------------


def test_rating_form_only_once_the_operator_answered(client, logged_citizen, claro):
    case = register_case(logged_citizen)
    assert "Califique la respuesta" not in text(client.get(f"/casos/{case.code}/"))

    answer(case, claro)
    page = client.get(f"/casos/{case.code}/")
    shown = text(page)
    assert "Califique la respuesta" in shown
    assert "Acreditamos la recarga de S/ 10 en su línea." in shown
    html = page.content.decode()
    # Accessible radio groups: fieldset + legend, one label per option.
    assert "<legend>¿Qué tan satisfecho está con la respuesta?" in html
    for score in range(1, 6):
        assert f'for="id_score_{score - 1}"' in html


def test_rating_with_missing_answers_shows_errors_and_changes_nothing(
    client, logged_citizen, claro
):
    case = answer(register_case(logged_citizen), claro)

    response = client.post(f"/casos/{case.code}/calificar/", {"score": "9"})

    assert response.status_code == 422
    assert "Indique si el problema se resolvió" in error_of(response, "id_resolved")
    assert "La satisfacción va de 1 a 5." in error_of(response, "id_score")
    assert 'href="#id_resolved_0"' in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.ANSWERED
    assert Rating.objects.count() == 0


def test_rating_is_recorded_once(client, logged_citizen, claro):
    case = answer(register_case(logged_citizen), claro)

    response = client.post(
        f"/casos/{case.code}/calificar/",
        {"resolved": "si", "score": "4", "comment": "Tardaron, pero lo solucionaron."},
        follow=True,
    )

    case.refresh_from_db()
    assert case.state == State.RATED
    assert (case.rating.resolved, case.rating.score) == (True, 4)
    shown = text(response)
    assert "Gracias por calificar" in shown
    assert "Calificado" in shown and "4 de 5" in shown
    assert "Califique la respuesta" not in shown

    again = client.post(
        f"/casos/{case.code}/calificar/", {"resolved": "no", "score": "1"}, follow=True
    )
    assert "Solo se puede calificar un caso atendido" in text(again) or "ya fue calificado" in text(
        again
    )
    case.rating.refresh_from_db()
    assert case.rating.score == 4
