import pytest

from provider.helpers import make_team, regulator


@pytest.fixture
def team(db):
    return make_team(client_email="experiencia@regulador.example.pe")


@pytest.fixture
def other_team(db):
    return make_team(code="LLAMAPERU")


@pytest.fixture
def cliente(db):
    """The regulator's area that files requirements (the provider's client)."""
    return regulator()
