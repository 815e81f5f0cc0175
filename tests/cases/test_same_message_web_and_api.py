"""Services are the only validator of meaning: the same mistake gets the same Spanish message
and the same status on the citizen's web form and on the API (the schemas check types only).
Each row is posted both ways and the two answers are compared."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from factories import case_form, case_payload, citizen_api, error_of, register_case, text

pytestmark = pytest.mark.django_db

NEW = "/casos/nuevo/"
CASES = "/api/v1/cases"

# (what is wrong, the field, its value)
MISTAKES = [
    ("operadora que no existe", "operator", "NOEXISTE"),
    ("problema que no existe", "subcategory", "no-existe"),
    ("descripción muy corta", "description", "corto"),
    ("línea con muy pocos dígitos", "service_number", "12"),
    ("línea que no es un número", "service_number", "nueve-ocho"),
    ("monto que falta", "fields.monto_recarga", ""),
    ("monto que no es un número", "fields.monto_recarga", "diez soles"),
    ("fecha que no existe", "fields.fecha_recarga", "2026-02-31"),
    ("opción que no está en la lista", "fields.medio_recarga", "Por telepatía"),
]


def _api_body(field: str, value: str) -> dict:
    if field.startswith("fields."):
        payload = case_payload()
        payload["fields"] = {**payload["fields"], field.removeprefix("fields."): value}
        return payload
    return case_payload(**{field: value})


def _api_message(response, field: str) -> str:
    return next((e["message"] for e in response.json()["errors"] if e["field"] == field), "")


@pytest.mark.parametrize(("mistake", "field", "value"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_the_same_mistake_reads_the_same_on_the_form_and_in_the_api(
    client, citizen, mistake, field, value
):
    client.force_login(citizen)
    web = client.post(NEW, case_form(**{field: value}))
    api = citizen_api(citizen).post(CASES, _api_body(field, value))

    shown = error_of(web, f"id_{field}")
    assert web.status_code == api.status_code == 422
    assert shown, f"the form shows no message on {field}"
    assert shown == _api_message(api, field)


@pytest.mark.parametrize(
    ("mistake", "name", "content", "status"),
    [
        ("no es un PDF, JPEG o PNG", "recibo.exe", b"MZ\x90\x00" + b"\x00" * 64, 415),
        ("un PDF con una página web dentro", "recibo.pdf", b"%PDF-1.4 <script>x</script>", 415),
        ("vacío", "recibo.pdf", b"", 415),
        ("más de 10 MB", "enorme.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), 413),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_refused_attachment_reads_the_same_on_the_case_page_and_in_the_api(
    client, citizen, mistake, name, content, status
):
    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, "application/pdf")

    case = register_case(citizen)
    client.force_login(citizen)
    web = client.post(f"/casos/{case.code}/adjuntos/", {"attachments": upload()})
    api = citizen_api(citizen).upload(f"{CASES}/{case.code}/attachments", upload())

    assert web.status_code == api.status_code == status
    assert api.json()["errors"][0]["message"] in text(web)
    assert case.attachments.count() == 0
