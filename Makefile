# One virtualenv per checkout; every target creates it when missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AIRBYTE_OFFLINE_MODE := 1
export DO_NOT_TRACK := 1

.PHONY: install demo test lint unit bench reliability clean

$(STAMP): setup.py
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m integration_tests.demo

TYPED := hire_events source_greenhouse_hires destination_remote_onboarding rules webhook_receiver \
	hires_cli integration_tests/fakes integration_tests/sample_data benchmarks

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy $(TYPED)

test: lint
	TMPDIR=$$(mktemp -d) $(BIN)/pytest -m "not image_tests" -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

reliability: $(STAMP)
	$(BIN)/python -m integration_tests.reliability

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build *.egg-info
