# The README's two commands: `make demo` (install, load the sample event, solve, publish, serve)
# and `make test` (install, run the whole suite). Both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pytest-xdist workers: one per core (CI and the team's machines have 2). WORKERS=0 runs in one process.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(WORKERS)

.PHONY: demo test test-fast test-db lint browser mutation lock audit translations

# Installs are reproducible: every package at the version and hash of the lock files, compiled from
# pyproject.toml's lower bounds by `make lock` (pip-tools). requirements.lock is what running needs
# (setuptools included, to install the service itself); requirements-test.lock adds the test tools.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
PIP_COMPILE := $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links

# What running needs: `make demo` installs only this (say what is happening: it takes a while).
$(BIN)/scheduler: pyproject.toml $(LOCK)
	@echo "==> Creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Installing the service and what it runs on (OR-Tools, Flask, ...): a few minutes the first time"
	$(BIN)/pip install --progress-bar off --upgrade pip
	# --no-compile: Python compiles what it imports when it first does; compiling every file of
	# OR-Tools, pandas and numpy up front cost the demo's first start a large share of its install.
	$(BIN)/pip install --progress-bar off --no-compile --require-hashes -r $(LOCK)
	$(BIN)/pip install --progress-bar off --no-deps --no-build-isolation -e .
	touch $@

# The test tools on top (pytest, Playwright, linters ...), for `make test` and development.
$(BIN)/pytest: $(BIN)/scheduler $(TEST_LOCK)
	@echo "==> Installing the test tools"
	$(BIN)/pip install --progress-bar off --require-hashes -r $(TEST_LOCK)
	touch $@

# Compile the lock files again after a change to pyproject.toml's dependencies (needs the index).
lock: $(BIN)/pytest
	$(PIP_COMPILE) -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra test --extra production -c $(LOCK) -o $(TEST_LOCK) pyproject.toml

# The locked packages against pip-audit's vulnerability database; says so plainly when it could not
# check (exit 2), never "no known vulnerabilities" then (tools/dependency_audit.py).
audit: $(BIN)/pytest
	$(BIN)/python -m tools.dependency_audit $(LOCK) $(TEST_LOCK)

# `make demo PORT=8000` when port 5000 is taken.
PORT ?= 5000
demo: $(BIN)/scheduler
	@echo "==> Starting the demo: load the sample event, publish it (the first time), serve it"
	$(BIN)/scheduler demo --port $(PORT)

# Headless Chromium for the browser tests comes from Debian, never from a browser download; with
# the Noto fonts, so that Arabic, Chinese and Cyrillic pages show real glyphs (and gettext's msgfmt
# for the catalogue test).
FONTS := fonts-noto-core fonts-noto-cjk
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v msgfmt >/dev/null \
		&& dpkg -s $(FONTS) >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver gettext $(FONTS))

# The interface's catalogues (docs/languages.md): extract the strings into messages.pot, bring every
# language's .po up to date with it, compile them (the app also compiles a stale .mo when it starts).
translations: $(BIN)/scheduler
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --project="WSIS+20 agenda" -k lazy_gettext -k translatable \
		-o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d webapp/translations --statistics

tests/js/node_modules: tests/js/package-lock.json
	cd tests/js && npm ci --silent --no-audit --no-fund
	touch $@

# Every test, browser and slow ones included, spread over the cores: each test has its own database
# (file or PostgreSQL schema), temporary folder, loopback ports and Socket.IO channel.
test: $(BIN)/pytest browser tests/js/node_modules
	$(BIN)/ruff check .
	$(PYTEST)

# The developers' lane while working: everything but the browser and slow tests.
test-fast: $(BIN)/pytest
	$(PYTEST) -m "not slow and not browser"

# The database tests again, on the database named by DATABASE_URL (CI points it at PostgreSQL).
test-db: $(BIN)/pytest
	$(PYTEST) -m db

# Mutation testing (docs/testing.md): every module of [tool.mutation.lanes] in pyproject.toml, or one
# (make mutation MODULE=scheduler/check.py), each against its fast tests; scores go into docs/testing.md.
mutation: $(BIN)/scheduler
	$(BIN)/python -m tests.mutation $(MODULE)
