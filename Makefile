# Rakor — one Makefile for the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: venv test test-fast run bench lint clean openapi lock

# The first install takes a few minutes: pip's own progress is shown, one line per step.
$(STAMP): pyproject.toml
	@echo "==> creating the virtualenv in $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> installing Rakor with its dev and test dependencies (first time: a few minutes)"
	$(BIN)/pip install --progress-bar on -e '.[dev,test]'
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

## make openapi: regenerate the committed openapi.json of each service.
openapi: $(STAMP)
	$(BIN)/python -m deploy.export_openapi

## make lock: regenerate requirements.lock (what the Docker image installs) from pyproject.toml.
## Pins already in the lock are kept unless pyproject.toml rules them out; delete a line to upgrade it.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--generate-hashes --custom-compile-command "make lock" --quiet -o requirements.lock

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var .pytest_cache
