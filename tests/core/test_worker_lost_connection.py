"""A task that died with the database connection goes back to the queue even when the
worker, looking at the error, already holds a fresh connection — what a connection pool
(DATABASE_POOL_MAX_SIZE) gives it. `make reliability` found such a task marked FAILED after a
PostgreSQL restart, its email never sent: the worker judged the error by the connection it
held then (a new, healthy one), not by the error itself."""

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, OperationalError
from psycopg import errors as pg_errors

from sgu.core.worker import connection_lost


def django_error(cls, cause: Exception) -> DatabaseError:
    """As Django raises a driver error: its own class, the driver's error as the cause."""
    try:
        raise cls(str(cause)) from cause
    except DatabaseError as exc:
        return exc


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cause",
    [
        psycopg.OperationalError("consuming input failed: server closed the connection"),
        psycopg.InterfaceError("the connection is closed"),
        pg_errors.AdminShutdown("terminating connection due to administrator command"),
        pg_errors.CannotConnectNow("the database system is starting up"),
        pg_errors.ConnectionFailure("connection failure"),
    ],
    ids=["closed-by-server", "closed", "admin-shutdown", "starting-up", "connection-failure"],
)
def test_a_dead_connection_is_lost_even_while_a_fresh_one_is_held(cause):
    from django.db import connection

    connection.ensure_connection()
    assert connection.is_usable()  # the thread holds a healthy connection, as after a pool swap
    assert connection_lost(django_error(OperationalError, cause))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cause",
    [pg_errors.UniqueViolation("duplicate key"), pg_errors.QueryCanceled("statement timeout")],
    ids=["unique", "statement-timeout"],
)
def test_an_error_of_the_query_itself_is_not_a_lost_connection(cause):
    from django.db import connection

    connection.ensure_connection()
    assert not connection_lost(django_error(IntegrityError, cause))
