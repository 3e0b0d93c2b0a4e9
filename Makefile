# egov – one command to try it, one to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
MANAGE := $(BIN)/python manage.py
PYTEST_MARK ?=
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
export EGOV_VAR_DIR ?= $(CURDIR)/var

.PHONY: help install install-dev demo demo-check demo-prepare test lint typecheck migrations-check \
        messages messages-update pytest clean

help:
	@echo "make demo        – install, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "make demo-check  – the same without blocking: seed twice, fetch the main pages, stop"
	@echo "make test        – dev tools, ruff, migrations check, mypy, the whole pytest suite"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the dependency list or the lock changes.
$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed package.json package-lock.json
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogues (.mo) are build products: only the .po files are in git.
messages: install
	$(MANAGE) compilemessages --settings egov.config.test_settings --verbosity 0 \
		--ignore '.venv' --ignore 'node_modules' --ignore 'var'

# After changing user-facing text: refresh the English catalogue, then translate the new entries.
messages-update: install
	cd egov && ../$(MANAGE:manage.py=../manage.py) makemessages -l en --ignore '*/migrations/*' \
		--settings egov.config.test_settings

demo-prepare: install messages
	EGOV_PROFILE=demo $(MANAGE) migrate --no-input --verbosity 0
	EGOV_PROFILE=demo $(MANAGE) collectstatic --no-input --verbosity 0
	EGOV_PROFILE=demo $(MANAGE) seed_demo

demo: demo-prepare
	@echo "egov demo: http://127.0.0.1:8000  (Ctrl+C stops the web server and the task worker)"
	EGOV_PROFILE=demo PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile start

demo-check: install messages
	$(BIN)/python scripts/demo_check.py

lint: install-dev
	$(BIN)/ruff check egov signing_agent tests bench scripts
	$(BIN)/ruff format --check egov signing_agent tests bench scripts

migrations-check: install-dev
	EGOV_PROFILE=test $(MANAGE) makemigrations --check --dry-run --settings egov.config.test_settings

typecheck: install-dev
	$(BIN)/mypy egov signing_agent

pytest: install-dev messages
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(if $(PYTEST_MARK),-m "$(PYTEST_MARK)") $(PYTEST_ARGS)

test: lint migrations-check typecheck pytest

clean:
	rm -rf $(VENV) node_modules var/static
