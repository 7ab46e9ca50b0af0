# Rakor — one Makefile for the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: venv test test-pgbouncer test-cluster test-fast run bench lint lint-fix clean openapi lock swagger-ui secrets

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
## The PgBouncer variants of the database tests have their own target (they add about six minutes).
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not pgbouncer" $(PYTEST_ARGS)

## make test-pgbouncer: the registration, streaming and notification paths again through PgBouncer in
## transaction pooling mode (Debian's pgbouncer on PATH), and 200 simultaneous registrations through it.
test-pgbouncer: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m pgbouncer $(PYTEST_ARGS)

## make test-cluster: the tests marked `cluster` (a three-node RabbitMQ cluster started on this machine,
## two of every process under load through node and process kills; a few minutes). `make test` skips them.
test-cluster: $(STAMP)
	$(BIN)/python -m pytest -m cluster tests/cluster -p no:cacheprovider $(PYTEST_ARGS)

## make lint: ruff's linter and formatter check over the tree, and the import-linter contracts (the suite runs them too).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make lint-fix: let ruff fix what it safely can and format the tree.
lint-fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

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

## make lock: regenerate requirements.lock (what the Docker image installs) from pyproject.toml.
## Pins already in the lock are kept unless pyproject.toml rules them out; delete a line to upgrade it.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--generate-hashes --custom-compile-command "make lock" --quiet -o requirements.lock

## make swagger-ui: vendor the Swagger UI assets the /docs pages load (no CDN) from npm's swagger-ui-dist.
SWAGGER_UI_VERSION ?= 5.35.0
SWAGGER_UI_DIR := shared/web/static/swagger-ui
swagger-ui:
	rm -rf var/swagger-ui && mkdir -p var/swagger-ui $(SWAGGER_UI_DIR)
	cd var/swagger-ui && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) && tar -xzf swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz
	cd var/swagger-ui/package && cp LICENSE NOTICE swagger-ui.css swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt \
		swagger-ui-standalone-preset.js swagger-ui-standalone-preset.js.LICENSE.txt $(CURDIR)/$(SWAGGER_UI_DIR)/
	echo "swagger-ui-dist $(SWAGGER_UI_VERSION) (npm), vendored by \`make swagger-ui\`" > $(SWAGGER_UI_DIR)/VERSION

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var .pytest_cache
