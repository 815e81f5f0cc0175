"""core.rows: a row and its related row read by one hand-written statement must be the very
instances the ORM would build (same values, same types), on SQLite and on PostgreSQL."""

import uuid

import pytest
from django.db import connection
from django.db.models import Model
from django.test import override_settings

from factories import make_case, make_citizen
from factories.people import PASSWORD
from sgu.accounts import selectors
from sgu.accounts import services as accounts
from sgu.accounts.models import ApiToken, OperatorApiKey
from sgu.cases.models import Case
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Operator
from sgu.core import rows

pytestmark = pytest.mark.django_db


def same_as_the_orm(read: Model, orm: Model) -> None:
    for field in type(orm)._meta.concrete_fields:
        ours, theirs = getattr(read, field.attname), getattr(orm, field.attname)
        assert ours == theirs, field.attname
        assert type(ours) is type(theirs), field.attname
    assert read._state.adding is False and read._state.db == "default"


def test_a_case_and_its_subcategory_as_the_orm_reads_them():
    load_reference_data()
    case = make_case()
    Case.objects.filter(pk=case.pk).update(fields={"monto": "10.50", "lista": [1, None]})  # JSON
    read = rows.one_with_related(Case, "subcategory", "a.id = %s", [case.pk])
    orm = Case.objects.select_related("subcategory").get(pk=case.pk)
    same_as_the_orm(read, orm)
    same_as_the_orm(read.subcategory, orm.subcategory)
    assert rows.one_with_related(Case, "subcategory", "a.id = %s", [-1]) is None


def test_the_bearer_token_and_its_person():
    citizen = make_citizen()
    raw, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    token = selectors.live_token(raw)
    orm = ApiToken.objects.select_related("user").get(pk=token.pk)
    same_as_the_orm(token, orm)
    same_as_the_orm(token.user, orm.user)
    assert token.user.is_authenticated and token.user.pk == citizen.pk


def test_a_token_that_is_revoked_expired_or_of_an_inactive_person_is_not_live():
    citizen = make_citizen()
    raw, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    assert selectors.live_token(raw) is not None
    assert selectors.live_token(raw + "x") is None
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    assert selectors.live_token(raw) is None
    citizen.is_active = True
    citizen.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=citizen).update(expires_at="2000-01-01T00:00:00Z")
    assert selectors.live_token(raw) is None


def test_the_operator_key_and_its_operator():
    load_reference_data()
    operator = Operator.objects.get(code="CLARO")
    raw, _ = accounts.create_operator_key(operator=operator, name="pruebas")
    key = selectors.operator_key(raw)
    orm = OperatorApiKey.objects.select_related("operator").get(pk=key.pk)
    same_as_the_orm(key, orm)
    same_as_the_orm(key.operator, orm.operator)
    Operator.objects.filter(pk=operator.pk).update(active=False)
    assert selectors.operator_key(raw) is None


# --- rows.insert: the rows save() would write ------------------------------------------------


def _twins(build):
    """Two identical unsaved instances: one for the ORM, one for rows.insert."""
    return build(), build()


def same_row(ours: Model, theirs: Model, unique: tuple[str, ...] = ()) -> None:
    """The two rows as read back from the database: equal but for their primary keys (and
    the `unique` columns, which cannot be equal)."""
    model = type(ours)
    read, orm = model.objects.get(pk=ours.pk), model.objects.get(pk=theirs.pk)
    for field in model._meta.concrete_fields:
        if field is model._meta.pk or field.attname in unique:
            continue
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.attname
    # And the instance is left as save() leaves it.
    for field in model._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(read, field.attname), field.attname
    assert ours._state.adding is False and ours._state.db == "default"


def unsaved_case(like: Case, **values) -> Case:
    """A new case of the same citizen, operator and matter as `like`, not yet written."""
    defaults = {
        "citizen": like.citizen,
        "operator": like.operator,
        "subcategory": like.subcategory,
        "service": "MOVIL",
        "channel": "WEB",
        "service_number": "987654321",
        "description": "Otra descripción de prueba.",
        "state": "REGISTERED",
        "registered_at": like.registered_at,
    }
    return Case(**{**defaults, **values})


def test_a_case_is_written_as_save_writes_it():
    load_reference_data()
    base = make_case()

    def build():
        return unsaved_case(
            base,
            code=f"SGU-2026-~{Case.objects.count():08x}",
            description="Sin señal desde el lunes, ñandú «comillas» y 'apóstrofos'.",
            fields={"monto": "10.50", "lista": [1, None], "texto": 'a"b'},
            state="FORWARDED",
            due_at=base.registered_at,
            received_on=base.registered_at.date(),
        )

    ours = build()
    rows.insert([ours])
    theirs = build()
    theirs.save(force_insert=True)
    assert ours.pk is not None and ours.pk != theirs.pk
    assert ours.updated_at is not None  # auto_now, as pre_save sets it
    same_row(ours, theirs, unique=("code",))


def test_events_of_an_unsaved_case_take_its_key_in_one_statement():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sgu.cases.models import CaseEvent

    load_reference_data()
    case = make_case()
    fresh = unsaved_case(case, code="SGU-2026-~00000001")

    def build(kind: str) -> CaseEvent:
        # Built before the case has a key, as register_case builds them.
        return CaseEvent(
            case=fresh, at=case.registered_at, kind=kind, actor=case.citizen, data={"k": kind}
        )

    events = [build("REGISTER"), build("FORWARD")]
    rows.insert([fresh])
    with CaptureQueriesContext(connection) as queries:
        rows.insert(events)
    assert len(queries) == 1
    assert [e.case_id for e in events] == [fresh.pk, fresh.pk]
    assert events[0].pk < events[1].pk  # keys come back in the order given
    theirs = CaseEvent.objects.bulk_create([build("REGISTER"), build("FORWARD")])
    same_row(events[0], theirs[0])
    same_row(events[1], theirs[1])


def test_an_unsaved_related_object_is_refused_as_save_refuses_it():
    from sgu.cases.models import CaseEvent

    load_reference_data()
    case = make_case()
    unsaved = Case(citizen=case.citizen, operator=case.operator, subcategory=case.subcategory)
    with pytest.raises(ValueError):
        rows.insert([CaseEvent(case=unsaved, at=case.registered_at, kind="REGISTER")])


def test_an_email_and_its_task_are_written_as_the_orm_writes_them():
    from django_tasks_db.models import DBTaskResult, get_date_max

    from sgu.notifications.models import OutboundEmail

    ours, theirs = _twins(
        lambda: OutboundEmail(to="ana@example.pe", template="case_registered", context={"a": 1})
    )
    rows.insert([ours])
    theirs.save()
    assert ours.created_at is not None  # auto_now_add
    same_row(ours, theirs)

    # The task library's pre_save receiver gives a task with no run_after the far future:
    # rows.insert sends the signal as save() does.
    def task() -> DBTaskResult:
        return DBTaskResult(
            id=uuid.uuid4(),
            args_kwargs={"args": [1], "kwargs": {}},
            task_path="sgu.notifications.tasks.send_email",
            backend_name="default",
            run_after=None,
        )

    mine, orm = task(), task()
    rows.insert([mine])
    orm.save()
    assert mine.run_after == get_date_max()
    same_row(mine, orm)


def test_what_it_cannot_write_like_save_is_refused():
    from sgu.accounts.models import User

    assert User.save is not Model.save  # AbstractBaseUser's: it must run
    with pytest.raises(TypeError):
        rows.insert([User(username="x@example.pe")])
    with pytest.raises(TypeError):
        rows.insert([Case(pk=1), Case()])  # mixed: with and without a key


def test_a_value_computed_by_the_database_is_written_and_read_back():
    from sgu.notifications.models import OutboundEmail

    email = OutboundEmail(to="ana@example.pe", template="case_registered", case_code="provisional")
    rows.insert(
        [email],
        with_=("WITH n AS (SELECT CAST(%s AS TEXT) || '-0000042' AS code)", ["SGU-2026"]),
        computed={"case_code": "(SELECT code FROM n)"},
        returning=["case_code"],
    )
    assert email.pk is not None and email.case_code == "SGU-2026-0000042"
    assert OutboundEmail.objects.get(pk=email.pk).case_code == "SGU-2026-0000042"
    with pytest.raises(TypeError):
        rows.insert([OutboundEmail(to="x@example.pe")], returning=["no_such_field"])


# --- prepared statements (PostgreSQL) ------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
)


def _prepared_on_this_connection(table: str) -> list[tuple[int, int]]:
    """The statements reading or writing `table` that this connection has prepared, each with
    how many times it ran prepared (generic and custom plans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE NOT from_sql AND statement LIKE %s",
            [f'%"{table}"%'],
        )
        return cursor.fetchall()


@postgres_only
def test_a_statement_run_on_every_request_is_prepared_once_and_reads_the_same():
    citizen = make_citizen()
    raw, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    assert _prepared_on_this_connection("accounts_apitoken") == []
    for _ in range(5):
        token = selectors.live_token(raw)
        orm = ApiToken.objects.select_related("user").get(pk=token.pk)
        same_as_the_orm(token, orm)
        same_as_the_orm(token.user, orm.user)
    # Bound on the server, prepared on its third run, and run prepared from then on.
    [(generic, custom)] = _prepared_on_this_connection("accounts_apitoken")
    assert generic + custom == 3
    assert selectors.live_token(raw + "x") is None


@postgres_only
def test_prepared_inserts_write_what_save_writes():
    load_reference_data()
    like = make_case()
    for n in range(4):
        ours, theirs = _twins(lambda n=n: unsaved_case(like, code=f"SGU-2026-~p{n}"))
        theirs.code += "o"
        rows.insert([ours])
        theirs.save(force_insert=True)
        same_row(ours, theirs, unique=("code",))
    assert len(_prepared_on_this_connection("cases_case")) == 1


@postgres_only
@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_with_prepared_statements_off_nothing_is_prepared():
    citizen = make_citizen()
    raw, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    for _ in range(5):
        assert selectors.live_token(raw) is not None
    assert _prepared_on_this_connection("accounts_apitoken") == []
