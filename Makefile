# The two commands of the README's Quickstart. Both make and use ./.venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench clean soak soak-short lock

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python -m worker.cli.demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy snap storage worker tasks beat_schedule.py

# pytest exits 5 when it collected no test: say so instead of failing obscurely.
test: lint typecheck $(BIN)/.installed
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

# The chaos soak: the whole fleet as processes under faults (tests/soak). The long run
# (1,000+ mutations, 30+ kills) prints the figures the README quotes; the short one (every
# fault kind once, under 6 minutes) runs in CI. SOAK_ARGS=--broker amqp for RabbitMQ.
soak: $(BIN)/.installed
	$(BIN)/python -m tests.soak $(SOAK_ARGS)

soak-short: $(BIN)/.installed
	$(BIN)/python -m tests.soak --short $(SOAK_ARGS)

bench: $(BIN)/.installed
	$(BIN)/python -m bench

# requirements.lock: every dependency of pyproject.toml pinned with its hashes (the image
# installs from it with --require-hashes). Run after changing the dependencies.
lock: $(BIN)/.installed
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --output-file=requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
