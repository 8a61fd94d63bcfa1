# The two commands a new user runs: `make demo` and `make test`.
# Both create .venv on first use (and reuse it), installing torch's CPU build first so
# that no CUDA build of several GB is ever pulled in.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.skfeat-installed
TORCH ?= torch==2.13.0
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: install test test-all demo lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install "$(TORCH)" 2>&1 | grep -v "^WARNING: Location" || true
	$(PIP) install -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import torch, skorch, sklearn, shap, skfeat"
	@touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

test-all: $(STAMP)
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/python examples/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_speed --model fm
	$(BIN)/python -m benchmarks.bench_frappe --model fm

clean:
	rm -rf $(VENV) build *.egg-info

# Build the HTML docs (runs every examples/plot_*.py); warnings are errors.
.PHONY: docs
docs: $(STAMP)
	$(PIP) install -e ".[docs]" 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html
