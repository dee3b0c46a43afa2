# minigrad: every target makes and uses a local virtualenv in .venv by itself.
# The venv is created once and refreshed whenever pyproject.toml changes.

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.minigrad-installed
# Extra arguments for pip, e.g. PIP_ARGS="--extra-index-url <a CPU-only torch index>"
PIP_ARGS ?=
# Extra arguments for the command a target runs, e.g. make test ARGS="-k grad"
ARGS    ?=

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint format bench clean

help: ## list the targets
	@echo "minigrad -- make targets (each one creates .venv on first use):"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-7s %s\n", $$1, $$2}'
	@echo "Pass extra arguments with ARGS=..., e.g. make test ARGS='-k backward'."

$(PY):
	$(PYTHON3) -m venv $(VENV) || { \
		echo "error: '$(PYTHON3) -m venv' failed (on Debian/Ubuntu: apt install python3-venv)" >&2; \
		rm -rf $(VENV); exit 1; }

# minigrad (editable) + dev tools + torch, the oracle; torch is always pinned in pyproject.toml.
$(STAMP): pyproject.toml | $(PY)
	@echo "Installing minigrad[dev,torch] into $(VENV) (torch is large; this takes a while once)..."
	$(PY) -m pip install --quiet --disable-pip-version-check --progress-bar off \
		$(PIP_ARGS) -e ".[dev,torch]"
	@touch $@

venv: $(STAMP) ## create .venv and install minigrad with dev tools and torch

demo: $(STAMP) ## run the demo (python -m minigrad.demo); will open the course once it exists
	$(PY) -m minigrad.demo $(ARGS)

test: $(STAMP) ## run the test suite (pytest exit code 5, "no tests collected", fails)
	@$(PY) -m pytest $(ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	exit $$rc

lint: $(STAMP) ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP) ## benchmark minigrad against torch (ARGS=--quick for a short run)
	$(PY) bench/bench_engine.py $(ARGS)

clean: ## remove .venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
