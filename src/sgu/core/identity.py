"""Identity documents and phone numbers (DOMAIN §3). Pure functions, Spanish messages."""

import re
from dataclasses import dataclass

from django.db import models
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pe import cui, ruc


class DocumentType(models.TextChoices):
    DNI = "DNI", "DNI"
    CE = "CE", "Carné de extranjería"
    RUC = "RUC", "RUC"
    PASAPORTE = "PASAPORTE", "Pasaporte"


DOCUMENT_TYPE_MESSAGE = "Elija el tipo de documento: DNI, carné de extranjería, RUC o pasaporte."


class InvalidValue(ValueError):
    """A value a person typed that we must refuse, with the message to show them."""


class InvalidDocumentType(InvalidValue):
    """The document's type, not its number, is wrong (the message goes next to the type)."""


_ALNUM_12 = re.compile(r"^[A-Z0-9]{1,12}$")
# Django's `Choices.values` builds a new list on every access; daily files check millions.
_DOCUMENT_TYPES = frozenset(DocumentType.values)
_MOBILE = re.compile(r"^9[0-9]{8}$")


@dataclass(frozen=True)
class Document:
    type: str
    number: str  # normalised: DNI without its check character, upper case elsewhere

    def masked(self) -> str:
        """For logs and lists that must not carry full document numbers."""
        return f"{self.type} ***{self.number[-3:]}"


def normalize_document(document_type: str, number: str) -> Document:
    """Validate a document and return it normalised; raise InvalidValue in Spanish."""
    raw = re.sub(r"[\s.\-]", "", (number or "")).upper()
    if document_type not in _DOCUMENT_TYPES:
        raise InvalidDocumentType(DOCUMENT_TYPE_MESSAGE)
    if not raw:
        raise InvalidValue("Ingrese el número de documento.")
    if document_type == DocumentType.DNI:
        if not re.fullmatch(r"[0-9]{8}[0-9A-K]?", raw):
            raise InvalidValue(
                "El DNI tiene 8 dígitos (y, opcionalmente, su carácter de verificación)."
            )
        if len(raw) == 9:
            try:
                cui.validate(raw)
            except StdnumError:
                raise InvalidValue(
                    "El carácter de verificación del DNI no corresponde al número."
                ) from None
        return Document(document_type, raw[:8])
    if document_type == DocumentType.RUC:
        if not re.fullmatch(r"[0-9]{11}", raw):
            raise InvalidValue("El RUC tiene 11 dígitos.")
        if raw[:2] not in {"10", "15", "16", "17", "20"}:
            raise InvalidValue("El RUC debe empezar con 10, 15, 16, 17 o 20.")
        # Only the check digit is asked of stdnum: its ruc.validate() also refuses the
        # prefix 16, which SUNAT does issue (DOMAIN §3).
        if raw[-1] != ruc.calc_check_digit(raw[:10]):
            raise InvalidValue("El dígito de verificación del RUC no es válido.")
        return Document(document_type, raw)
    if document_type == DocumentType.CE:
        if not _ALNUM_12.fullmatch(raw):
            raise InvalidValue("El carné de extranjería tiene hasta 12 letras o dígitos.")
        return Document(document_type, raw)
    if not _ALNUM_12.fullmatch(raw):
        raise InvalidValue("El pasaporte tiene hasta 12 letras o dígitos.")
    return Document(document_type, raw)


def normalize_mobile(number: str) -> str:
    """A Peruvian mobile number as 9 digits; accepts +51 and spaces."""
    raw = re.sub(r"[\s\-()]", "", number or "")
    if raw.startswith("+51"):
        raw = raw[3:]
    elif raw.startswith("0051"):
        raw = raw[4:]
    if not _MOBILE.fullmatch(raw):
        raise InvalidValue("El número de celular tiene 9 dígitos y empieza con 9.")
    return raw
