# Two commands on a fresh machine: `make run` (service with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint format bench clean i18n i18n-check

run: $(VENV)/.installed
	$(BIN)/gridcast up

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n auto --maxprocesses=4

lint: $(VENV)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && $(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# After changing a console text or a domain error: extract every text into the catalogs, then fill in the new
# Chinese msgstr entries in gateway/console/translations/zh_Hans/LC_MESSAGES/messages.po (docs/translations.md).
i18n: $(VENV)/.installed
	$(BIN)/python -m gateway.console.catalog_tool update

i18n-check: $(VENV)/.installed
	$(BIN)/python -m gateway.console.catalog_tool check

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

clean:
	rm -rf $(VENV) var
