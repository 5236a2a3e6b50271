# Rowscan set-up in two commands (see README.md):
#   make run    install the app into .venv and start it on http://127.0.0.1:8000
#   make test   install the app, its test tools and Debian's chromium, then run every test
PYTHON ?= python3
VENV ?= .venv
MNIST_DIR ?= $(abspath ../shared/mnist)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export MNIST_DIR

.PHONY: run test install install-test chromium

run: install
	$(VENV)/bin/rowscan serve

test: install-test chromium
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

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }
