# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONUNBUFFERED := 1
export FLASK_APP := wsgi

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Aniworld needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

## run: install everything and start web + worker (+ embedded Redis unless REDIS_URL is set)
run: $(VENV)/.runtime-installed
	$(BIN)/honcho start -f Procfile

## test: install the test dependencies, lint, and run the whole test suite
test: $(VENV)/.dev-installed
	$(BIN)/ruff check aniworld tests bench wsgi.py
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check aniworld tests bench wsgi.py

## bench: print the benchmark figures
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.queue_scale

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
