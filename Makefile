# Borgerservice — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
VENDOR := src/borgerservice/static/vendor
KLE_FILE ?= ../shared/data/os2kle/OS2KLE.txt
PG_URL ?= postgres://postgres@127.0.0.1:5432/borgerservice
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install static demo demo-data serve test test-sqlite test-postgres lint format \
        bench messages chromium clean

help:
	@echo "make demo   install everything, load Copenhagen data and demo users, start the server"
	@echo "make test   lint, then the whole suite on SQLite and (when it answers) PostgreSQL"
	@echo "make bench  benchmarks (PostgreSQL when it answers)"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Third-party front-end code comes from npm and is copied into the static files.
$(VENDOR)/.built: node_modules/.installed
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/dkfds $(VENDOR)/htmx $(VENDOR)/axe $(VENDOR)/chartjs
	cp -r node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/img $(VENDOR)/dkfds/
	mkdir -p $(VENDOR)/dkfds/fonts/IBMPlexSans
	cp -r node_modules/dkfds/dist/fonts/IBMPlexSans/complete $(VENDOR)/dkfds/fonts/IBMPlexSans/
	cp node_modules/dkfds/dist/LICENSE.md $(VENDOR)/dkfds/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map node_modules/chart.js/LICENSE.md $(VENDOR)/chartjs/
	touch $@

static: $(VENDOR)/.built

# Translations: the compiled .mo files are committed so no gettext is needed to run.
messages: install
	cd src/borgerservice && ../../$(PY) ../../manage.py makemessages -l da --no-obsolete \
	  --ignore "static/*"
	cd src/borgerservice && ../../$(PY) ../../manage.py compilemessages -l da

demo-data: install static
	DEMO=1 $(MANAGE) migrate --noinput
	DEMO=1 $(MANAGE) load_copenhagen
	@if [ -f "$(KLE_FILE)" ]; then DEMO=1 $(MANAGE) import_kle "$(KLE_FILE)"; \
	 else echo "No KLE file at $(KLE_FILE); run 'manage.py import_kle FILE' to add KLE keywords."; fi
	DEMO=1 $(MANAGE) ensure_roles
	DEMO=1 $(MANAGE) triage_train --if-none
	DEMO=1 $(MANAGE) make_demo_citizens --count 10000 --if-empty
	DEMO=1 $(MANAGE) make_demo_cases --count 300 --if-empty
	DEMO=1 $(MANAGE) make_demo_bookings --if-empty
	DEMO=1 $(MANAGE) make_demo_forms --if-empty
	DEMO=1 $(MANAGE) make_demo_queues --if-empty
	DEMO=1 $(MANAGE) make_demo_history --year $$(date +%Y) --scale 0.02 --if-empty --no-rollups
	DEMO=1 $(MANAGE) rollups --rebuild
	DEMO=1 $(MANAGE) collectstatic --noinput -v 0

demo: demo-data
	@DEMO=1 $(MANAGE) create_demo_staff
	DEMO=1 $(MANAGE) work_demo --if-empty
	DEMO=1 $(MANAGE) make_demo_inbox --if-empty
	@echo "Borgerservice runs on http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api-dokumentation/)"
	DEMO=1 $(MANAGE) runserver $(HOST):$(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq chromium)) ; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-sqlite: install static chromium
	env -u DATABASE_URL BORGERSERVICE_TESTING=1 $(PY) -m pytest

test-postgres: install static chromium
	BORGERSERVICE_TESTING=1 DATABASE_URL=$(PG_URL) $(PY) -m pytest

test: lint test-sqlite
	@if PG_URL=$(PG_URL) $(PY) bench/pg_available.py; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL does not answer on 127.0.0.1:5432; skipped the PostgreSQL run."; fi

bench: install static
	@if PG_URL=$(PG_URL) $(PY) bench/pg_available.py; then \
	  BENCH_DATABASE_URL=$(PG_URL)_bench $(PY) bench/run.py; \
	else echo "PostgreSQL does not answer; benchmarking on SQLite instead."; $(PY) bench/run.py; fi

clean:
	rm -rf $(VENDOR) staticfiles var .pytest_cache
