"""What a person types into the main forms: registration, an assisted case, an answer."""

from django.utils import timezone

from factories.api import case_payload
from factories.people import PASSWORD


def registration_form(**overrides) -> dict:
    data = {
        "document_type": "DNI",
        "document_number": "45678912",
        "first_name": "Rosa",
        "last_name": "Quispe Mamani",
        "email": "rosa.quispe@example.pe",
        "phone": "987 654 321",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "consent": "on",
    }
    data.update(overrides)
    return data


def assisted_form(**overrides) -> dict:
    payload = case_payload()
    data = {
        "channel": "TELEFONICO",
        "document_type": "DNI",
        "document_number": "43456789",
        "first_name": "Julio",
        "last_name": "Huamán",
        "email": "julio.huaman@example.pe",
        "phone": "987555666",
        "consent": "on",
        "operator": payload["operator"],
        "subcategory": payload["subcategory"],
        "service_number": payload["service_number"],
        "description": payload["description"],
    }
    for name, value in payload["fields"].items():
        data[f"fields.{name}"] = value
    data.update(overrides)
    return data


def solution_form(**overrides) -> dict:
    data = {
        "outcome": "RESOLVED",
        "detail": "Verificamos la recarga y acreditamos S/ 10 en su línea.",
        "actions": "Abono manual del saldo",
        "executed_at": timezone.localdate().isoformat(),
        "responsible": "Agente Claro",
    }
    data.update(overrides)
    return data
