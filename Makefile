# The two commands of the README:
#   make run   installs everything and starts the dashboard on the demo database (Bastar);
#              make run REGION=state on the statewide demo (all 33 districts)
#   make test  installs the test dependencies and runs the whole test suite
#   make bench runs the performance benchmark (docs/performance.md); BENCH_ARGS for its flags
#   make install-spark adds the optional Spark engine (refresh --engine spark; about 900 MB),
#              which the Spark tests need (without it they are skipped; .ci/run installs it)
# Dependencies are pinned in constraints.txt (regenerate with `make lock`).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# make run's demo: bastar (Bastar division) or state (Chhattisgarh, 33 districts)
REGION ?= bastar
STATE_DEMO := data/demo-registrations-state.sqlite
# The statewide demo is served from a data folder of its own, data/state/, where it is the
# demo (a link to $(STATE_DEMO)): so the dashboard treats it as the demo (open, no sign-in),
# with its own analytics tables and audit log. Served with --db, it would ask for sign-in.
STATE_DATA_DIR := $(CURDIR)/data/state
# make test's workers (pytest-xdist): two, as CI has two cores; 0 runs the suite in one process
TEST_WORKERS ?= 2

.PHONY: run test bench install install-test install-spark lock lint clean

run: install
ifeq ($(REGION),state)
	test -f $(STATE_DEMO) || $(BIN)/ehospital-dashboard demo --region state --out $(STATE_DEMO)
	mkdir -p $(STATE_DATA_DIR)
	ln -sfn ../demo-registrations-state.sqlite $(STATE_DATA_DIR)/demo-registrations.sqlite
	EHOSPITAL_DATA_DIR=$(STATE_DATA_DIR) $(BIN)/ehospital-dashboard serve --port $(PORT)
else ifeq ($(REGION),bastar)
	$(BIN)/ehospital-dashboard serve --port $(PORT)
else
	$(error REGION must be bastar or state, not $(REGION))
endif

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
