"""The public status lookup of a case: anyone who has the case code and the document number
of the citizen who reported it sees its state, operator and dates — nothing else, and the
same answer whichever of the two did not match."""

import re

from sgu.cases.models import Case
from sgu.cases.workflow import State
from sgu.core.errors import FieldError, NotFound, ValidationFailed

LOOKUP_NOT_FOUND = (
    "No encontramos un caso con ese código y ese número de documento. Revise ambos datos: "
    "el código figura en la constancia y en los correos del SGU."
)

_CODE = re.compile(r"[A-Z0-9-]{1,20}")
_DOCUMENT = re.compile(r"[A-Z0-9]{1,12}")

# What each state means, in plain words, for someone who only has the code.
STATE_EXPLANATIONS: dict[str, str] = {
    State.REGISTERED: "Recibimos el caso; todavía no se ha enviado a la operadora (se envía "
    "cuando se confirma el correo de la cuenta).",
    State.FORWARDED: "El caso está en la operadora, que debe responder antes de que venza el "
    "plazo.",
    State.IN_PROGRESS: "La operadora está atendiendo el caso; debe responder antes de que venza "
    "el plazo.",
    State.ANSWERED: "La operadora respondió. Ingrese a su cuenta para ver la respuesta y "
    "calificarla.",
    State.RATED: "La operadora respondió y el usuario calificó la respuesta.",
    State.OVERDUE: "Venció el plazo sin respuesta de la operadora. Desde su cuenta puede "
    "convertir el caso en un reclamo.",
    State.RETURNED: "La operadora indicó que el caso no le corresponde; el regulador lo está "
    "revisando.",
    State.CLAIM_REQUESTED: "Se pidió a la operadora un código de reclamo para este caso.",
    State.CLAIM_CODED: "La operadora asignó un código de reclamo; el reclamo sigue su trámite "
    "con ella.",
    State.CLOSED: "El caso está cerrado.",
}


def public_case_status(code: str, document_number: str) -> Case:
    """The case with that code reported by the citizen with that document; NotFound, with
    one message, otherwise. One query whichever part is wrong."""
    missing = []
    if not (code or "").strip():
        missing.append(FieldError("code", "Ingrese el código del caso."))
    if not (document_number or "").strip():
        missing.append(FieldError("document_number", "Ingrese el número de documento."))
    if missing:
        raise ValidationFailed.of(missing)
    code = re.sub(r"\s", "", code).upper()
    number = re.sub(r"[\s.\-]", "", document_number).upper()
    # Anything that cannot be a code or a document (too long, NUL bytes…) never reaches the
    # database, and gets the same answer.
    if not _CODE.fullmatch(code) or not _DOCUMENT.fullmatch(number):
        raise NotFound(LOOKUP_NOT_FOUND)
    numbers = {number}
    if re.fullmatch(r"[0-9]{8}[0-9A-K]", number):
        numbers.add(number[:8])  # a DNI typed with its check character
    found = (
        Case.objects.filter(code=code, citizen__document_number__in=numbers)
        .select_related("operator")
        .only("code", "state", "registered_at", "due_at", "operator__code", "operator__name")
        .first()
    )
    if found is None:
        raise NotFound(LOOKUP_NOT_FOUND)
    return found


def explain_state(state: str) -> str:
    return STATE_EXPLANATIONS.get(state, "")
