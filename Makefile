# The README's two commands: `make demo` (install, load the sample event, solve, publish, serve)
# and `make test` (install, run the whole suite). Both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pytest-xdist workers: one per core (CI and the team's machines have 2). WORKERS=0 runs in one process.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(WORKERS)

.PHONY: demo test test-fast test-db lint browser mutation translations

# What running needs: `make demo` installs only this (say what is happening: it takes a while).
$(BIN)/scheduler: pyproject.toml
	@echo "==> Creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Installing the service and what it runs on (OR-Tools, Flask, ...): a few minutes the first time"
	$(BIN)/pip install --progress-bar off --upgrade pip
	$(BIN)/pip install --progress-bar off -e .
	touch $@

# The test tools on top (pytest, Playwright, linters ...), for `make test` and development.
$(BIN)/pytest: $(BIN)/scheduler
	@echo "==> Installing the test tools"
	$(BIN)/pip install --progress-bar off -e '.[test]'
	touch $@

demo: $(BIN)/scheduler
	@echo "==> Starting the demo: load the sample event, publish it (the first time), serve it"
	$(BIN)/scheduler demo

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
