# Rowscan set-up in two commands (see README.md):
#   make run    install the app into .venv and start it on http://127.0.0.1:8000
#   make test   install the app, its test tools and Debian's chromium and wrk, then run every test
PYTHON ?= python3
VENV ?= .venv
MNIST_DIR ?= $(abspath ../shared/mnist)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export MNIST_DIR

.PHONY: run test install install-test system-packages

run: install
	$(VENV)/bin/rowscan serve

test: install-test system-packages
	$(VENV)/bin/python -m pytest

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# chromium for the browser tests, wrk for the benchmark's load client, postgresql for the storage tests'
# second backend (each test session starts a throw-away cluster from its binaries; no server is left running)
system-packages:
	@command -v chromium >/dev/null && command -v wrk >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium wrk postgresql; }
