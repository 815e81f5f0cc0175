"""The trays' pages read a fixed number of queries whatever the number of rows: a row that
touched a column its page did not load (TRAY_ROW_FIELDS) would cost one query per row, the
kind of regression no other test sees (docs/benchmarks.md, "Bandeja a 10 millones")."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factories import (
    answer,
    make_citizen,
    make_operator_agent,
    make_regulator,
    overdue_case,
    register_case,
)
from sgu.catalog.models import Operator

pytestmark = pytest.mark.django_db

PAGES = [
    ("regulator", "/regulador/bandeja/", {}),
    ("regulator", "/regulador/bandeja/", {"HTTP_HX_REQUEST": "true"}),
    ("regulator", "/regulador/bandeja/?overdue=si&operator=CLARO", {"HTTP_HX_REQUEST": "true"}),
    ("operator", "/operadora/bandeja/", {}),
    ("operator", "/operadora/bandeja/", {"HTTP_HX_REQUEST": "true"}),
    ("operator", "/operadora/bandeja/?sort=registro", {"HTTP_HX_REQUEST": "true"}),
]


def add_cases(citizen, n: int) -> None:
    for i in range(n):
        case = register_case(citizen, operator="CLARO", service_number=f"9{i:08d}")
        if i % 3 == 0:
            answer(case)
    overdue_case(citizen, operator="CLARO")


def queries(client, url, headers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as q:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(q.captured_queries), response.content.decode().count("<tr")


def test_tray_pages_cost_the_same_queries_for_2_rows_as_for_20(catalog):
    clients = {"regulator": Client(), "operator": Client()}
    clients["regulator"].force_login(make_regulator())
    clients["operator"].force_login(make_operator_agent(Operator.objects.get(code="CLARO")))
    citizen = make_citizen()
    add_cases(citizen, 1)
    for who, url, h in PAGES:  # a session's first request does more (its first visit)
        clients[who].get(url, **h)
    few = [queries(clients[who], url, h) for who, url, h in PAGES]
    add_cases(citizen, 18)
    many = [queries(clients[who], url, h) for who, url, h in PAGES]
    for (who, url, _), (q_few, rows_few), (q_many, rows_many) in zip(PAGES, few, many, strict=True):
        assert rows_many > rows_few, url  # the rows are there...
        assert q_many == q_few, f"{who} {url}: {q_few} queries with few rows, {q_many} with many"
