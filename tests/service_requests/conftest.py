import pytest


@pytest.fixture(autouse=True)
def _catalog(catalog):
    """Every test here needs the operators of the reference catalog."""
