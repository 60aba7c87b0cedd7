# sme-support — the two commands a newcomer needs are `make run` and `make test`.
# `make help` lists the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Override on the command line: `make run PORT=8001`, `make PYTHON=/opt/py311/bin/python3 venv`.
PYTHON ?=
PORT ?= 8000
BIND ?= 127.0.0.1
VAR_DIR ?= $(CURDIR)/var
# Links in the demo's printed logins and in emails point here.
SITE_URL ?= http://$(BIND):$(PORT)
# `make run` is the embedded default whatever the shell exports for the tests or for
# production (DATABASE_URL, DEBUG=false...); point it elsewhere only on purpose:
# `make run RUN_DATABASE_URL=postgres://...`.
RUN_DATABASE_URL ?= sqlite:///$(VAR_DIR)/db.sqlite3
RUN_BROKER_URL ?= filesystem://
RUN_ENV = DEBUG=true VAR_DIR="$(VAR_DIR)" DATABASE_URL="$(RUN_DATABASE_URL)" CELERY_BROKER_URL="$(RUN_BROKER_URL)" \
	SITE_URL="$(SITE_URL)"
PYTEST_ARGS ?=
ARTIFACTS := test-artifacts

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

# Test services; the root conftest.py uses the same defaults and stops the run with one
# line naming the service that is down and how to start it.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sme_support
TEST_BROKER_URL ?= redis://127.0.0.1:6379/14

.PHONY: help venv run setup-run messages test lint format typecheck bench clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# --- virtualenv -------------------------------------------------------------------------

# Python 3.11 exactly (pyproject pins it); the first of $(PYTHON), python3.11, python3,
# python that is 3.11 wins. A failed `venv` (Debian without python3.11-venv) leaves nothing
# half-made behind, so the next try starts clean.
$(PY):
	@py=""; \
	for candidate in $(PYTHON) python3.11 python3 python; do \
	  if command -v "$$candidate" >/dev/null 2>&1 \
	     && "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	    py="$$candidate"; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "Python 3.11 is required but none of: $(PYTHON) python3.11 python3 python is 3.11." >&2; \
	  echo "Install it (Debian/Ubuntu: apt install python3.11 python3.11-venv; or pyenv install 3.11)" >&2; \
	  echo "or point at it: make PYTHON=/path/to/python3.11 run" >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" -V))"; \
	if ! "$$py" -m venv $(VENV); then \
	  rm -rf $(VENV); \
	  echo "Could not create $(VENV); on Debian/Ubuntu install python3.11-venv." >&2; \
	  exit 1; \
	fi

# Reinstalls only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "$(VENV) was made with $$($(PY) -V), not Python 3.11: remove it (rm -rf $(VENV)) and retry." >&2; exit 1; }
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP) ## create .venv (Python 3.11) and install requirements-dev.txt when they changed

# --- run --------------------------------------------------------------------------------

messages: venv ## compile locale/*.po to .mo (pure Python, no GNU gettext needed)
	$(PY) manage.py compile_translations

# Everything `make run` does before it starts the processes: the embedded default needs
# no server — SQLite at $(VAR_DIR)/db.sqlite3 and a filesystem Celery broker whose
# folders must exist before the worker starts.
setup-run: venv messages
	@mkdir -p $(VAR_DIR)/broker/queue $(VAR_DIR)/broker/control $(VAR_DIR)/broker/processed $(VAR_DIR)/uploads
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@# Sample WDI indicators, agency indices and MOUs (marked SAMPLE) for the /markets/ ranking.
	$(RUN_ENV) $(PY) manage.py load_sample_market_data --verbosity 0

run: setup-run ## set up SQLite + demo data, then start web, Celery worker and beat (PORT=8000)
	@echo
	@echo "  sme-support: $(SITE_URL)/   (admin: $(SITE_URL)/admin/)"
	@echo "  Log in with the demo accounts printed above. Stop with Ctrl-C."
	@echo
	@# `-e /dev/null`: honcho would otherwise read .env, which holds docker-compose's
	@# production values (DEBUG=false, a PostgreSQL host named db).
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(RUN_ENV) WEB_BIND=$(BIND) WEB_PORT=$(PORT) \
	  $(VENV)/bin/honcho -e /dev/null -f Procfile.dev start

# --- quality ----------------------------------------------------------------------------

# `pytest` exits 5 when it collects nothing; make treats any non-zero exit as failure, so
# an empty run fails too. Browser tests save screenshots under $TEST_ARTIFACTS_DIR.
test: venv messages ## run the whole pytest suite against PostgreSQL and Redis
	@mkdir -p $(ARTIFACTS)
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
	  TEST_ARTIFACTS_DIR="$(CURDIR)/$(ARTIFACTS)" $(PY) -m pytest --junitxml=$(ARTIFACTS)/junit.xml $(PYTEST_ARGS)

lint: venv ## ruff check + ruff format --check + the import-linter contracts (.importlinter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: venv ## mypy with the django and DRF plugins
	$(VENV)/bin/mypy .

bench: venv ## run the benchmarks (python -m bench.run)
	@if [ ! -f bench/run.py ] && [ ! -f bench/run/__main__.py ]; then \
	  echo "make bench: bench/run.py does not exist yet, so there is no benchmark to run." >&2; exit 1; \
	fi
	$(PY) -m bench.run

# --- housekeeping -----------------------------------------------------------------------

clean: ## remove generated state: var/ (demo database, broker, uploads), static build, caches, .mo, test artifacts
	rm -rf var staticfiles $(ARTIFACTS) .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -type d -prune -exec rm -rf {} + \)
	find locale -name '*.mo' -delete 2>/dev/null || true

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
