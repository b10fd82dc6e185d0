# Mocklane: `make run` serves the app, `make test` runs the whole suite. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP_FLAGS ?= --disable-pip-version-check -q
# Every target here is development: DEBUG on, so the development key and debug pages are used and
# the production refusals (config/security.py) do not apply. Production: docs/deployment.md.
export DEBUG := on

.PHONY: run test install build migrate content lint format screenshot bench clean

run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install build migrate
	$(PY) manage.py seed_demo --port $(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(VENV)/bin/uvicorn config.asgi:application --host 127.0.0.1 --port $(PORT)

test: install build
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd frontend && npm test --silent
	$(VENV)/bin/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed frontend/node_modules/.installed

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) --upgrade pip
	$(PY) -m pip install $(PIP_FLAGS) -r requirements.lock
	touch $@

frontend/node_modules/.installed: frontend/package-lock.json
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error("Node 20.19 or newer is needed (found " + process.version + ")"); process.exit(1) }'
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

FRONTEND_SOURCES := $(shell find frontend/src frontend/scripts -type f 2>/dev/null) frontend/vite.config.js frontend/package.json
build: static/app/room.js

static/app/room.js: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_content

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

screenshot: install build
	$(PY) docs/screenshot.py

bench: install build
	$(PY) -m bench.board_sync --quick
	$(PY) bench/board_history.py
	$(PY) bench/evidence.py
	$(PY) bench/evidence_quality.py
	$(PY) bench/board_export.py
	$(PY) bench/transcribe.py --repeat 1

clean:
	rm -rf $(VENV) frontend/node_modules static/app staticfiles .mypy_cache
