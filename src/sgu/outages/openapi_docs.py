"""Examples for the OpenAPI documentation of the operators' inoperatividad endpoints
(checked against their schemas by tests/api/test_openapi_docs.py)."""

POINT = {
    "id": 7,
    "code": "CAC-MIRAFLORES",
    "name": "CAC Miraflores",
    "kind": "TIENDA",
    "ubigeo": "150122",
    "address": "Av. Larco 345, Miraflores",
    "active": True,
}
POINT_PAGE = {"items": [POINT], "next_cursor": None}
APPLICATION = {
    "code": "SIAC-UNICO",
    "name": "SIAC ÚNICO",
    "group": "Postventa",
    "note": "",
    "common": True,
}
OUTAGE_IN = {
    "attention_point": "CAC-MIRAFLORES",
    "procedure_type": "RECLAMOS",
    "scenario": "FALLA_MASIVA",
    "applications": ["SIAC-UNICO"],
    "systems": "CRM y sistema de postventa",
    "started_at": "2026-03-04T10:00:00-05:00",
    "manual": False,
}
OUTAGE = {
    "id": 12,
    "number": 3,
    "operator": "CLARO",
    "attention_point": POINT,
    "procedure_type": "RECLAMOS",
    "scenario": "FALLA_MASIVA",
    "applications": [APPLICATION],
    "systems": "CRM y sistema de postventa",
    "started_at": "2026-03-04T10:00:00-05:00",
    "ended_at": None,
    "closing_reason": None,
    "closing_justification": "",
    "manual": False,
    "open": True,
    "duration_minutes": None,
    "registered_at": "2026-03-04T10:12:00-05:00",
    "closed_at": None,
    "report_due_at": None,
    "registered_late": False,
    "closed_late": False,
    "reportable": True,
    "review_state": "ABIERTO",
    "review_state_label": "Abierto",
    "failure_confirmed_at": None,
    "failure_started_at": None,
    "failure_ended_at": None,
    "evaluation_due_at": None,
    "evaluated_at": None,
    "evaluation_proceeds": None,
    "evaluation_note": "",
    "evaluation": None,
    "approved_at": None,
    "reported_late": False,
    "flags": [],
}
OUTAGE_PAGE = {"items": [OUTAGE], "next_cursor": None}
CLOSE_IN = {"ended_at": "2026-03-04T12:30:00-05:00", "closing_reason": "CONECTIVIDAD"}
OUTAGE_CLOSED = {
    **OUTAGE,
    "ended_at": "2026-03-04T12:30:00-05:00",
    "closing_reason": "CONECTIVIDAD",
    "open": False,
    "duration_minutes": 150,
    "closed_at": "2026-03-04T12:41:00-05:00",
    "report_due_at": "2026-03-09T23:59:59-05:00",
}
CONFIRM_IN = {"failure_started_at": "2026-03-04T09:50:00-05:00", "failure_ended_at": None}
OUTAGE_CONFIRMED = {
    **OUTAGE_CLOSED,
    "review_state": "POR_EVALUAR",
    "review_state_label": "Por evaluar",
    "failure_confirmed_at": "2026-03-04T13:05:00-05:00",
    "failure_started_at": "2026-03-04T09:50:00-05:00",
    "evaluation_due_at": "2026-03-05T12:41:00-05:00",
}
EVALUATION = {
    "failure_window": {
        "confirmed": True,
        "started_at": "2026-03-04T09:50:00-05:00",
        "ended_at": None,
    },
    "inside_failure_window": True,
    "closing_reason": "CONECTIVIDAD",
    "duration_minutes": 150,
    "over_one_hour": True,
    "subcategories": [],
    "cases_during": 9,
    "cases_previous_days": [{"day": "2026-03-03", "cases": 3}, {"day": "2026-03-02", "cases": 2}],
    "cases_previous_average": 2.5,
    "cases_increase": True,
}
EVALUATE_IN = {"proceeds": True, "note": ""}
OUTAGE_EVALUATED = {
    **OUTAGE_CONFIRMED,
    "review_state": "POR_APROBAR",
    "review_state_label": "Evaluado: por aprobar",
    "evaluated_at": "2026-03-04T16:20:00-05:00",
    "evaluation_proceeds": True,
    "evaluation": EVALUATION,
}
OUTAGE_APPROVED = {
    **OUTAGE_EVALUATED,
    "review_state": "REPORTADO",
    "review_state_label": "Aprobado y reportado al regulador",
    "approved_at": "2026-03-05T09:00:00-05:00",
}
APPLICATIONS = {"items": [APPLICATION]}
APPLICATION_IN = {"code": "CRM-VENTAS", "name": "CRM de ventas", "group": "VENTA", "note": ""}
APPLICATION_OWN = {**APPLICATION_IN, "common": False}
CLOSING_RULES = {
    "items": [
        {
            "scenario": "FALLA_MASIVA",
            "closing_reasons": ["CONECTIVIDAD", "INTERMITENCIA", "ERROR_USUARIO"],
        }
    ]
}
