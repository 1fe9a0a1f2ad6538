# backorder: `make run` serves the demo store, `make test` runs every suite. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

NPM ?= npm
WIDGET := server/backorder/static/widget.js

.PHONY: install widget run test test-widget test-audit audit test-databases beside-postgres test-sqlite test-postgres test-e2e bench clean

install: $(VENV)/.installed

widget: $(WIDGET)

node_modules/.installed: package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "backorder needs Node 20 and npm for the widget: apt-get install -y nodejs npm"; exit 1; }
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WIDGET): node_modules/.installed $(wildcard widget/src/*.js) widget/build.js
	$(NPM) run --silent build

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "backorder needs Python 3.11 or newer: make PYTHON=python3.11 …")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

run: export BACKORDER_DEBUG ?= 1
run: export BACKORDER_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: install widget
	$(BIN)/backorder db upgrade
	$(BIN)/backorder demo
	$(BIN)/backorder run --host $(HOST) --port $(PORT)

test: test-widget test-audit
	@$(MAKE) --no-print-directory beside-postgres FOREGROUND="test-sqlite test-e2e"

# Known vulnerabilities in the installed packages (deploy/audit.py): fails on a finding, says NOT AUDITED
# and passes when no vulnerability service can be reached. AUDIT_IGNORE="ID …" skips findings explained
# in docs/security.md. `make test` asks OSV only (one batch request); `make audit` also asks PyPI.
AUDIT_IGNORE ?=
test-audit: install
	@AUDIT_SERVICES=osv AUDIT_IGNORE="$(AUDIT_IGNORE)" $(BIN)/python deploy/audit.py

audit: install
	@AUDIT_IGNORE="$(AUDIT_IGNORE)" $(BIN)/python deploy/audit.py

# The PostgreSQL suite runs in the background (its own database, and PostgreSQL's own process,
# take one core) while the FOREGROUND targets run one after the other on the other; its output is
# kept and printed after theirs, and either side failing fails the target.
test-databases:
	@$(MAKE) --no-print-directory beside-postgres FOREGROUND="test-sqlite"

beside-postgres: install widget
	@if [ -z "$$BACKORDER_TEST_DATABASE_URL" ]; then \
		$(MAKE) --no-print-directory $(FOREGROUND) test-postgres; \
	else \
		log=$$(mktemp); \
		$(BIN)/python -m pytest -q -p no:cacheprovider > $$log 2>&1 & postgres=$$!; \
		echo "== the PostgreSQL suite runs in the background; its output follows the rest"; \
		$(MAKE) --no-print-directory -k $(FOREGROUND); foreground_status=$$?; \
		wait $$postgres; postgres_status=$$?; \
		echo "== tests on PostgreSQL"; cat $$log; rm -f $$log; \
		[ $$foreground_status -eq 0 ] && [ $$postgres_status -eq 0 ]; \
	fi

test-widget: widget
	@echo "== widget unit tests and size"
	$(NPM) test --silent
	$(NPM) run --silent size

test-sqlite: install
	@echo "== tests on SQLite"
	env -u BACKORDER_TEST_DATABASE_URL $(BIN)/python -m pytest -q

test-postgres: install
	@if [ -z "$$BACKORDER_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL suite SKIPPED: BACKORDER_TEST_DATABASE_URL is not set"; \
		echo "   (e.g. BACKORDER_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make test)"; \
	else \
		echo "== tests on PostgreSQL"; \
		$(BIN)/python -m pytest -q; \
	fi

test-e2e: install widget
	@echo "== browser tests (Chromium, SQLite)"
	$(BIN)/python -m pytest -q e2e

# Every benchmark on SQLite and PostgreSQL, small sizes (a few minutes); the full run: benchmarks/run_all.py
bench: install
	$(BIN)/python benchmarks/run_all.py --quick

clean:
	rm -rf $(VENV) server/*.egg-info .pytest_cache node_modules $(WIDGET) e2e/artifacts
