# Demensforløp. `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATABASE_URL ?= sqlite:///./data/demensforlop.db
export DATABASE_URL

# The PostgreSQL server the tests use; each run creates (and drops) its own databases.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/demensforlop_test
export TEST_POSTGRES_URL
# pytest's exit code 5 ("no tests collected") is a failure like any other non-zero code.
PYTEST ?= $(BIN)/pytest -p no:cacheprovider
# Two workers: each uses its own databases (see tests/conftest.py); live servers take free ports.
PYTEST_ARGS ?= -n 2

.PHONY: help run install install-dev lint typecheck migrations-check audit test test-sqlite \
	test-postgresql test-fast imports complexity bench lock clean messages

help:
	@echo "make run    serve http://$(HOST):$(PORT) with SQLite and the demo data"
	@echo "make test   lint, types, layers, complexity, migrations check, and all tests on SQLite and PostgreSQL"
	@echo "make test-fast  SQLite only, no browser and no slow tests"
	@echo "make bench  the load benchmark (see docs/performance.md)"
	@echo "make messages  collect UI strings into the nb/nn/en catalogues"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

# One pip run for the app and its development tools (a fresh clone's `make test`).
$(VENV)/.installed-dev: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
# The client generator the tests run (tests/api/test_generated_client.py) lives in a venv of
# its own: it pins a typer older than the app's.
CLIENT_VENV ?= .venv-client
$(CLIENT_VENV)/.installed: tools/openapi-client.lock
	$(PYTHON) -m venv $(CLIENT_VENV)
	$(CLIENT_VENV)/bin/pip install --quiet -r tools/openapi-client.lock
	touch $@

install-dev: $(VENV)/.installed-dev node_modules/.installed $(CLIENT_VENV)/.installed

run: install
	$(BIN)/demensforlop migrate
	DEMO=true $(BIN)/demensforlop seed --demo
	@echo
	@echo "  Demensforløp: http://$(HOST):$(PORT)   (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "  Database:     $(DATABASE_URL)"
	@echo "  Demo sign-ins (example data, demo mode only):"
	@DEMO=true $(BIN)/demensforlop demo-logins
	@echo "  An API token: $(BIN)/demensforlop create-token --name test --scope read --region troms"
	@echo
	DEMO=true $(BIN)/demensforlop serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

# The layers (contracts in pyproject.toml, [tool.importlinter]).
imports: install-dev
	$(BIN)/lint-imports

# No function above cyclomatic complexity 20: radon ranks 11-20 as C, 21-30 as D, so
# --max-absolute C fails on D and worse.
complexity: install-dev
	$(BIN)/xenon --max-absolute C app

# The models and the migrations agree, on an empty SQLite and an empty PostgreSQL.
migrations-check: install-dev
	mkdir -p data
	rm -f data/migrations-check.db
	DATABASE_URL=sqlite:///data/migrations-check.db $(BIN)/alembic upgrade head
	DATABASE_URL=sqlite:///data/migrations-check.db $(BIN)/alembic check
	$(BIN)/python -m tests.dbtool recreate $(TEST_POSTGRES_URL)_alembic
	DATABASE_URL=$(TEST_POSTGRES_URL)_alembic $(BIN)/alembic upgrade head
	DATABASE_URL=$(TEST_POSTGRES_URL)_alembic $(BIN)/alembic check

test-sqlite: install-dev
	@echo "=== tests on SQLite ==="
	TEST_DATABASE=sqlite $(PYTEST) $(PYTEST_ARGS)

# The markup checks (axe, layout, screenshots) look at the same pages on either database, the
# nynorsk and English runs of a browser flow differ from its bokmål run only in the interface
# language, and the modules marked no_database never touch the database under test: all
# three run in the SQLite half only (tests/conftest.py).
test-postgresql: install-dev
	@echo "=== tests on PostgreSQL ($(TEST_POSTGRES_URL)) ==="
	TEST_DATABASE=postgresql $(PYTEST) -m "not markup" $(PYTEST_ARGS)

# Known vulnerabilities in the pinned dependencies (fails on a finding; says plainly when the
# data source cannot be reached).
audit: install-dev
	$(BIN)/python tools/audit_dependencies.py

test: lint typecheck imports complexity migrations-check audit test-sqlite test-postgresql
	@echo "all checks passed on SQLite and PostgreSQL"

# Quicker loop while working: no browser tests, SQLite only.
test-fast: install-dev
	TEST_DATABASE=sqlite $(PYTEST) -m "not browser and not slow" $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench.run

# Collect the UI strings of templates and code into the catalogues (every locale: nb, nn, en);
# then translate the new entries in app/locale/{en,nn}/LC_MESSAGES/messages.po (a test fails
# while any is missing; `python -m tools.translate_po nn --missing` lists them). The
# catalogues are compiled in memory when the app starts: there is no compile step.
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --project=Demensforløp --version=1 \
		--copyright-holder=Demensforløp -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -D messages \
		--no-fuzzy-matching --ignore-obsolete --width=100

# Refresh the pinned versions of everything installed (after changing pyproject.toml).
lock: install-dev
	$(BIN)/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) $(CLIENT_VENV) node_modules .mypy_cache .ruff_cache .pytest_cache data/migrations-check.db
