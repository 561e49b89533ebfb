# Quick start: `make demo`, then `make test`. Both create .venv/ in the repo root on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITREP := $(BIN)/sitrep

.PHONY: demo test lint typecheck unit install dev clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## demo: install, ingest the bundled example corpus into sitrep.db, print the events, write the report
demo: install
	$(SITREP) ingest examples/ --db sitrep.db
	$(SITREP) report --db sitrep.db --date 2024-12-09 --days 13 --out report.html --alerts examples/alerts.yaml
	@echo "Open report.html in a browser; for the map, run: $(SITREP) serve --db sitrep.db --alerts examples/alerts.yaml  (then http://127.0.0.1:8000/)"

## test: ruff, mypy and pytest
test: dev lint typecheck unit

lint:
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck:
	$(BIN)/mypy

unit:
	$(BIN)/pytest -q

bench: install
	$(BIN)/python benchmarks/bench_spacy.py

clean:
	rm -rf $(VENV) sitrep.db sitrep.db-wal sitrep.db-shm .mypy_cache .pytest_cache .ruff_cache
