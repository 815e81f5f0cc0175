"""Bad input never becomes a 500 (docs/api.md "Conventions"): arbitrary JSON thrown at the
creating endpoints gets 2xx or a 4xx problem+json in Spanish."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import PROBLEM, Api, acknowledge, answer, case_payload, make_case, solution_payload

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "1e999999999", "NaN", "2026-02-30", "CLARO", "987654321"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def mutated(base: dict) -> st.SearchStrategy[dict]:
    """`base` with some keys replaced by arbitrary JSON, some dropped, some added."""
    keys = sorted(base)
    return st.builds(
        lambda replace, drop, extra: {
            **{k: v for k, v in base.items() if k not in drop},
            **replace,
            **extra,
        },
        st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys)),
        st.sets(st.sampled_from(keys), max_size=2),
        st.dictionaries(st.text(max_size=8), json_values, max_size=2),
    )


def assert_not_500(response) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert response["Content-Type"].startswith(PROBLEM)
        body = response.json()
        assert set(body) == {"type", "title", "status", "detail", "errors"}


FIELDS = case_payload()["fields"]


@FUZZ
@given(
    payload=mutated(case_payload()),
    fields=mutated(FIELDS) | json_values,
)
def test_given_arbitrary_json_when_reporting_a_case_then_never_a_500(api, payload, fields):
    if "fields" in payload and isinstance(payload["fields"], dict):
        payload["fields"] = fields
    assert_not_500(api.post("/api/v1/cases", payload))


@FUZZ
@given(payload=mutated(solution_payload()))
def test_given_arbitrary_json_when_answering_then_never_a_500(claro_api, payload):
    case = acknowledge(make_case())
    assert_not_500(claro_api.post(f"/api/v1/operator/cases/{case.code}/solution", payload))


@FUZZ
@given(payload=mutated({"resolved": True, "score": 4, "comment": "Bien."}))
def test_given_arbitrary_json_when_rating_then_never_a_500(api, citizen, payload):
    case = answer(make_case(citizen))
    assert_not_500(api.post(f"/api/v1/cases/{case.code}/rating", payload))


ACCOUNT = {
    "document_type": "DNI",
    "document_number": "45678912",
    "first_name": "Rosa",
    "last_name": "Quispe",
    "email": "rosa@example.pe",
    "phone": "987654321",
    "password": "Clave.Segura.2026",
    "consent": True,
}


@FUZZ
@given(payload=mutated(ACCOUNT))
def test_given_arbitrary_json_when_registering_then_never_a_500(catalog, payload):
    assert_not_500(Api().post("/api/v1/accounts", payload))


@FUZZ
@given(raw=st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
def test_given_arbitrary_bytes_as_body_when_reporting_then_never_a_500(api, raw):
    assert_not_500(api.post("/api/v1/cases", raw=raw))


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["limit", "cursor", "state", "overdue", "updated_since", "subcategory"]),
        st.text(max_size=40),
        max_size=4,
    )
)
def test_given_arbitrary_query_strings_when_listing_then_never_a_500(claro_api, api, query):
    from urllib.parse import urlencode

    assert_not_500(claro_api.get("/api/v1/operator/cases?" + urlencode(query)))
    assert_not_500(api.get("/api/v1/cases?" + urlencode(query)))
