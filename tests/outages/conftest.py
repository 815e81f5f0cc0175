import pytest

from outages.helpers import make_operator_admin, make_point, make_supervisor


@pytest.fixture
def claro_admin(claro):
    return make_operator_admin(claro)


@pytest.fixture
def movistar_admin(movistar):
    return make_operator_admin(movistar)


@pytest.fixture
def claro_store(claro_admin):
    return make_point(claro_admin, code="CAC-MIRAFLORES", name="CAC Miraflores", ubigeo="150122")


@pytest.fixture
def claro_callcenter(claro_admin):
    return make_point(
        claro_admin, code="CC-123", name="Centro de llamadas 123", kind="CENTRO_LLAMADAS"
    )


@pytest.fixture
def movistar_store(movistar_admin):
    return make_point(movistar_admin, code="CAC-SURCO", name="Tienda Surco", ubigeo="150140")


@pytest.fixture
def supervisor(catalog):
    return make_supervisor()
