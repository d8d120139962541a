# SWS: `make demo` runs the demo on SQLite; `make test` runs lint, the migrations check and the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: prod-smoke replica-test echarts restore-drill demo test install lint migrations-check pytest broker-test run e2e browser screenshots clean bench bench-smoke bench-tools bench-outbox bench-api bench-helpdesk

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# HOST=[addr:]port serves the demo elsewhere (e.g. HOST=127.0.0.1:8001); the port is checked before the
# database is migrated and seeded, so a busy port changes nothing.
demo: install
	DEBUG=true $(PY) manage.py check_demo_port $(HOST)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo --password sws-demo-2026 --address $(HOST)
	DEBUG=true TWO_FACTOR_OPTIONAL=true $(PY) manage.py runserver $(HOST)

run: install
	DEBUG=true TWO_FACTOR_OPTIONAL=true $(PY) manage.py runserver $(HOST)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	DJANGO_SETTINGS_MODULE=sws.test_settings $(PY) manage.py makemigrations --check --dry-run

# The suite runs on every core (pytest-xdist, one database per worker); PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto

pytest: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint migrations-check pytest

# Real Celery workers against Redis and PostgreSQL, one killed with SIGKILL mid-delivery
# (tests/notifications/test_worker_crash.py; marked `broker`, so `make pytest` leaves it out). Needs
# DATABASE_URL=postgres://… and Redis on 127.0.0.1:6379 (SWS_TEST_BROKER_URL to use another).
broker-test: install
	$(VENV)/bin/pytest -m broker tests/notifications

# The read replica (sws/db_router.py, docs/deploy.md): a primary and a streaming replica started from the
# machine's PostgreSQL 15 binaries in a scratch folder (deploy/smoke/pg-replica), the tests marked
# `replica` against them (replica paused, lagging, stopped), then both stopped and removed.
replica-test: install
	deploy/smoke/replica-test

# Browser tests (tests/e2e): Debian's headless chromium driven by Playwright for Python, against a live
# server; screenshots of the main pages go to screenshots/. `make browser` installs chromium (and Chinese
# fonts, so screenshots are legible) with apt when missing; nothing else is downloaded.
CHROMIUM ?= /usr/bin/chromium
E2E_ARGS ?=

browser:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@fc-list :lang=zh 2>/dev/null | grep -q . || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk) || echo "no Chinese font: screenshots show boxes"

e2e: install
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) not found: run 'make browser' first"; exit 1; }
	SWS_CHROMIUM=$(CHROMIUM) $(VENV)/bin/pytest tests/e2e -m e2e $(E2E_ARGS)

# The README's screenshots (docs/screenshots/, committed): first screens from the tour of the demo city.
README_SHOTS = station-dashboard-1440 queue-375 request-detail-375 intake-375 district-dashboard-1440 \
	public-intake-375 city-dashboard-1440 queue-1440

screenshots: install
	SWS_CHROMIUM=$(CHROMIUM) $(VENV)/bin/pytest tests/e2e/test_tour.py -m e2e
	mkdir -p docs/screenshots
	for shot in $(README_SHOTS); do cp screenshots/first-screen/$$shot.png docs/screenshots/; done

clean:
	rm -rf $(VENV) $(HELPDESK_VENV) db.sqlite3 staticfiles

# City-scale benchmark (docs/performance.md): PostgreSQL on 127.0.0.1:5432 (or DATABASE_URL), gunicorn, wrk.
BENCH_SIZES ?= 100000 1000000
BENCH_ARGS ?=

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

bench-tools: $(VENV)/.bench-installed
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) \
		|| echo "wrk could not be installed: the throughput part will be skipped"

bench: bench-tools
	$(PY) -m bench.run $(foreach n,$(BENCH_SIZES),--requests $(n)) --update-docs $(BENCH_ARGS)

bench-smoke: bench-tools
	$(PY) -m bench.run --smoke $(BENCH_ARGS)

# SWS beside django-helpdesk 2.6.1 (bench/compare.py, docs/performance.md): its own virtualenv, project
# (bench/helpdesk/) and database sws_bench_helpdesk_<N>, N tickets against SWS's city of N requests, both
# served by deploy/gunicorn.conf.py, requests alternating. HELPDESK_ARGS=--update-docs at N = 1,000,000.
HELPDESK_VENV ?= .venv-helpdesk
HELPDESK_N ?= 1000000
HELPDESK_ARGS ?=

$(HELPDESK_VENV)/.installed: bench/helpdesk/requirements.txt
	test -x $(HELPDESK_VENV)/bin/python || $(PYTHON) -m venv $(HELPDESK_VENV)
	$(HELPDESK_VENV)/bin/python -m pip install --quiet -r bench/helpdesk/requirements.txt
	touch $@

bench-helpdesk: $(VENV)/.bench-installed $(HELPDESK_VENV)/.installed
	$(PY) -m bench.compare --requests $(HELPDESK_N) --helpdesk-python $(HELPDESK_VENV)/bin/python $(HELPDESK_ARGS)

# Outbox throughput with one Celery worker (docs/jobs.md): PostgreSQL (DATABASE_URL) and Redis.
OUTBOX_MESSAGES ?= 20000
bench-outbox: install
	$(PY) -m bench.outbox --messages $(OUTBOX_MESSAGES)

# The API (docs/api.md): work orders accepted per second under gunicorn (2 workers) on PostgreSQL, and p95.
API_ORDERS ?= 2000
bench-api: bench-tools
	$(PY) -m bench.api --orders $(API_ORDERS)

# Backups that restore (deploy/backup/, docs/deploy.md): a small city seeded in a scratch PostgreSQL database,
# backed up with sws-backup, restored by restore-drill (migrations, row counts, ID numbers decrypt with the
# key), and refused with another key. Local PostgreSQL on 127.0.0.1:5432 (PG_URL for another server).
restore-drill: install
	deploy/smoke/restore-drill-demo

# The production stack on this machine (deploy/smoke/prod-smoke): nginx with a self-signed certificate,
# gunicorn (2 workers), a Celery worker, a PostgreSQL primary with a streaming replica (deploy/smoke/pg-replica)
# and Redis, all under a scratch folder; the browser's main flow over HTTPS, static files compressed, a
# message through the worker, dashboards read on the replica; then everything stopped.
# nginx is installed with apt when missing, as `make browser` installs chromium. Last, Lighthouse's mobile
# preset on the nine main pages, logged in (deploy/lighthouse/, Node 20 and npm; docs/performance.md):
# medians of LIGHTHOUSE_RUNS runs a page (3; about 8 minutes on a busy 2-core machine; 0 skips it), the
# summary in deploy/lighthouse/results/summary.json, and a failure below the targets (LIGHTHOUSE_RECORD_ONLY=1:
# reported, not failed).
NGINX_BIN ?= /usr/sbin/nginx
LIGHTHOUSE_RUNS ?= 3
LIGHTHOUSE_RECORD_ONLY ?=

prod-smoke: install browser
	@test -x $(NGINX_BIN) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)
	@test "$(LIGHTHOUSE_RUNS)" = 0 || command -v npm >/dev/null || { echo "npm not found: Node 20 runs Lighthouse (LIGHTHOUSE_RUNS=0 skips it)"; exit 1; }
	NGINX_BIN=$(NGINX_BIN) SWS_CHROMIUM=$(CHROMIUM) LIGHTHOUSE_RUNS=$(LIGHTHOUSE_RUNS) \
		LIGHTHOUSE_RECORD_ONLY=$(LIGHTHOUSE_RECORD_ONLY) deploy/smoke/prod-smoke

# The custom ECharts build (frontend/echarts/: only the charts and components static/js/charts.js uses),
# rebuilt from its lockfile into static/vendor/echarts/echarts.min.js (committed).
echarts:
	cd frontend/echarts && npm ci --no-audit --no-fund && npm run build
