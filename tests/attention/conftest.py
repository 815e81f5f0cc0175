import pytest

from attention.helpers import make_areas, make_staff


@pytest.fixture
def areas(catalog):
    return make_areas()


@pytest.fixture
def orientador(areas):
    return make_staff(first="Luis")


@pytest.fixture
def specialist(areas):
    return make_staff(area="USUARIOS", first="Jorge")


@pytest.fixture
def fiscalizador(areas):
    return make_staff(area="FISCALIZACION", first="Marta")


@pytest.fixture
def support(areas):
    return make_staff(area="SOPORTE-TI", first="Ana")


@pytest.fixture
def supervisor(areas):
    return make_staff(role="REGULATOR_SUPERVISOR", first="Carmen")
