# sme-support — the two commands a newcomer needs are `make run` and `make test`.
# `make help` lists the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Override on the command line: `make run PORT=8001`, `make PYTHON=/opt/py312/bin/python3 run`.
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

# The CPython versions sme-support runs and is tested on, newest first. pyproject.toml's
# requires-python, the README and .ci/run say the same; tests/project/test_python_versions.py
# fails when they disagree.
PYTHON_VERSIONS := 3.13 3.12 3.11
PYTHON_RANGE := 3.11–3.13
PYTHON_CANDIDATES := $(addprefix python,$(PYTHON_VERSIONS)) python3 python

# Every target that needs Python goes through `venv`, which says which Python it uses.
# 1. Each candidate ($(PYTHON) alone when given) is run, not just looked up: pyenv puts a
#    shim on PATH for every version it has, and the shims of versions not selected fail.
# 2. An existing .venv that runs a supported version is kept, whatever the version: a
#    newer Python turning up does not cost a reinstall (it is mentioned). One that no
#    longer runs (its Python upgraded or removed), runs an unsupported version, or differs
#    from an explicit PYTHON= is rebuilt.
# 3. A new .venv comes from the newest supported candidate. When `-m venv` fails (Debian/
#    Ubuntu without python3.X-venv) the half-made .venv is removed and the next supported
#    candidate is tried, so a retry always starts clean.
# 4. requirements-dev.txt is installed again only when a requirements file is newer than
#    the stamp.
venv: ## create/check .venv (newest supported Python, or PYTHON=...) and install requirements when they changed
	@probe() { "$$1" -c 'import sys; print("%d.%d %d.%d.%d %s" % (sys.version_info[:2] + sys.version_info[:3] + (sys.executable,)))' 2>/dev/null || true; }; \
	supported() { case " $(PYTHON_VERSIONS) " in *" $$1 "*) return 0;; esac; return 1; }; \
	found=""; notes=""; \
	for candidate in $(if $(PYTHON),"$(PYTHON)",$(PYTHON_CANDIDATES)); do \
	  where="$$(command -v "$$candidate" 2>/dev/null || true)"; \
	  if [ -z "$$where" ]; then notes+="  $$candidate: not found"$$'\n'; continue; fi; \
	  read -r minor full exe <<< "$$(probe "$$candidate")"; \
	  [ "$$where" = "$$candidate" ] && named="$$candidate" || named="$$candidate ($$where)"; \
	  if [ -z "$$minor" ]; then \
	    why="$$("$$candidate" -c pass 2>&1 < /dev/null | head -n 1 || true)"; \
	    notes+="  $$named does not run: $${why:-no output}"$$'\n'; \
	  elif ! supported "$$minor"; then \
	    notes+="  $$named is Python $$full"$$'\n'; \
	  else \
	    found+="$${minor#*.} $$minor $$full $$candidate $$exe"$$'\n'; \
	  fi; \
	done; \
	found="$$(printf '%s' "$$found" | sort -s -k1,1nr | awk 'NF && !seen[$$5]++' || true)"; \
	refuse() { \
	  echo "$$1 sme-support runs on Python $(PYTHON_RANGE)." >&2; \
	  printf '%s' "$$notes" >&2; \
	  echo "Install one (Debian/Ubuntu: apt install python3.12 python3.12-venv, or whichever of them your release has;" >&2; \
	  echo "Fedora: dnf install python3.13; macOS: brew install python@3.13; pyenv: pyenv install 3.13)" >&2; \
	  echo "or point at it: make PYTHON=/path/to/python3.13 run" >&2; \
	  exit 1; \
	}; \
	if [ -n "$(PYTHON)" ] && [ -z "$$found" ]; then refuse "PYTHON=$(PYTHON) cannot be used:"; fi; \
	if [ -e $(VENV) ]; then \
	  read -r have have_full _ <<< "$$(probe $(PY))"; \
	  read -r _ want want_full _ <<< "$$found"; \
	  rebuild=""; \
	  if [ -z "$$have" ]; then rebuild="it does not run any more (was its Python upgraded or removed?)"; \
	  elif ! supported "$$have"; then rebuild="it runs Python $$have_full, outside $(PYTHON_RANGE)"; \
	  elif [ -n "$(PYTHON)" ] && [ "$$want" != "$$have" ]; then rebuild="it runs Python $$have_full and PYTHON=$(PYTHON) is $$want"; \
	  fi; \
	  if [ -n "$$rebuild" ]; then \
	    echo "Rebuilding $(VENV): $$rebuild."; rm -rf $(VENV); \
	  else \
	    echo "Python: $(VENV) runs Python $$have_full ($$(sed -n 's/^home = //p' $(VENV)/pyvenv.cfg 2>/dev/null || true))."; \
	    if [ -n "$$want" ] && [ "$${want#*.}" -gt "$${have#*.}" ]; then \
	      echo "  Python $$want_full is here too; to use it: rm -rf $(VENV) (or make distclean) and run make again."; \
	    fi; \
	  fi; \
	fi; \
	if [ ! -e $(VENV) ]; then \
	  [ -n "$$found" ] || refuse "No supported Python found:"; \
	  while read -r _ minor full candidate exe; do \
	    [ "$$exe" = "$$candidate" ] && named="$$candidate" || named="$$candidate ($$exe)"; \
	    echo "Creating $(VENV) with Python $$full: $$named"; \
	    if "$$exe" -m venv $(VENV); then break; fi; \
	    rm -rf $(VENV); \
	    echo "Could not create $(VENV) with $$candidate; on Debian/Ubuntu install python$$minor-venv." >&2; \
	  done <<< "$$found"; \
	  [ -e $(PY) ] || { echo "No supported Python could create $(VENV) (Python $(PYTHON_RANGE))." >&2; exit 1; }; \
	fi
	@if [ ! -f $(STAMP) ] || [ requirements.txt -nt $(STAMP) ] || [ requirements-dev.txt -nt $(STAMP) ]; then \
	  echo "$(PY) -m pip install -q -r requirements-dev.txt"; \
	  $(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt; \
	  touch $(STAMP); \
	fi

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
