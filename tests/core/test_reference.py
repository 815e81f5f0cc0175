"""Catalog and calendar read once per process and reloaded when the reference stamp changes
(core/reference.py): a change saved in the admin reaches the next request of every process;
without a change, a registration reads neither the catalog nor the calendar tables."""

from datetime import date

import pytest
from django.contrib.admin import site
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import case_payload, citizen_api, make_citizen
from sgu.catalog.models import Category, Operator, Service, Subcategory
from sgu.core import reference
from sgu.core.calendar import load_calendar
from sgu.core.models import CalendarDay
from sgu.operators import services as operators
from sgu.operators.models import ScopeThreshold, SubscriberCount, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings, catalog):
    settings.SGU = {**settings.SGU, "REFERENCE_CACHE": True}
    reference.bump()  # nothing cached by an earlier test is taken for this one's


def tables_read(ctx) -> set[str]:
    names = ("catalog_operator", "catalog_subcategory", "catalog_subcategoryfield",
             "core_calendarday", "operators_subscribercount",
             "operators_scopethreshold", "operators_webhookendpoint")  # fmt: skip
    return {t for q in ctx.captured_queries for t in names if t in q["sql"]}


def test_given_the_cache_warm_then_a_registration_reads_neither_catalog_nor_calendar(cache_on):
    api = citizen_api(make_citizen())
    assert api.post("/api/v1/cases", case_payload()).status_code == 201

    with CaptureQueriesContext(connection) as ctx:
        second = api.post("/api/v1/cases", case_payload())

    assert second.status_code == 201
    assert tables_read(ctx) == set()
    stamps = [q["sql"] for q in ctx.captured_queries if "core_referencestamp" in q["sql"]]
    assert len(stamps) == 1  # once per request…
    assert "accounts_apitoken" in stamps[0]  # …in the statement that reads the caller's token


def test_a_credential_read_brings_the_stamp_and_the_request_reads_it_no_more(cache_on, rf):
    from factories.people import PASSWORD
    from sgu.accounts import selectors
    from sgu.accounts import services as accounts

    citizen = make_citizen()
    token, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    key, _ = accounts.create_operator_key(operator=Operator.objects.get(code="CLARO"), name="k")
    expected = reference.bump()
    seen = []

    def request(read_credential):
        def view(request):
            with CaptureQueriesContext(connection) as ctx:
                assert read_credential() is not None
                seen.append((reference.current_stamp(), len(ctx.captured_queries)))

        reference.StampMiddleware(view)(rf.get("/"))

    request(lambda: selectors.live_token(token))
    request(lambda: selectors.operator_key(key))
    assert seen == [(expected, 1), (expected, 1)]  # the credential's statement, nothing more


def test_given_a_subcategory_deactivated_and_the_stamp_bumped_then_the_next_request_refuses_it(
    cache_on,
):
    api = citizen_api(make_citizen())
    assert api.post("/api/v1/cases", case_payload()).status_code == 201
    Subcategory.objects.filter(code=case_payload()["subcategory"]).update(active=False)
    assert api.post("/api/v1/cases", case_payload()).status_code == 201  # not bumped: cached

    reference.bump()  # what the admin does when it saves (below)
    refused = api.post("/api/v1/cases", case_payload())

    assert refused.status_code == 422
    assert "subcategory" in refused.text


def test_given_an_operator_no_longer_bound_and_the_stamp_bumped_then_its_cases_are_refused(
    cache_on,
):
    api = citizen_api(make_citizen())
    assert api.post("/api/v1/cases", case_payload()).status_code == 201
    claro = Operator.objects.get(code=case_payload()["operator"])
    SubscriberCount.objects.create(operator=claro, subscribers=1000, valid_from=date(2020, 1, 1))
    assert api.post("/api/v1/cases", case_payload()).status_code == 201  # not bumped: cached

    reference.bump()  # what the admin does when it saves (below)
    refused = api.post("/api/v1/cases", case_payload())

    assert refused.status_code == 422
    assert "no está obligada a atender por el SGU" in refused.text


def test_given_an_operator_configuring_its_webhook_then_the_next_registration_owes_it_one(
    cache_on, settings
):
    api = citizen_api(make_citizen())
    assert api.post("/api/v1/cases", case_payload()).status_code == 201  # endpoints cached
    claro = Operator.objects.get(code=case_payload()["operator"])
    settings.SGU = {**settings.SGU, "WEBHOOK_ALLOW_HTTP_HOSTS": ["127.0.0.1"]}

    operators.configure_webhook(operator=claro, url="http://127.0.0.1:9/hook", secret="s" * 32)
    created = api.post("/api/v1/cases", case_payload())

    assert created.status_code == 201
    assert WebhookDelivery.objects.get().case_code == created.json()["code"]


def test_every_admin_of_the_catalog_and_the_calendar_bumps_the_stamp(rf):
    for model in (Operator, Service, Category, Subcategory, CalendarDay, SubscriberCount,
                  ScopeThreshold):  # fmt: skip
        assert isinstance(site._registry[model], reference.BumpsReferenceStamp), model
    day = CalendarDay.objects.create(date=date(2026, 7, 30), is_working=False, reason="x")
    before = reference.current_stamp()

    site._registry[CalendarDay].delete_model(rf.post("/"), day)

    assert reference.current_stamp() != before


def test_given_a_day_declared_non_working_and_the_stamp_bumped_then_the_calendar_has_it(
    cache_on,
):
    day = date(2026, 7, 30)
    before = load_calendar()
    CalendarDay.objects.create(date=day, is_working=False, reason="Día declarado")
    assert load_calendar() is before  # same stamp: what this process loaded

    reference.bump()

    after = load_calendar()
    assert after is not before and day in after.non_working
