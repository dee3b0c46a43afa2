# minigrad: every target makes and uses a local virtualenv in .venv by itself.
# The venv is created once; each target installs what it needs into it once (a stamp file per
# set of extras, refreshed whenever pyproject.toml changes):
#   course -> minigrad[course]          JupyterLab, diagrams, widgets; no torch, no test tools
#   test   -> minigrad[test]            + pytest, ruff, nbval, playwright, torch==2.13.0
#   bench  -> minigrad[test,bench]      + micrograd, torchviz, pyinstrument
#   classroom -> minigrad[classroom]    the course + JupyterHub, idle culler, nbgrader; and
#                                       configurable-http-proxy (npm ci in classroom/)
# `make course` after `make test` reuses the venv; `make test` after `make course` only adds.
# The tools in tools/ (launcher, static site, notebook tooling) run from this folder.

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
COURSE_STAMP := $(VENV)/.installed-course
TEST_STAMP   := $(VENV)/.installed-test
BENCH_STAMP  := $(VENV)/.installed-bench
CLASSROOM_STAMP := $(VENV)/.installed-classroom
# configurable-http-proxy for the class hub, from npm at the versions of package-lock.json.
PROXY_INSTALL := cd classroom && npm ci --no-audit --no-fund --loglevel=error
PIP     := $(PY) -m pip install --quiet --disable-pip-version-check --progress-bar off
# Extra arguments for pip, e.g. PIP_ARGS="--extra-index-url <a CPU-only torch index>"
PIP_ARGS ?=
# Extra arguments for the command a target runs, e.g. make test ARGS="-k grad"
ARGS    ?=

.DEFAULT_GOAL := help
.PHONY: help course html venv demo test execute learner lint format bench clean fuzz classroom

help: ## list the targets
	@echo "minigrad -- make targets (each one creates .venv on first use):"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-7s %s\n", $$1, $$2}'
	@echo "Pass extra arguments with ARGS=..., e.g. make test ARGS='-k backward'."

$(PY):
	$(PYTHON3) -m venv $(VENV) || { \
		echo "error: '$(PYTHON3) -m venv' failed (on Debian/Ubuntu: apt install python3-venv)" >&2; \
		rm -rf $(VENV); exit 1; }

# minigrad (editable) with what the course needs: JupyterLab, graphviz-pure, ipywidgets.
$(COURSE_STAMP): pyproject.toml | $(PY)
	@echo "Installing minigrad[course] into $(VENV) (JupyterLab; about a minute once)..."
	$(PIP) $(PIP_ARGS) -e ".[course]"
	@touch $@

# ... plus the test tools and torch, the oracle (always pinned in pyproject.toml). Whatever
# [course] installed stays; pip adds the rest. [test] contains [course] and [classroom], so
# their stamps are set too; the proxy is installed for the class hub's load test.
$(TEST_STAMP): pyproject.toml classroom/package-lock.json | $(PY)
	@echo "Installing minigrad[test] into $(VENV) (torch is large; this takes a while once)..."
	$(PIP) $(PIP_ARGS) -e ".[test]"
	$(PROXY_INSTALL)
	@touch $@ $(COURSE_STAMP) $(CLASSROOM_STAMP)

# The class hub: JupyterHub, its idle culler and nbgrader, with the course; and the proxy.
$(CLASSROOM_STAMP): pyproject.toml classroom/package-lock.json | $(PY)
	@echo "Installing minigrad[classroom] and configurable-http-proxy (npm)..."
	$(PIP) $(PIP_ARGS) -e ".[classroom]"
	$(PROXY_INSTALL)
	@touch $@ $(COURSE_STAMP)

# Installed together with [test] so that torchviz gets the pinned torch, not the latest.
$(BENCH_STAMP): pyproject.toml | $(PY)
	@echo "Installing minigrad[test,bench] into $(VENV)..."
	$(PIP) $(PIP_ARGS) -e ".[test,bench]"
	$(PROXY_INSTALL)
	@touch $@ $(TEST_STAMP) $(COURSE_STAMP) $(CLASSROOM_STAMP)

course: $(COURSE_STAMP) ## open the course in JupyterLab (127.0.0.1, token printed; Ctrl-C stops it)
	$(PY) -m tools.lab $(ARGS)

classroom: $(CLASSROOM_STAMP) ## a class hub (JupyterHub) on 127.0.0.1:8000 for a trial run
	$(PY) -m classroom $(ARGS)

html: $(COURSE_STAMP) ## execute every lesson and write an offline static HTML copy into site/
	$(PY) -m tools.site $(ARGS)

venv: $(TEST_STAMP) ## create .venv and install minigrad with the test tools and torch

demo: $(TEST_STAMP) ## curriculum examples in the terminal, each checked against torch
	$(PY) -m minigrad.demo $(ARGS)

# The lessons, validated by strict nbval (outputs compared; only memory addresses sanitised).
NBVAL   := --nbval course -p no:randomly --nbval-current-env \
	--nbval-sanitize-with course/nbval_sanitize.cfg

test: $(TEST_STAMP) ## run the test suite, then validate the course notebooks (strict nbval)
	@$(PY) -m pytest $(ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	$(PY) -m pytest $(NBVAL)

fuzz: $(TEST_STAMP) ## long differential fuzzing against torch: 21,000 random programs (~9 min)
	HYPOTHESIS_PROFILE=fuzz MINIGRAD_REQUIRE_TORCH=1 $(PY) -m pytest tests/fuzz/test_fuzz.py \
		-p no:randomly -p no:cacheprovider $(ARGS)

execute: $(TEST_STAMP) ## re-execute the lessons in place (ARGS=02 for one lesson)
	$(PY) -m tools execute $(ARGS)

learner: $(CLASSROOM_STAMP) ## write the learner copies to course/learner with nbgrader (solutions removed)
	$(PY) -m tools learner

lint: $(TEST_STAMP) ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(TEST_STAMP) ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(BENCH_STAMP) ## all benchmarks side by side with torch/micrograd/torchviz -> BENCHMARKS.md
	$(PY) bench/run.py $(ARGS)

clean: ## remove .venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
