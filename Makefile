# Einblick — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test venv lint format messages demo check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

## Set up, migrate, load the demo region on an empty database, start server + task worker.
run: $(STAMP)
	$(PY) -m einblick migrate --noinput
	$(PY) -m einblick demo --if-empty
	$(PY) -m einblick collectstatic --noinput --verbosity 0
	EINBLICK_STAFF_2FA_REQUIRED=$${EINBLICK_STAFF_2FA_REQUIRED:-0} $(PY) -m einblick serve --host $(HOST) --port $(PORT)

## Set up and run the whole suite (browser tests run when Chromium is present).
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

## Update the translation catalogues (needs GNU gettext) and compile them.
messages: $(STAMP)
	cd src/einblick && ../../$(PY) -m einblick makemessages -l de -l en --no-obsolete --ignore "*/tests/*"
	cd src/einblick && ../../$(PY) -m einblick compilemessages

demo: $(STAMP)
	$(PY) -m einblick migrate --noinput
	$(PY) -m einblick demo --reset

check: $(STAMP)
	$(PY) -m einblick makemigrations --check --dry-run
	$(PY) -m einblick check

clean:
	rm -rf var $(VENV)
