# The two commands of the README: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Django 6 needs Python 3.12 or newer: take the newest one on the PATH (or in pyenv).
PYTHON ?= $(shell for c in python3.14 python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$c; break; fi; done)

# Every target here is local development (the demo, the tests, the benchmarks), so Django runs
# in its development configuration unless DEBUG is set; deployments leave DEBUG off.
export DEBUG ?= true

.PHONY: run test setup static migrate demo lint check-python clean bench

# The web server, a Celery worker and beat (the schedule), together (Procfile, honcho); Ctrl-C
# stops all three. Without REDIS_URL the broker is a folder, var/celery. PORT: the web's port.
PORT ?= 8000
run: setup static migrate demo
	$(VENV)/bin/honcho start --port $(PORT)

# The tests, shared among the machine's cores by file (pytest-xdist): a module's tests share
# one process, so a fixture made once for the module is made once, and the real-services
# tests, which share one broker, never run side by side. The files go out in the order they
# are collected, the longest first (tests/conftest.py). `PYTEST_ARGS="-n 0"`: one process.
test: setup static
	$(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

setup: $(VENV)/.installed

check-python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6 requires it); none was found." >&2; exit 1; }

$(VENV)/.installed: pyproject.toml | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The front end is built, and the static files collected, only when what they come from has
# changed (about 20 s each time otherwise): the build writes static/build/app.css, and
# collectstatic writes the manifest, staticfiles/staticfiles.json, each time it runs.
static: staticfiles/staticfiles.json

static/build/app.css: static/build.mjs $(shell find static/src -type f) node_modules/.installed
	npm run --silent build

staticfiles/staticfiles.json: static/build/app.css $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput -v0

migrate: setup
	$(PY) manage.py migrate --noinput

demo: setup
	$(PY) manage.py load_demo

# Page timings at scale (docs/benchmarks.md): on DATABASE_URL if set, else bench.sqlite3.
bench: setup static
	$(PY) manage.py bench

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) node_modules static/build staticfiles
