"""Evidence attachments and the citizen's rating (docs/api.md "Cases — citizen")."""

import hashlib
from pathlib import Path

import pytest

from factories import (
    Api,
    NothingWritten,
    acknowledge,
    answer,
    citizen_api,
    field_errors,
    jpeg_bytes,
    make_case,
    make_citizen,
    pdf_bytes,
    png_bytes,
    problem_of,
    rate,
    upload,
)
from sgu.cases.models import Attachment, CaseEvent, Rating

pytestmark = pytest.mark.django_db


def attachments_url(case) -> str:
    return f"/api/v1/cases/{case.code}/attachments"


def rating_url(case) -> str:
    return f"/api/v1/cases/{case.code}/rating"


# --- attachments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_name", "content", "content_type", "name"),
    [
        ("recibo.pdf", pdf_bytes(), "application/pdf", "recibo.pdf"),
        ("captura.png", png_bytes(), "image/png", "captura.png"),
        ("foto.jpg", jpeg_bytes(), "image/jpeg", "foto.jpg"),
        # Recognised by content, not by name or declared type; the name gets its extension.
        ("captura-sin-extension", png_bytes(), "image/png", "captura-sin-extension.png"),
    ],
)
def test_given_a_real_pdf_png_or_jpeg_when_attached_then_201_with_its_sha256_and_stored(
    api, citizen, media_root, sent_name, content, content_type, name
):
    case = make_case(citizen)

    response = api.upload(attachments_url(case), upload(sent_name, content, "text/plain"))

    assert response.status_code == 201, response.content
    body = response.json()
    digest = hashlib.sha256(content).hexdigest()
    assert body == {
        "id": body["id"],
        "name": name,
        "size": len(content),
        "sha256": digest,
        "content_type": content_type,
    }
    stored = Attachment.objects.get(pk=body["id"])
    assert Path(stored.file.path).read_bytes() == content
    assert Path(stored.file.path).is_relative_to(media_root)
    assert name not in stored.file.name  # content-addressed: the user's name never hits disk
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.kind, event.actor_role, event.note) == (
        "ATTACHMENT",
        "CITIZEN",
        f"Adjuntó «{name}».",
    )
    shown = api.get(f"/api/v1/cases/{case.code}").json()["attachments"]
    assert [a["sha256"] for a in shown] == [digest]


def test_given_a_path_in_the_file_name_when_attached_then_only_the_base_name_is_kept(api, citizen):
    case = make_case(citizen)

    response = api.upload(attachments_url(case), upload("../../etc/recibo.pdf", pdf_bytes()))

    assert response.status_code == 201
    assert response.json()["name"] == "recibo.pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("recibo.pdf", b"Esto es texto plano, no un PDF."),
        ("captura.png", b"<html><script>alert(1)</script></html>"),
        ("animacion.gif", b"GIF89a\x01\x00\x01\x00"),
        ("vacio.pdf", b""),
    ],
)
def test_given_a_file_that_is_not_what_it_claims_when_attached_then_415_and_nothing_written(
    api, citizen, media_root, name, content
):
    case = make_case(citizen)

    with NothingWritten():
        response = api.upload(attachments_url(case), upload(name, content, "application/pdf"))

    body = problem_of(response, 415)
    assert body["title"] == "Tipo de archivo no admitido"
    # The service's message, the same the web form shows (tests/cases/test_same_message…).
    assert body["detail"] in (f"«{name}» no es un PDF, JPEG o PNG válido.", f"«{name}» está vacío.")
    assert not (media_root / "attachments").exists()


def test_given_a_file_over_10_mb_when_attached_then_413_and_nothing_written(
    api, citizen, media_root
):
    case = make_case(citizen)
    content = pdf_bytes() + b"0" * (10 * 1024 * 1024)  # a valid PDF head, 10 MB + a little

    with NothingWritten():
        response = api.upload(attachments_url(case), upload("enorme.pdf", content))

    body = problem_of(response, 413)
    assert body["detail"] == "«enorme.pdf» pesa 10,0 MB; el máximo es 10 MB."
    assert not (media_root / "attachments").exists()


def test_given_the_size_limit_when_a_file_is_exactly_at_it_then_accepted_and_one_byte_more_not(
    api, citizen, settings
):
    settings.SGU = {**settings.SGU, "MAX_ATTACHMENT_BYTES": 1000}
    case = make_case(citizen)
    head = pdf_bytes()

    at_limit = api.upload(attachments_url(case), upload("a.pdf", head + b" " * (1000 - len(head))))
    over = api.upload(attachments_url(case), upload("b.pdf", head + b" " * (1001 - len(head))))

    assert at_limit.status_code == 201
    problem_of(over, 413)


def test_given_five_attachments_when_a_sixth_is_attached_then_422_and_nothing_written(api, citizen):
    case = make_case(citizen)
    for i in range(5):
        assert api.upload(attachments_url(case), upload(f"{i}.png", png_bytes())).status_code == 201

    with NothingWritten():
        response = api.upload(attachments_url(case), upload("sexto.png", png_bytes()))

    body = problem_of(response, 422)
    assert [e["message"] for e in body["errors"]] == [
        "Puede adjuntar como máximo 5 archivos por caso."
    ]


def test_given_an_answered_case_when_attaching_then_409_and_nothing_written(api, citizen):
    case = answer(make_case(citizen))

    with NothingWritten():
        response = api.upload(attachments_url(case), upload("tarde.pdf", pdf_bytes()))

    body = problem_of(response, 409)
    assert body["detail"] == "Ya no se pueden adjuntar archivos: el caso fue atendido o cerrado."


def test_given_a_case_waiting_for_email_confirmation_when_attaching_then_accepted(catalog):

    user = make_citizen(verified=False)
    case = make_case(user)

    response = citizen_api(user).upload(attachments_url(case), upload("r.pdf", pdf_bytes()))

    assert response.status_code == 201


def test_given_no_file_part_when_attaching_then_422_naming_the_file(api, citizen):
    case = make_case(citizen)

    with NothingWritten():
        response = api.client.post(
            attachments_url(case), {"otro": "x"}, HTTP_AUTHORIZATION=f"Bearer {api.token}"
        )

    body = problem_of(response, 422)
    assert field_errors(body) == {"file": "Este dato es obligatorio."}


def test_given_no_credentials_when_attaching_then_401_and_nothing_written(citizen):
    case = make_case(citizen)

    with NothingWritten():
        response = Api().upload(attachments_url(case), upload("r.pdf", pdf_bytes()))

    problem_of(response, 401)


# --- rating ----------------------------------------------------------------------------------


def test_given_an_answered_case_when_rated_then_200_rated_with_the_rating_on_the_timeline(
    api, citizen
):
    case = answer(acknowledge(make_case(citizen)))

    response = api.post(rating_url(case), {"resolved": True, "score": 4, "comment": " Gracias "})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "RATED"
    assert {k: body["rating"][k] for k in ("resolved", "score", "comment")} == {
        "resolved": True,
        "score": 4,
        "comment": "Gracias",
    }
    last = body["timeline"][-1]
    assert (last["kind"], last["actor_role"], last["from_state"], last["to_state"]) == (
        "RATE",
        "CITIZEN",
        "ANSWERED",
        "RATED",
    )


def test_given_a_case_not_answered_yet_when_rated_then_409_and_nothing_written(api, citizen):
    case = make_case(citizen)

    with NothingWritten():
        response = api.post(rating_url(case), {"resolved": True, "score": 5})

    body = problem_of(response, 409)
    assert body["detail"] == (
        "Solo se puede calificar un caso atendido que aún no ha sido calificado "
        "(estado: trasladado a la operadora)."
    )
    assert Rating.objects.count() == 0


def test_given_a_rated_case_when_rated_again_then_409_and_the_first_rating_stands(api, citizen):
    case = rate(answer(make_case(citizen)), resolved=False, score=1)

    with NothingWritten():
        response = api.post(rating_url(case), {"resolved": True, "score": 5})

    body = problem_of(response, 409)
    assert body["detail"] == "Este caso ya fue calificado; la calificación no se puede cambiar."
    assert (case.rating.resolved, case.rating.score) == (False, 1)


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"resolved": True, "score": 0}, {"score": "Debe ser como mínimo 1."}),
        ({"resolved": True, "score": 6}, {"score": "Debe ser como máximo 5."}),
        ({"resolved": True, "score": 4.5}, {"score": "Debe ser un número entero."}),
        ({"resolved": True, "score": "cinco"}, {"score": "Debe ser un número entero."}),
        ({"score": 3}, {"resolved": "Este dato es obligatorio."}),
        (
            {"resolved": "tal vez", "score": 3},
            {"resolved": "Debe ser verdadero o falso (true/false)."},
        ),
        (
            {"resolved": True, "score": 3, "comment": "x" * 2001},
            {"comment": "Admite hasta 2000 caracteres."},
        ),
    ],
)
def test_given_a_bad_rating_when_rating_then_422_in_spanish_and_nothing_written(
    api, citizen, payload, errors
):
    case = answer(make_case(citizen))

    with NothingWritten():
        response = api.post(rating_url(case), payload)

    body = problem_of(response, 422)
    assert field_errors(body) == errors
    assert Rating.objects.count() == 0


def test_given_no_credentials_when_rating_then_401(citizen):
    case = answer(make_case(citizen))
    problem_of(Api().post(rating_url(case), {"resolved": True, "score": 5}), 401)
