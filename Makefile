# SWS: `make demo` runs the demo on SQLite; `make test` runs lint, the migrations check and the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: demo test install lint migrations-check pytest run e2e clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo --password sws-demo-2026
	DEBUG=true $(PY) manage.py runserver $(HOST)

run: install
	DEBUG=true $(PY) manage.py runserver $(HOST)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	DJANGO_SETTINGS_MODULE=sws.test_settings $(PY) manage.py makemigrations --check --dry-run

pytest: install
	$(VENV)/bin/pytest

test: lint migrations-check pytest

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
