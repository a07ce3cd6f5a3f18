# The two commands of the README:
#   make run   installs everything and starts the dashboard on the demo database
#   make test  installs the test dependencies and runs the whole test suite
#   make bench runs the performance benchmark (docs/performance.md); BENCH_ARGS for its flags
#   make install-spark adds the optional Spark engine (refresh --engine spark; about 900 MB),
#              which the Spark tests need (without it they are skipped; .ci/run installs it)
# Dependencies are pinned in constraints.txt (regenerate with `make lock`).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# make test's workers (pytest-xdist): two, as CI has two cores; 0 runs the suite in one process
TEST_WORKERS ?= 2

.PHONY: run test bench install install-test install-spark lock lint clean

run: install
	$(BIN)/ehospital-dashboard serve --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=30 $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'

install-spark: install-test
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,spark]'

lock: $(BIN)/python
	$(BIN)/python -m pip freeze --exclude-editable --exclude ehospital-dashboard > constraints.txt

clean:
	rm -rf $(VENV) data artifacts
