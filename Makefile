# One entry point for the dev loop. Everything runs from a local virtualenv made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MONTH ?= 2018-10
# Real files from other projects and the open data as downloaded: beside the clone, not in it.
SHARED ?= ../shared

.PHONY: setup run test test-samples test-browser lint bench sample clean

$(BIN)/cpmetrics: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(BIN)/cpmetrics

## run: the main job on the bundled sample data (uses cpmetrics.toml)
run: setup
	$(BIN)/cpmetrics compute --month $(MONTH)

## test: the project's own tests (tests/); they need nothing beside the clone
test: setup
	$(BIN)/python -m pytest -q

## test-samples: the checks against ../shared (public sample files, open data as downloaded); CI
test-samples: setup
	@if [ ! -d "$(SHARED)/reference" ] || [ ! -d "$(SHARED)/samples" ]; then \
		echo "make test-samples: needs $(SHARED)/reference and $(SHARED)/samples beside this clone" \
			"(set SHARED=PATH to use another folder); 'make test' needs nothing beside it" >&2; \
		exit 1; \
	fi
	CPMETRICS_SHARED="$(SHARED)" $(BIN)/python -m pytest -q tests_samples

## test-browser: the HTML report opened in the system's Chromium (apt-get install chromium),
## driven by playwright (never 'playwright install'); a screenshot goes to artefacts/
test-browser: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	$(BIN)/python -m pytest -q tests_browser

lint: setup
	$(BIN)/python -m ruff check src tests tests_samples tests_browser bench
	$(BIN)/python -m ruff format --check src tests tests_samples tests_browser bench
	$(BIN)/python -m mypy

## sample: regenerate the committed synthetic extract (deterministic)
sample: setup
	$(BIN)/cpmetrics sample --seed 2018 --out sample_data/cp_plans.csv \
		--reviews sample_data/cp_reviews.csv --visits sample_data/cp_visits.csv

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info artefacts
