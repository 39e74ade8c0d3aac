# The README's two commands: `make demo` (install, load the sample event, solve, publish, serve)
# and `make test` (install, run the whole suite). Both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pytest-xdist workers: one per core (CI and the team's machines have 2). WORKERS=0 runs in one process.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(WORKERS)

.PHONY: demo test test-fast test-db lint browser

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

# Every test, browser and slow ones included, spread over the cores: each test has its own database
# (file or PostgreSQL schema), temporary folder, loopback ports and Socket.IO channel.
test: $(BIN)/scheduler browser tests/js/node_modules
	$(BIN)/ruff check .
	$(PYTEST)

# The developers' lane while working: everything but the browser and slow tests.
test-fast: $(BIN)/scheduler
	$(PYTEST) -m "not slow and not browser"

# The database tests again, on the database named by DATABASE_URL (CI points it at PostgreSQL).
test-db: $(BIN)/scheduler
	$(PYTEST) -m db
