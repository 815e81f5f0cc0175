"""Identity documents and mobile numbers (DOMAIN §3).

Check characters below were computed by hand, not with the code under test:

DNI 10117410: 3·1+2·0+7·1+6·1+5·7+4·4+3·1+2·0 = 70; 70 mod 11 = 4 → "2" or "G".
DNI 45678912: 3·4+2·5+7·6+6·7+5·8+4·9+3·1+2·2 = 189; 189 mod 11 = 2 → "4" or "I".
DNI 12345678: 3·1+2·2+7·3+6·4+5·5+4·6+3·7+2·8 = 138; 138 mod 11 = 6 → "1" or "E".

RUC check digit: weights 5,4,3,2,7,6,5,4,3,2; d = (11 − sum mod 11) mod 10.
20100047218: 10+0+3+0+0+0+20+28+6+2 = 69; 69 mod 11 = 3; 11 − 3 = 8 ✓.
20131312955: 10+0+3+6+7+18+5+8+27+10 = 94; 94 mod 11 = 6; 11 − 6 = 5 ✓.
10101174102: 5+0+3+0+7+6+35+16+3+0 = 75; 75 mod 11 = 9; 11 − 9 = 2 ✓ (RUC of DNI 10117410).
16012345678: 5+24+0+2+14+18+20+20+18+14 = 135; 135 mod 11 = 3; 11 − 3 = 8 ✓ (prefix 16).
30100047213: 15+0+3+0+0+0+20+28+6+2 = 74; 74 mod 11 = 8; 11 − 8 = 3: right check, bad prefix.
"""

import pytest

from sgu.core.identity import Document, InvalidValue, normalize_document, normalize_mobile

# --- DNI -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("10117410", "10117410"),
        ("101174102", "10117410"),
        ("10117410-2", "10117410"),
        ("10117410G", "10117410"),
        ("10117410g", "10117410"),
        ("45678912", "45678912"),
        ("456789124", "45678912"),
        ("45678912-I", "45678912"),
        ("12345678 1", "12345678"),
        ("12345678E", "12345678"),
        (" 45.678.912 ", "45678912"),
    ],
)
def test_given_a_dni_with_or_without_its_check_character_when_normalised_then_8_digits_are_kept(
    typed, number
):
    assert normalize_document("DNI", typed) == Document("DNI", number)


@pytest.mark.parametrize("typed", ["101174103", "10117410H", "456789125", "45678912J", "123456782"])
def test_given_a_dni_with_the_wrong_check_character_when_normalised_then_it_is_refused(typed):
    with pytest.raises(InvalidValue) as exc:
        normalize_document("DNI", typed)
    assert str(exc.value) == "El carácter de verificación del DNI no corresponde al número."


@pytest.mark.parametrize("typed", ["1234567", "123456789012", "1234567X", "ABCDEFGH", "12345678Z"])
def test_given_a_dni_of_the_wrong_shape_when_normalised_then_the_format_is_explained(typed):
    with pytest.raises(InvalidValue) as exc:
        normalize_document("DNI", typed)
    assert str(exc.value) == (
        "El DNI tiene 8 dígitos (y, opcionalmente, su carácter de verificación)."
    )


def test_given_an_empty_number_when_normalised_then_it_is_asked_for():
    with pytest.raises(InvalidValue) as exc:
        normalize_document("DNI", "  ")
    assert str(exc.value) == "Ingrese el número de documento."


def test_given_an_unknown_document_type_when_normalised_then_the_types_are_listed():
    with pytest.raises(InvalidValue) as exc:
        normalize_document("LE", "12345678")
    assert (
        str(exc.value) == "Elija el tipo de documento: DNI, carné de extranjería, RUC o pasaporte."
    )


# --- RUC -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["20100047218", "20131312955", "10101174102", "16012345678", "20-100047218"]
)
def test_given_a_valid_ruc_when_normalised_then_it_is_accepted(typed):
    assert normalize_document("RUC", typed) == Document("RUC", typed.replace("-", ""))


@pytest.mark.parametrize("typed", ["20100047219", "20131312950", "10101174103", "16012345670"])
def test_given_a_ruc_with_a_wrong_check_digit_when_normalised_then_it_is_refused(typed):
    with pytest.raises(InvalidValue) as exc:
        normalize_document("RUC", typed)
    assert str(exc.value) == "El dígito de verificación del RUC no es válido."


@pytest.mark.parametrize("typed", ["30100047213", "11111111111", "99999999999"])
def test_given_a_ruc_with_a_prefix_sunat_never_issues_when_normalised_then_prefixes_are_listed(
    typed,
):
    with pytest.raises(InvalidValue) as exc:
        normalize_document("RUC", typed)
    assert str(exc.value) == "El RUC debe empezar con 10, 15, 16, 17 o 20."


@pytest.mark.parametrize("typed", ["2010004721", "201000472180", "2010004721X"])
def test_given_a_ruc_without_11_digits_when_normalised_then_it_is_refused(typed):
    with pytest.raises(InvalidValue) as exc:
        normalize_document("RUC", typed)
    assert str(exc.value) == "El RUC tiene 11 dígitos."


# --- CE and passport -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [("001234567", "001234567"), ("ab1234567", "AB1234567"), ("123456789012", "123456789012")],
)
def test_given_a_carne_de_extranjeria_when_normalised_then_it_is_upper_case(typed, number):
    assert normalize_document("CE", typed) == Document("CE", number)


@pytest.mark.parametrize("typed", ["1234567890123", "12345_678", "ÑANDÚ123"])
def test_given_a_bad_carne_de_extranjeria_when_normalised_then_it_is_refused(typed):
    with pytest.raises(InvalidValue) as exc:
        normalize_document("CE", typed)
    assert str(exc.value) == "El carné de extranjería tiene hasta 12 letras o dígitos."


@pytest.mark.parametrize(("typed", "number"), [("pe123456", "PE123456"), ("X 1234567", "X1234567")])
def test_given_a_passport_when_normalised_then_it_is_upper_case_without_spaces(typed, number):
    assert normalize_document("PASAPORTE", typed) == Document("PASAPORTE", number)


@pytest.mark.parametrize("typed", ["ABCDEFGHIJKLM", "PE#123456"])
def test_given_a_bad_passport_when_normalised_then_it_is_refused(typed):
    with pytest.raises(InvalidValue) as exc:
        normalize_document("PASAPORTE", typed)
    assert str(exc.value) == "El pasaporte tiene hasta 12 letras o dígitos."


def test_given_a_document_when_masked_then_only_the_last_three_characters_show():
    assert Document("DNI", "45678912").masked() == "DNI ***912"


# --- mobile numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "987654321",
        "+51987654321",
        "+51 987 654 321",
        "0051 987654321",
        "987-654-321",
        "(+51) 987654321",
    ],
)
def test_given_a_peruvian_mobile_in_any_usual_writing_when_normalised_then_9_digits_remain(typed):
    assert normalize_mobile(typed) == "987654321"


@pytest.mark.parametrize(
    "typed", ["", "87654321", "887654321", "9876543210", "+52987654321", "01 4567890", "98765432a"]
)
def test_given_something_that_is_not_a_mobile_when_normalised_then_it_is_refused(typed):
    with pytest.raises(InvalidValue) as exc:
        normalize_mobile(typed)
    assert str(exc.value) == "El número de celular tiene 9 dígitos y empieza con 9."


# --- digits are the ASCII ones ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document_type", "typed"),
    [
        ("DNI", "١٠١١٧٤١٠"),  # Arabic-Indic digits: a regex's \d would take them
        ("DNI", "１０１１７４１０"),  # full-width digits, as some phone keyboards type them
        ("RUC", "２０１０００４７２１８"),
    ],
)
def test_a_document_in_other_digits_is_refused(document_type, typed):
    with pytest.raises(InvalidValue):
        normalize_document(document_type, typed)


@pytest.mark.parametrize("typed", ["９８７６５４３２１", "9٨٧٦٥٤٣٢١"])
def test_a_mobile_in_other_digits_is_refused(typed):
    with pytest.raises(InvalidValue):
        normalize_mobile(typed)
