# simpipe — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)
# Tests and pipelines run offline: models come from PyPI packages, data from data/raw/.
export HF_HUB_DISABLE_TELEMETRY := 1
export DO_NOT_TRACK := 1

.DEFAULT_GOAL := help
.PHONY: help install data params repro sweep runs bench test test-fast lint format mlflow-ui clean

help:  ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install simpipe with pinned dependencies

data: install  ## put the raw data sets in data/raw/ (local mirror ../shared/data, else the hub)
	simpipe fetch

params: install  ## regenerate params.yaml from conf/ (commit the result)
	simpipe params

repro: data  ## reproduce every variant: prepare -> train -> evaluate -> comparison -> card -> report (dvc repro)
	dvc repro

sweep: data  ## the GloVe grid sweep (conf/search/glove_grid.yaml), 2 jobs at a time, nested MLflow runs
	python -m simpipe.sweep -m search=glove_grid

runs: install  ## table + Spearman-curve chart of the newest MLflow runs (reports/runs/)
	simpipe runs

bench: data  ## benchmarks side by side -> bench/RESULTS.md, bench/results.json
	python -m bench.run

test: install  ## run the whole test suite (unit + slow end-to-end)
	pytest

test-fast: install  ## run the unit tests only
	pytest -m "not slow"

lint: install  ## ruff lint and format check
	ruff check src tests bench
	ruff format --check src tests bench

format: install  ## apply ruff fixes and formatting
	ruff check --fix src tests bench
	ruff format src tests bench

mlflow-ui: install  ## open the MLflow UI on http://127.0.0.1:5000 over ./mlflow.db
	mlflow ui --backend-store-uri sqlite:///mlflow.db --host 127.0.0.1 --port 5000

clean:  ## remove pipeline outputs (not the virtualenv, not the DVC cache)
	rm -rf data/prepared trained models metrics outputs multirun
