# Two commands do all the set-up on a fresh machine:
#   make start   install (first time only) and serve the web chat and API on 127.0.0.1:8000
#   make test    install the test tools and Debian's Chromium too, then lint and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

CHROMIUM ?= /usr/bin/chromium

.PHONY: install start test lint browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first, pinned, so that nothing later resolves a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e .
	# Export the packaged embedder to ONNX (fp32 and int8) now, not at the first question.
	$(BIN)/python -m vectorstore.onnx_embedder
	touch $@

# The browser tests drive Debian's Chromium: Playwright must never download a browser.
$(VENV)/.installed-test: $(VENV)/.installed
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet -e ".[test,local-llm]"
	touch $@

install: $(VENV)/.installed

start: install
	$(BIN)/newsdesk serve

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint browser
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) newsdesk-data test-output
