"""Examples for the OpenAPI documentation of the operators' tray and claims: one realistic
case followed through its life. tests/api/test_openapi_docs.py checks every example against
its schema."""

from copy import deepcopy
from typing import Any

CITIZEN = {
    "document_type": "DNI",
    "document_number": "45678912",
    "first_name": "Rosa",
    "last_name": "Quispe Huamán",
    "email": "rosa.quispe@example.pe",
    "phone": "987654321",
}

SUMMARY = {
    "code": "SGU-2026-0000123",
    "state": "FORWARDED",
    "operator": "CLARO",
    "subcategory": "recarga-no-acreditada",
    "service_number": "987654321",
    "registered_at": "2026-03-02T09:15:00-05:00",
    "due_at": "2026-03-05T17:30:00-05:00",
    "overdue": False,
    "updated_at": "2026-03-02T09:15:01-05:00",
}

CASE_PAGE = {"items": [SUMMARY], "next_cursor": "eyJ2IjpbIjIwMjYtMDMtMDUiLDEyM119"}

CASE = {
    "code": "SGU-2026-0000123",
    "state": "FORWARDED",
    "operator": "CLARO",
    "subcategory": "recarga-no-acreditada",
    "service": "MOVIL",
    "channel": "WEB",
    "service_number": "987654321",
    "description": "Recargué 10 soles en una bodega y el saldo no llegó.",
    "fields": {
        "monto_recarga": "10",
        "fecha_recarga": "2026-03-01",
        "medio_recarga": "Bodega o agente",
    },
    "registered_at": "2026-03-02T09:15:00-05:00",
    "forwarded_at": "2026-03-02T09:15:01-05:00",
    "due_at": "2026-03-05T17:30:00-05:00",
    "due_explanation": "3 días hábiles desde el lunes 2 de marzo (recibido antes del corte).",
    "answered_at": None,
    "overdue": False,
    "solution": None,
    "rating": None,
    "claim": None,
    "office": None,
    "attachments": [],
    "timeline": [
        {
            "at": "2026-03-02T09:15:00-05:00",
            "kind": "REGISTERED",
            "actor_role": "CITIZEN",
            "from_state": None,
            "to_state": "REGISTERED",
            "note": "",
        },
        {
            "at": "2026-03-02T09:15:01-05:00",
            "kind": "FORWARDED",
            "actor_role": "SYSTEM",
            "from_state": "REGISTERED",
            "to_state": "FORWARDED",
            "note": "",
        },
    ],
    "allowed_actions": ["ACKNOWLEDGE", "ANSWER", "RETURN"],
    "citizen": CITIZEN,
    "updated_at": "2026-03-02T09:15:01-05:00",
}


def case_in(state: str, **changes: Any) -> dict:
    data = deepcopy(CASE)
    data["state"] = state
    data.update(changes)
    return data


SOLUTION_IN = {
    "outcome": "RESOLVED",
    "detail": "Se acreditó la recarga de S/ 10 en la línea del usuario.",
    "actions": "Revisión del registro de recargas y abono manual.",
    "executed_at": "2026-03-03",
    "responsible": "Mesa de ayuda de recargas",
}
CASE_IN_PROGRESS = case_in(
    "IN_PROGRESS",
    allowed_actions=["ANSWER", "RETURN"],
    updated_at="2026-03-02T10:02:00-05:00",
)
CASE_ANSWERED = case_in(
    "ANSWERED",
    answered_at="2026-03-03T11:40:00-05:00",
    solution=SOLUTION_IN,
    allowed_actions=[],
    updated_at="2026-03-03T11:40:00-05:00",
)
RETURN_IN = {"reason": "La línea 987654321 no pertenece a nuestra empresa (portada a otra)."}
CASE_RETURNED = case_in("RETURNED", allowed_actions=[], updated_at="2026-03-02T10:30:00-05:00")

CLAIM = {
    "id": 41,
    "state": "PENDING_CODE",
    "claim_code": None,
    "requested_at": "2026-03-10T16:05:00-05:00",
    "coded_at": None,
    "due_at": None,
    "code_due_at": "2026-03-11T16:05:00-05:00",
    "coded_late": False,
    "resolution_days": 15,
    "reason": "La recarga no llegó y la respuesta no lo resolvió.",
    "request": "Que acrediten los S/ 10.",
    "amount": None,
    "case_code": "SGU-2026-0000123",
    "subcategory": "recarga-no-acreditada",
    "holder_name": "Rosa Quispe Huamán",
    "holder_document_type": "DNI",
    "holder_document_number": "45678912",
    "service_number": "987654321",
    "notify_email": "rosa.quispe@example.pe",
}
CLAIM_PAGE = {"items": [CLAIM], "next_cursor": None}
CLAIM_CODE_IN = {"claim_code": "R-2026-000123"}
CLAIM_CODED = {
    **CLAIM,
    "state": "CODED",
    "claim_code": "R-2026-000123",
    "coded_at": "2026-03-11T09:20:00-05:00",
    "due_at": "2026-04-01T23:59:59-05:00",
}


# --- the operator's information for the citizen's form ------------------------------------------

INFO_REPLACE_IN = {
    "items": [
        {"name": "Max 39.90", "detail": "Internet ilimitado (30 GB en alta velocidad)"},
        {"name": "Max 69.90", "detail": "Internet ilimitado (90 GB en alta velocidad)"},
    ],
    "valid_from": "2026-12-01",
}
INFO_LIST = {
    "kind": "PLANS",
    "version": 3,
    "valid_from": "2026-12-01",
    "valid_to": None,
    "created_at": "2026-11-25T15:00:00Z",
    "source": "API",
    "items": INFO_REPLACE_IN["items"],
}
INFO_CURRENT = {"operator": "CLARO", "lists": [INFO_LIST]}
INFO_VERSIONS = [
    INFO_LIST,
    {**INFO_LIST, "version": 2, "valid_from": "2026-06-01", "valid_to": "2026-11-30"},
]
