# The two commands: `make run` and `make test`. Everything is installed by this file.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev venv migrate load demo serve worker beat lint format messages check-deploy e2e reliability unit clean

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/activate requirements.txt
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The compiled catalogue (locale/fr/LC_MESSAGES/django.mo) is committed, so a machine without gettext
# runs the platform; after editing django.po, run `make messages` (needs gettext's msgfmt).
messages: install
	$(PY) manage.py compilemessages --ignore=.venv -v0

migrate: install
	$(PY) manage.py migrate --noinput -v0

load: migrate
	$(PY) manage.py load_background_paper

demo: load
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_monitoring_demo
	$(PY) manage.py publish_demo_replies
	$(PY) manage.py seed_stakeholders_demo
	$(PY) manage.py seed_followup_demo
	$(PY) manage.py build_reports --consultation emerging-technologies-2024 --scope overview --scope theme:generative-ai --scope article:20 --publish --missing
	$(PY) manage.py publish_public_report --consultation emerging-technologies-2024 --scope overview

serve:
	$(PY) manage.py runserver $(HOST):$(PORT)

## make run: set up everything on SQLite, then serve on http://$(HOST):$(PORT) with a Celery worker (and beat)
## beside the web server, on a broker made of files under var/celery/ (no Redis); Ctrl-C stops both.
run: demo
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) -m config.launcher --host $(HOST) --port $(PORT)

## make test: install the test tools and run the whole suite (unit, e2e, reliability)
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

unit: install-dev
	$(PY) -m pytest -m "not e2e and not reliability" $(PYTEST_ARGS)

e2e: install-dev
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

reliability: install-dev
	$(PY) -m pytest -m reliability $(PYTEST_ARGS)

## make worker: a Celery worker with the beat scheduler, on CELERY_BROKER_URL (redis://...) or, without it, on the
## files under var/celery/ that `make serve` publishes to (`make run` already starts one: do not run both).
worker: install
	$(VENV)/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 --without-mingle --without-gossip --without-heartbeat

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

## make lint: ruff (lint and format) and mypy with django-stubs on the modules listed in pyproject.toml, [tool.mypy]
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

makemessages: install
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=staticfiles --no-obsolete

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	ALLOWED_HOSTS=consultations.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 var
