# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export OVERWATCH_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup demo test lint dbt-lint benchmark clean browser docs-erd dashboard

setup: $(VENV)/.installed profiles.yml

# Only the tests need a browser: tests/test_docs_site.py and tests/end_to_end/test_report.py drive Debian's Chromium headless. As root
# (CI) it is installed when missing; anyone else is told how, and `make demo` never needs it.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "make test needs Chromium at /usr/bin/chromium for the docs-site and report tests." >&2; \
	       echo "Install it with: sudo apt-get install chromium   (Debian/Ubuntu)" >&2; exit 1; fi; }

# uv installs the same versions as pip (the same constraints, the same registry) in about half the time:
# it downloads and unpacks in parallel.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --constraint constraints.txt --editable '.[dev]'
	touch $@

profiles.yml: profiles.yml.example
	cp -n profiles.yml.example profiles.yml || true
	touch profiles.yml

demo: setup
	$(BIN)/overwatch demo

test: setup browser lint dbt-lint
	$(BIN)/python -m pytest

# sqlfluff's dbt templater and `dbt parse` render the local profile, which names the lake and the Iceberg
# jar; neither starts Spark, so a clean clone needs no lake.
LOCAL_PROFILE_ENV := OVERWATCH_LAKE_DIR="$(CURDIR)/.lake/lint" \
	OVERWATCH_ICEBERG_JAR="$$($(BIN)/python -c 'from overwatch.lakehouse import iceberg_runtime_jar; print(iceberg_runtime_jar())')"

# sqlfluff's dbt templater compiles every model, the slowest part of the lint: one process per core.
lint: setup
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(LOCAL_PROFILE_ENV) $(BIN)/sqlfluff lint --processes 0 models macros snapshots tests/dbt analyses

# The models' conventions (dbt-bouncer.yml: layers, source() only in staging, descriptions, key tests,
# contracts, names), checked by dbt-bouncer on the manifest `dbt parse` writes offline.
dbt-lint: setup
	$(LOCAL_PROFILE_ENV) $(BIN)/dbt parse --quiet --profiles-dir "$(CURDIR)" --target-path target/dbt-bouncer
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml

# Redraw assets/gold_erd.svg from the gold models' yml (tests/test_gold_erd.py fails while it is stale).
docs-erd: setup
	$(BIN)/python -m overwatch.gold_erd

# Rewrite dashboards/overwatch.lvdash.json from the analyses (tests/test_databricks_model_configs.py fails while it is stale).
dashboard: setup
	$(BIN)/python -m overwatch.dashboard

benchmark: setup
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf .lake .sample target logs
