# Rakor — one Makefile for the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: venv test test-fast run bench lint clean openapi secrets

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## make test: the whole suite (unit, integration, e2e, reliability) against the real broker and databases.
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## make test-fast: pure unit tests only.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

## make run: every process of the suite on this machine, SQLite under var/, local RabbitMQ.
run: $(STAMP)
	$(BIN)/python -m deploy.dev_runner

## make secrets: a .env for docker compose with random passwords and tokens (refuses to overwrite one).
secrets:
	$(PYTHON) -m deploy.make_secrets

## make openapi: regenerate the committed openapi.json of each service.
openapi: $(STAMP)
	$(BIN)/python -m deploy.export_openapi

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var .pytest_cache
