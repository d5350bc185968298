# One entry point for the dev loop. Everything runs from a local virtualenv made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MONTH ?= 2018-10

.PHONY: setup run test lint bench sample clean

$(BIN)/cpmetrics: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(BIN)/cpmetrics

## run: the main job on the bundled sample data (uses cpmetrics.toml)
run: setup
	$(BIN)/cpmetrics compute --month $(MONTH)

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/python -m ruff check src tests bench
	$(BIN)/python -m ruff format --check src tests bench
	$(BIN)/python -m mypy

## sample: regenerate the committed synthetic extract (deterministic)
sample: setup
	$(BIN)/cpmetrics sample --seed 2018 --out sample_data/cp_plans.csv

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
