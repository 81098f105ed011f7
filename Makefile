# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ha]'
	touch $(STAMP)

## The service on the embedded default (a SQLite file with demo data) at http://127.0.0.1:8000
serve: $(STAMP)
	$(BIN)/convo serve

## Lint, types and the whole test suite (SQLite and PostgreSQL)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadscope

## Benchmarks on PostgreSQL, with ratios against a baseline measured in the same run
bench: $(STAMP)
	$(BIN)/python -m bench
