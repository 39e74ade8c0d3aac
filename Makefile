# The README's two commands: `make demo` (install, load the sample event, solve, publish, serve)
# and `make test` (install, run the whole suite). Both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-db lint browser

$(BIN)/scheduler: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/scheduler
	$(BIN)/scheduler demo

# Headless Chromium for the browser tests comes from Debian, never from a browser download.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

tests/js/node_modules: tests/js/package-lock.json
	cd tests/js && npm ci --silent --no-audit --no-fund
	touch $@

test: $(BIN)/scheduler browser tests/js/node_modules
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The database tests again, on the database named by DATABASE_URL (CI points it at PostgreSQL).
test-db: $(BIN)/scheduler
	$(BIN)/python -m pytest -m db
