"""Examples for the OpenAPI documentation of the operators' bajas y migraciones endpoints
(checked against their schemas by tests/api/test_openapi_docs.py)."""

ROW = {
    "request_code": "B-0001",
    "kind": "BAJA",
    "channel": "TELEFONICO",
    "requested_at": "2026-03-09 10:15:00",
    "document_type": "DNI",
    "document_number": "45678912",
    "service_number": "987654321",
    "contract": "",
    "service": "MOVIL",
    "from_plan": "Max 39.90",
    "to_plan": "",
    "reason": "",
    "status": "REGISTRADA",
    "scheduled_date": "2026-03-12",
    "executed_at": "",
    "rejection_reason": "",
}
ROW_BATCH_IN = {"report_date": "2026-03-09", "rows": [ROW]}
BATCH_CREATED = {"id": 88, "state": "QUEUED", "report_date": "2026-03-09", "created": True}
BATCH_SUMMARY = {
    "id": 88,
    "state": "DONE",
    "report_date": "2026-03-09",
    "source": "CSV",
    "file_name": "bajas-2026-03-09.csv",
    "uploaded_at": "2026-03-10T07:40:00-05:00",
    "rows_total": 1250,
    "rows_ok": 1248,
    "rows_rejected": 2,
    "replaced_by": None,
}
BATCH_PAGE = {"items": [BATCH_SUMMARY], "next_cursor": None}
BATCH = {
    **BATCH_SUMMARY,
    "size": 183402,
    "sha256": "9f2c0b7e6d5a4f3e2d1c0b9a8f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4",
    "on_error": "SKIP_ROWS",
    "started_at": "2026-03-10T07:40:02-05:00",
    "finished_at": "2026-03-10T07:40:09-05:00",
    "progress": 100,
    "rows_read": 1250,
    "bajas": 1003,
    "migraciones": 245,
    "errors_total": 2,
    "errors": [
        {"row": 17, "field": "document_number", "message": "El DNI tiene 8 dígitos."},
        {"row": 402, "field": "scheduled_date", "message": "Use una fecha AAAA-MM-DD."},
    ],
    "errors_csv": "/api/v1/operator/service-requests/batches/88/errors.csv",
}
