"""Shared fixtures: a real SMTP server, the demo catalog, factories and API clients."""

import hypothesis
import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client

from factories import (
    Api,
    Mailbox,
    assert_links_resolve,
    citizen_api,
    free_port,
    make_citizen,
    make_operator_agent,
    operator_api,
    run_tasks,
)
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Office, Operator

# Property tests check laws, not speed: on a shared 2-core machine generation can be slow and
# one example can take long, which must not fail a test.
hypothesis.settings.register_profile(
    "sgu", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("sgu")


# --- the clock ---------------------------------------------------------------------------
#
# Time is an input: no test may pass or fail by the hour the suite runs. Every test runs with
# the clock stopped at one Lima instant — by default a plain Wednesday morning, or the one
# `SGU_TEST_NOW` names (.ci/run replays the time-sensitive tests at a Saturday evening, the
# cut-off, a holiday, New Year…). `SGU_TEST_NON_WORKING` names days the administrator has
# declared non-working (CalendarDay rows) in every test that has a database.
# The clock does not tick: a test that needs time to pass moves it (`clock.shift(...)`).

from factories.clock import declared_non_working_days, pinned_now  # noqa: E402


@pytest.fixture(autouse=True)
def clock(request):
    """The one clock of the suite (time-machine); the traveller lets a test move it."""
    with time_machine.travel(pinned_now(), tick=False) as traveller:
        days = declared_non_working_days()
        # A django_db marker has set the database up already (pytest-django's own autouse
        # fixture runs first); a db fixture is set up here, before the rows are written.
        has_db = request.node.get_closest_marker("django_db") is not None
        for name in ("transactional_db", "db"):
            if days and not has_db and name in request.fixturenames:
                request.getfixturevalue(name)
                has_db = True
        if days and has_db:
            from sgu.core.models import CalendarDay

            for day in days:
                CalendarDay.objects.get_or_create(
                    date=day, defaults={"reason": "Día no laborable decretado (pruebas)"}
                )
        yield traveller


# --- every test ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2 at production strength costs ~0.3 s per hash; the tests hash a lot."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def reference_read_each_time(settings):
    """Tests write catalog and calendar rows straight through the ORM (no admin, no stamp
    bump), and roll them back: each use reads the tables. tests/core/test_reference.py turns
    the per-process cache of core/reference.py on."""
    settings.SGU = {**settings.SGU, "REFERENCE_CACHE": False}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence and claim forms go to a throw-away folder, never to the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# Every link the platform writes into an email, a receipt or a PDF must lead to a page.


@pytest.fixture(autouse=True)
def email_links_resolve(monkeypatch):
    """Every email any test renders: its links resolve (a wrong path fails the test)."""
    from sgu.notifications import rendering

    original = rendering.render

    def render(spec):
        text = original(spec)
        assert_links_resolve(text.body_text)
        return text

    monkeypatch.setattr(rendering, "render", render)


# The second factor (TOTP). Django's force_login skips the password; in these tests it skips
# the second factor too, so a test about a page needs one line to be signed in. Tests of the
# second factor itself log in through the real pages (tests/accounts/test_two_factor.py).


@pytest.fixture(autouse=True)
def force_login_passes_second_factor(monkeypatch):
    from sgu.accounts.middleware import SESSION_KEY, VERIFIED

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[SESSION_KEY] = VERIFIED
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


# --- a real SMTP server ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings):
    """Route the platform's email to the real local SMTP server; returns its Mailbox."""
    box, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    box.clear()
    return box


@pytest.fixture
def tasks():
    return run_tasks


# --- data --------------------------------------------------------------------------------------


@pytest.fixture
def catalog(db):
    load_reference_data()


@pytest.fixture
def office(catalog):
    return Office.objects.get(code="LIMA-SEDE")


@pytest.fixture
def claro(catalog):
    return Operator.objects.get(code="CLARO")


@pytest.fixture
def movistar(catalog):
    return Operator.objects.get(code="MOVISTAR")


@pytest.fixture
def citizen(catalog):
    return make_citizen()


@pytest.fixture
def other_citizen(catalog):
    return make_citizen()


@pytest.fixture
def claro_agent(claro):
    return make_operator_agent(claro)


@pytest.fixture
def movistar_agent(movistar):
    return make_operator_agent(movistar)


# --- API clients ------------------------------------------------------------------------------


@pytest.fixture
def anon_api():
    return Api()


@pytest.fixture
def api(citizen):
    return citizen_api(citizen)


@pytest.fixture
def claro_api(claro):
    return operator_api(claro)


@pytest.fixture
def movistar_api(movistar):
    return operator_api(movistar)
