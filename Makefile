# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONUNBUFFERED := 1
export FLASK_APP := wsgi

.PHONY: run test lint bench clean chromium translations

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
test: $(VENV)/.dev-installed chromium
	$(BIN)/ruff check aniworld tests bench wsgi.py
	$(BIN)/python -m pytest

## chromium: the browser tests drive Debian's Chromium; install it when missing and permitted
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    || echo "WARNING: could not install chromium; THE BROWSER TESTS WILL BE SKIPPED"; \
	else \
	  echo "WARNING: /usr/bin/chromium is missing and this user cannot apt-get install it;"; \
	  echo "WARNING: THE BROWSER TESTS WILL BE SKIPPED (run: sudo apt-get install chromium)"; \
	fi

## translations: extract the marked strings, merge them into the catalogues, compile the .mo files
translations: $(VENV)/.dev-installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k N_ -k Phrase -o aniworld/translations/messages.pot \
	  --no-location --sort-output --width 100 --project Aniworld --copyright-holder "Aniworld" .
	$(BIN)/pybabel update -i aniworld/translations/messages.pot -d aniworld/translations \
	  --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile --use-fuzzy -d aniworld/translations --statistics

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check aniworld tests bench wsgi.py

## bench: print the benchmark figures
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.queue_scale

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
