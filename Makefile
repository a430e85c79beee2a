# The interface to ResearchHub: make run, make test, make lint, make bench.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.13 (or 3.12): from PATH, else from pyenv's versions.
PYTHON ?= $(shell for p in python3.13 python3.12; do $$p -c 'import sys' >/dev/null 2>&1 && { command -v $$p; exit; }; done; \
	for v in 3.13 3.12; do d=$$(ls -d $$HOME/.pyenv/versions/$$v.*/bin 2>/dev/null | tail -1); \
	[ -n "$$d" ] && { echo $$d/python3; exit; }; done)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Parallel test workers (pytest-xdist): one per core by default; TEST_WORKERS=0 runs in one
# process.
TEST_WORKERS ?= auto

.PHONY: help install run test lint format schema permissions migrate demo bench bench-smoke clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or 3.13 is needed" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput

demo: migrate ## Load the demo workspace (idempotent)
	$(MANAGE) seed_demo

run: demo ## Serve the demo on http://127.0.0.1:8000 (embedded: SQLite, tasks inline)
	DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed ## Run the whole test suite
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(VENV)/.installed ## Regenerate docs/openapi.yaml from the code
	$(MANAGE) spectacular --validate --fail-on-warn --file docs/openapi.yaml
	$(BIN)/openapi-spec-validator docs/openapi.yaml

permissions: $(VENV)/.installed ## Regenerate docs/permissions.md from tests/access/matrix.py
	$(BIN)/python -m tests.access.render

bench: $(VENV)/.installed ## Run the benchmarks and print one table (see bench/README.md)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	$(BIN)/python bench/run.py

bench-smoke: $(VENV)/.installed ## Every benchmark on tiny data, figures not judged (CI runs it)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	BENCH_SMOKE=1 $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .test-db-*.sqlite3 staticfiles
