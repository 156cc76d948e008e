# ketnoi: set up, check and run. CI runs `make test` (see .ci/run).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: venv catalogues messages system lint test demo clean

# The virtualenv, reinstalled only when pyproject.toml is newer than the stamp.
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "$(VENV) has Python < 3.11: remove it and run make venv PYTHON=python3.11" >&2; \
		exit 1; }
	$(BIN)/pip install -e '.[dev]'
	touch $@

# Compiled translations (.mo); none yet is fine.
catalogues: venv
	@if ls web/locale/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d web/locale -D messages; \
	else \
		echo "catalogues: no web/locale/*/LC_MESSAGES/messages.po yet"; \
	fi

# Extract every message (templates, gettext calls, error messages) and merge into the .po files.
messages: venv
	bash scripts/extract-messages.sh web/locale/messages.pot
	$(BIN)/pybabel update -i web/locale/messages.pot -d web/locale -D messages --no-fuzzy-matching

# Chromium, PostgreSQL, Redis and fonts from Debian, when missing.
system:
	bash scripts/system-packages.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

# Lint first, then the whole suite; any failure stops make with a non-zero status.
test: venv system catalogues
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q -p no:cacheprovider

demo: venv catalogues
	$(BIN)/ketnoi demo --host 127.0.0.1 --port 8000 --data-dir data/demo

# Build and tool leftovers; keeps .venv and data/.
clean:
	rm -rf build .mypy_cache .ruff_cache .pytest_cache .import_linter_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find web/locale -name '*.mo' -delete 2>/dev/null || true
