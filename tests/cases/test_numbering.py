"""The correlative code is the registration's last write (docs/architecture.md «Código
correlativo»): the year's sequence row stays locked from its bump until COMMIT, so whatever
comes after it is only the code put in place — never the events, attachments, webhook or email
of the case. On PostgreSQL the bump writes the case's row itself, once, with its code; on
SQLite the row is written first and its code put in place after the bump."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from factories import case_payload, citizen_api, make_case, make_citizen
from sgu.notifications.models import OutboundEmail
from sgu.operators import services as operators
from sgu.operators.models import WebhookDelivery

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^SGU-\d{4}-\d{7}$")


def numbering_statement(queries: list[dict]) -> str:
    numbering = [q["sql"] for q in queries if "cases_casesequence" in q["sql"]]
    assert numbering, "no statement took a number"
    return numbering[0]


def statements_after_numbering(queries: list[dict]) -> list[str]:
    sql = [q["sql"] for q in queries]
    first = sql.index(numbering_statement(queries))
    # The test's own transaction ends the service's atomic block with a RELEASE SAVEPOINT.
    return [s for s in sql[first + 1 :] if not s.startswith("RELEASE SAVEPOINT")]


def case_row_writes(queries: list[dict]) -> list[str]:
    return [
        q["sql"] for q in queries if re.search(r'(INSERT INTO|UPDATE) "?cases_case"? ', q["sql"])
    ]


def test_given_a_forwarded_case_with_a_webhook_then_numbering_is_followed_only_by_updates(
    claro, settings, tasks
):
    settings.SGU = {**settings.SGU, "WEBHOOK_ALLOW_HTTP_HOSTS": ["127.0.0.1"]}
    operators.configure_webhook(operator=claro, url="http://127.0.0.1:9/hook", secret="s" * 32)
    citizen = make_citizen()

    with CaptureQueriesContext(connection) as ctx:
        case = make_case(citizen)

    after = statements_after_numbering(ctx.captured_queries)
    # The sequence's own first-of-the-year INSERT … ON CONFLICT and second bump, then updates.
    assert after, "the case was not given its code after numbering"
    assert all(s.startswith("UPDATE") or "cases_casesequence" in s for s in after), after
    written = {
        t
        for s in after
        for t in ("cases_case", "notifications_outboundemail", "operators_webhookdelivery")
        if re.search(rf'UPDATE "?{t}"? ', s)
    }
    # The email is not touched again: the worker renders it with the final code.
    if connection.vendor == "postgresql":
        # The numbering statement wrote the case, with its code: the row is written once.
        assert written == {"operators_webhookdelivery"}
        assert re.search(r'INSERT INTO "cases_case" ', numbering_statement(ctx.captured_queries))
        assert len(case_row_writes(ctx.captured_queries)) == 1
        # Its key was taken by the statement that wrote its events, not by one of its own.
        keyed = [q["sql"] for q in ctx.captured_queries if "nextval" in q["sql"]]
        assert len(keyed) == 1 and re.search(r'INSERT INTO "cases_caseevent" ', keyed[0])
        # The same statement wrote its email and the task that sends it, and nothing else did.
        for table in ("notifications_outboundemail", "django_tasks_database_dbtaskresult"):
            assert re.search(rf'INSERT INTO "{table}" ', keyed[0]), table
        emails = [
            q["sql"] for q in ctx.captured_queries if "notifications_outboundemail" in q["sql"]
        ]
        assert emails == keyed
    else:
        assert written == {"cases_case", "operators_webhookdelivery"}
    assert CODE.match(case.code)
    # The email names the case by its key and is sent by a task given the email's key.
    queued = OutboundEmail.objects.get(template="case_registered", context__isnull=False)
    assert queued.context["case"] == {"$ref": "cases.case", "pk": case.pk}
    sending = DBTaskResult.objects.filter(task_path="sgu.notifications.tasks.send_email")
    assert [t.args_kwargs["args"] for t in sending if t.args_kwargs["args"] == [queued.pk]] == [
        [queued.pk]
    ]
    tasks()
    email = OutboundEmail.objects.get(case_code=case.code)
    assert case.code in email.subject and case.code in email.body_text
    assert "~" not in email.subject + email.body_text
    delivery = WebhookDelivery.objects.get(case_code=case.code)
    assert f'"code":"{case.code}"' in delivery.body and "~" not in delivery.body


@pytest.mark.parametrize("key", ["k-1", ""], ids=["with-key", "without-key"])
def test_given_an_api_registration_then_its_answer_is_not_stored_under_the_sequence_lock(
    catalog, key
):
    api = citizen_api(make_citizen())
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    with CaptureQueriesContext(connection) as ctx:
        created = api.post("/api/v1/cases", case_payload(), **extra)

    assert created.status_code == 201
    sql = [q["sql"] for q in ctx.captured_queries]
    stored = [i for i, s in enumerate(sql) if re.match(r'INSERT INTO "?core_idempotencyrecord', s)]
    assert len(stored) == (1 if key else 0)
    after = statements_after_numbering(ctx.captured_queries)
    # Only the numbering itself (on SQLite its first-of-the-year row, the bump, the case).
    assert all("cases_casesequence" in s or s.startswith('UPDATE "cases_case" ') for s in after)
    if key:
        assert stored[0] < sql.index(next(s for s in sql if "cases_casesequence" in s))


def test_given_an_api_registration_with_a_key_then_the_stored_answer_has_the_final_code(catalog):
    api = citizen_api(make_citizen())

    first = api.post("/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert CODE.match(first.json()["code"]) and again.json() == first.json()
    assert api.get(f"/api/v1/cases/{first.json()['code']}").status_code == 200


def test_given_two_registrations_in_a_year_then_codes_are_consecutive(catalog):
    citizen = make_citizen()

    codes = [make_case(citizen).code for _ in range(3)]

    assert [int(c[-7:]) for c in codes] == [1, 2, 3]


def test_given_the_ten_millionth_case_of_a_year_then_the_code_grows_a_digit(catalog):
    from django.utils import timezone

    from sgu.cases.models import CaseSequence

    year = timezone.localtime(timezone.now()).year
    CaseSequence.objects.create(year=year, last_number=9_999_998)
    citizen = make_citizen()

    codes = [make_case(citizen).code for _ in range(2)]

    assert codes == [f"SGU-{year}-9999999", f"SGU-{year}-10000000"]
