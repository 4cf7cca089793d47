# Two entry points for a fresh machine: `make demo` (the main job) and `make test` (the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= kg-data

.PHONY: install demo test lint bench bench-full clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/kg

install: $(BIN)/kg

demo: install
	rm -rf $(STORE)
	$(BIN)/kg ingest examples/articles --store $(STORE)
	$(BIN)/kg validate --store $(STORE)
	$(BIN)/kg ask switched-away-from --store $(STORE)
	$(BIN)/kg ask causal-claims --store $(STORE) --format table
	$(BIN)/kg export --store $(STORE) --format turtle --out $(STORE)/graph.ttl
	@echo "Turtle export written to $(STORE)/graph.ttl"

lint: install
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/run.py --sizes small

bench-full: install
	$(BIN)/python bench/run.py --sizes full

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache .mypy_cache .ruff_cache
