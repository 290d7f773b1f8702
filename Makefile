# Comuna: `make demo` serves the demo network, `make test` runs every check and the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test check test-postgres test-browser bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	COMUNA_DEBUG=false $(BIN)/comuna migrate --noinput
	COMUNA_DEBUG=false $(BIN)/comuna load-geography
	COMUNA_DEBUG=false $(BIN)/comuna seed-demo
	COMUNA_DEBUG=false $(BIN)/comuna collectstatic --noinput --verbosity 0
	HOST=$(HOST) PORT=$(PORT) scripts/serve

test: install
	scripts/check
	$(BIN)/pytest -m "not browser" -q

check: install
	scripts/check

test-browser: install
	$(BIN)/pytest -m browser -q

bench: install
	$(BIN)/python bench/run.py

messages: install
	$(BIN)/python scripts/i18n.py extract

clean:
	rm -rf $(VENV) var/static
