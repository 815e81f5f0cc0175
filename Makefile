# The README's two commands: `make run` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export PORT

# Typed strictly: the ground floor, then each app's services and selectors as they get there
# (cases.services.registration next: its last 12 errors wait for the case-intake work).
MYPY_STRICT := -p sgu.core -p sgu.accounts.services -m sgu.accounts.selectors \
	-p sgu.notifications.services -m sgu.catalog.selectors \
	-m sgu.operators.selectors -p sgu.operators.services \
	-m sgu.cases.selectors -m sgu.cases.public_selectors \
	-p sgu.cases.services \
	-m sgu.outages.selectors -m sgu.outages.services \
	-m sgu.service_requests.selectors -m sgu.service_requests.services \
	-m sgu.reporting.selectors -m sgu.reporting.services \
	-m sgu.attention.selectors -p sgu.attention.services \
	-m sgu.knowledge.selectors -m sgu.knowledge.services \
	-m sgu.suggestions.selectors -m sgu.suggestions.services \
	-m sgu.provider.selectors -m sgu.provider.services

.PHONY: run test lint format bench screens sweep reliability install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_demo --quiet
	$(BIN)/python manage.py serve --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# mypy has its own cache here: it replays the cached errors of an imported module that another
# run checked as a source (`mypy -m sgu.cases.services.registration`), and not every module the
# strict list imports is strict yet.
lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	PYTHONPATH=src $(BIN)/lint-imports --no-cache
	PYTHONPATH=src $(BIN)/mypy --strict --cache-dir .mypy_cache/strict $(MYPY_STRICT)

format: install
	$(BIN)/ruff format src tests $(wildcard bench)
	$(BIN)/ruff check --fix src tests $(wildcard bench)

# `make bench BENCH_ARGS=--write` also puts the figures into docs/benchmarks.md.
bench: install
	$(BIN)/python bench/intake.py $(BENCH_ARGS)

# The browser sweep (tests/e2e/sweep): every menu page of every demo role, phone and desktop,
# with axe-core. Part of `make test`; this runs it alone.
sweep: install
	$(BIN)/python -m pytest tests/e2e/sweep $(PYTEST_ARGS)

# The screenshots of docs/screens/ (README, «Pantallas»), from a fresh demo in a real browser.
screens: install
	$(BIN)/python tests/e2e/screens.py

# Proof under faults (docs/reliability.md): its own PostgreSQL cluster and SMTP sink, several
# minutes; not part of `make test`. `make reliability RELIABILITY_ARGS="--cases 300"` for a short one.
reliability: install
	$(BIN)/python bench/reliability.py $(RELIABILITY_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
