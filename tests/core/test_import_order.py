"""Modules that import each other (a task module and the module whose work it runs) must load
in either order: a worker imports a task by its path, maybe before anything else of its app."""

import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
# (notifications' and operators' tasks and services load with the app registry itself, in one
# fixed order; these are the ones a worker may import before the rest of their app.)
FIRST = [
    "sgu.reporting.tasks",
    "sgu.reporting.rollups",
    "sgu.reporting.services",
    "sgu.service_requests.tasks",
    "sgu.service_requests.ingest",
]

# Django set up without the apps' scheduler jobs (CoreConfig.ready loads them, and with them
# most modules): the module under test is the first of its app to be imported.
PROGRAM = """
import importlib, sys
import django
import sgu.core.apps
sgu.core.apps.CoreConfig.ready = lambda self: None
django.setup()
name = sys.argv[1]
assert name not in sys.modules, name
importlib.import_module(name)
"""


@pytest.mark.parametrize("module", FIRST)
def test_a_module_imports_first(module):
    if (
        not (SRC / (module.replace(".", "/") + ".py")).exists()
        and not (SRC / module.replace(".", "/") / "__init__.py").exists()
    ):
        pytest.fail(f"{module} no existe: actualice la lista")
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM, module],
        env={"PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "sgu.settings", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
