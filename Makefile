# The README's commands. `make run` and `make test` set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 ?= $(shell command -v python3.11 || echo python3)
PY310_VERSION ?= 3.10.13
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
TTHC := $(VENV)/bin/tthc
RASA := $(RASA_VENV)/bin/rasa
INDEX_POINTER := var/index/CURRENT
KB_DATA := $(wildcard knowledge_base/data/*.yml)
KB_CODE := $(wildcard knowledge_base/*.py knowledge_base/parsing/*.py)
CATALOG ?= ../shared/data/catalog
EVAL_SET ?= eval/ward_questions.jsonl

.PHONY: help setup run test browser-deps console-deps lint typecheck eval eval-chat bench index train clean audit load scale-deps

help:
	@echo "make run    - set up and start the whole assistant (web widget at http://127.0.0.1:8000/)"
	@echo "make test   - set up and run every test"
	@echo "make eval   - retrieval evaluation (ours vs baselines) on $(EVAL_SET)"
	@echo "make bench  - 245 team-written conversations at 80 messages/s: answers right and p95"
	@echo "make lint   - ruff over the whole project (also run by make test)"
	@echo "make typecheck - mypy over api/, actions/, ops/, knowledge_base/ (also run by make test)"

# --- environments -------------------------------------------------------------
# torch is pinned in the same pip command as sentence-transformers so that pip
# takes the CPU wheel on disk instead of a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel
	$(PY) -m pip install -q "torch==2.13.0" -e ".[dev,baselines]"
	touch $@

# Rasa 3.6 needs Python < 3.11: its own venv on the machine's pyenv 3.10, holding
# only rasa and underthesea. Nothing in $(VENV) imports rasa.
$(RASA_VENV)/.installed:
	test -x $(RASA_VENV)/bin/python || PYENV_VERSION=$(PY310_VERSION) pyenv exec python -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q --upgrade pip wheel
	$(RASA_VENV)/bin/python -m pip install -q "rasa==3.6.21" underthesea
	touch $@

# pytest inside the Rasa venv runs the components' own tests (bot/tests); a separate
# stamp so that an existing Rasa venv gets it too.
RASA_PYTEST := $(RASA_VENV)/.pytest-installed
$(RASA_PYTEST): $(RASA_VENV)/.installed
	$(RASA_VENV)/bin/python -m pip install -q "pytest>=8,<9"
	touch $@

setup: $(VENV)/.installed

# --- knowledge base -----------------------------------------------------------
var/.imported: $(VENV)/.installed $(KB_DATA) $(wildcard $(CATALOG)/*/*.json)
	mkdir -p var
	$(TTHC) kb import
	touch $@

$(INDEX_POINTER): var/.imported $(KB_CODE) $(KB_DATA)
	$(TTHC) kb build

index: $(INDEX_POINTER)

# --- Rasa ---------------------------------------------------------------------
# Retrained only when the bot's config, domain, data or components change.
RASA_MODEL := bot/models/tthc.tar.gz
BOT_FILES := $(shell find bot/config.yml bot/domain bot/data bot/components -type f -name '*.y*ml' -o -type f -name '*.py' 2>/dev/null | grep -v __pycache__)

$(RASA_MODEL): $(RASA_VENV)/.installed $(BOT_FILES)
	cd bot && ../$(RASA) train --domain domain --fixed-model-name tthc --out models
	touch $@

train: $(RASA_MODEL)

# --- run ------------------------------------------------------------------------
run: $(VENV)/.installed $(INDEX_POINTER) $(RASA_MODEL) console-deps
	$(PY) -m ops.launcher

bench: $(VENV)/.installed $(INDEX_POINTER) $(RASA_MODEL)
	$(PY) -m ops.bench

# Load test (docs/performance.md): LOAD_ARGS="--duration 30" for a smoke run.
load: $(VENV)/.installed $(INDEX_POINTER) $(RASA_MODEL)
	$(PY) -m ops.load $(LOAD_ARGS)

# --- staff consoles ------------------------------------------------------------
# Chart.js for the admin console's charts, from npm (pinned by api/vendor/package-lock.json)
# and served by the app from api/vendor/node_modules: never from a CDN, never committed.
CONSOLE_VENDOR := api/vendor

console-deps: $(CONSOLE_VENDOR)/node_modules/.installed

$(CONSOLE_VENDOR)/node_modules/.installed: $(CONSOLE_VENDOR)/package.json $(CONSOLE_VENDOR)/package-lock.json
	cd $(CONSOLE_VENDOR) && npm ci --no-audit --no-fund
	touch $@

# --- tests --------------------------------------------------------------------
# Browser tests use Debian's chromium (never a browser downloaded by a tool) and
# playwright-core pinned by tests/browser/package-lock.json.
BROWSER_DIR := tests/browser
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo)

browser-deps: $(BROWSER_DIR)/node_modules/.installed
	test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

$(BROWSER_DIR)/node_modules/.installed: $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	cd $(BROWSER_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

# PostgreSQL (Debian's package) for the multi-replica test in tests/api/scale; the test
# starts its own throwaway server on 127.0.0.1 (as the postgres user under root).
scale-deps:
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q postgresql; }
	command -v redis-server >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q redis-server; }

test: $(VENV)/.installed $(RASA_PYTEST) $(RASA_MODEL) browser-deps console-deps scale-deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(PY) -m pytest -q
	$(MAKE) --no-print-directory audit

# pip-audit over both venvs; findings accepted with a reason live in audit-allowlist.txt;
# an unreachable vulnerability database warns and passes (offline builds).
audit: $(VENV)/.installed
	$(PY) -m ops.audit

eval: $(INDEX_POINTER)
	$(TTHC) eval $(EVAL_SET) --json var/eval.json

# What a citizen receives: real questions and team scenarios through /api/chat (real Rasa).
DEV_SET ?= ../shared/data/eval/dev.jsonl
eval-chat: $(VENV)/.installed $(INDEX_POINTER) $(RASA_MODEL)
	$(PY) -m ops.eval_chat $(DEV_SET) --json var/eval-chat.json

# ruff over every Python file of the project (bot/ included); part of `make test`.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# mypy over the served app, the actions, the operator tools and the knowledge base
# (configured in pyproject.toml); part of `make test`.
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

clean:
	rm -rf var bot/models bot/.rasa .pytest_cache
