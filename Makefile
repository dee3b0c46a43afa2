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
.PHONY: help course html venv demo test execute learner lint format bench clean fuzz

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
	@echo "Installing minigrad[course,dev,torch,bench] into $(VENV) (torch is large; this takes a while once)..."
	$(PY) -m pip install --quiet --disable-pip-version-check --progress-bar off \
		$(PIP_ARGS) -e ".[course,dev,torch,bench]"
	@touch $@

course: $(STAMP) ## open the course in JupyterLab (127.0.0.1, token printed; Ctrl-C stops it)
	$(PY) -m minigrad.course.lab $(ARGS)

html: $(STAMP) ## execute every lesson and write a static HTML copy into site/
	$(PY) -m minigrad.course.html $(ARGS)

venv: $(STAMP) ## create .venv and install minigrad with dev tools and torch

demo: $(STAMP) ## curriculum examples in the terminal, each checked against torch
	$(PY) -m minigrad.demo $(ARGS)

# The lessons, validated by strict nbval (outputs compared; only memory addresses sanitised).
NBVAL   := --nbval course -p no:randomly --nbval-current-env \
	--nbval-sanitize-with course/nbval_sanitize.cfg

test: $(STAMP) ## run the test suite, then validate the course notebooks (strict nbval)
	@$(PY) -m pytest $(ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	$(PY) -m pytest $(NBVAL)

fuzz: $(STAMP) ## long differential fuzzing against torch: 21,000 random programs (~6 min)
	HYPOTHESIS_PROFILE=fuzz MINIGRAD_REQUIRE_TORCH=1 $(PY) -m pytest tests/fuzz/test_fuzz.py \
		-p no:randomly -p no:cacheprovider $(ARGS)

execute: $(STAMP) ## re-execute the lessons in place (ARGS=02 for one lesson)
	$(PY) -m minigrad.course execute $(ARGS)

learner: $(STAMP) ## write the learner copies (solutions removed) to course/learner
	$(PY) -m minigrad.course learner

lint: $(STAMP) ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP) ## all benchmarks side by side with torch/micrograd/torchviz -> BENCHMARKS.md
	$(PY) bench/run.py $(ARGS)

clean: ## remove .venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
