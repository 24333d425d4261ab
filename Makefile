# The two commands: `make run` and `make test`. Everything else is a helper.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := kcat chromium
BROWSER_DEPS := tests/browser/node_modules/axe-core/axe.min.js
DEPLOY_DEPS := tests/unit/deploy/node_modules/dclint/schemas/compose.schema.json

.PHONY: run test install lint typecheck docs apt browser-deps deploy-deps clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/protocolo up --simulate

# Debian packages the tests use (kcat: an independent, non-Python Kafka client; chromium: the browser
# tests drive Debian's build, never a Playwright download).
apt:
	@missing=""; for p in $(APT_PACKAGES); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

# The settings table of docs/operacao.md, from protocolo/settings.py (tests/unit/cli/test_docs_settings.py checks it).
docs: $(STAMP)
	$(PY) -m cli.docs_settings

typecheck: $(STAMP)
	$(VENV)/bin/mypy protocolo producers streams indexer api notifier archiver webhooks cli bench

# axe-core for the browser tests, pinned in tests/browser/package-lock.json.
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $(BROWSER_DEPS)

browser-deps: $(BROWSER_DEPS)

# The Compose Specification's JSON schema, as the npm package dclint ships it (pinned in
# tests/unit/deploy/package-lock.json); tests/unit/deploy/test_compose.py validates docker-compose.yml with it.
$(DEPLOY_DEPS): tests/unit/deploy/package.json tests/unit/deploy/package-lock.json
	npm ci --prefix tests/unit/deploy --no-audit --no-fund --ignore-scripts
	touch $(DEPLOY_DEPS)

deploy-deps: $(DEPLOY_DEPS)

# Most of the suite waits on real servers and worker processes rather than computing, so three pytest
# workers fit two cores. A test file stays on one worker (its module-scoped stack starts once); each
# worker starts its own broker, search server and SMTP sink on free ports.
TEST_WORKERS ?= 3

test: $(STAMP) apt browser-deps deploy-deps lint typecheck
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache .import_linter_cache tests/browser/node_modules \
	  tests/unit/deploy/node_modules
