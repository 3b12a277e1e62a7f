# Everything a target needs, it installs. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium
SOFFICE ?= soffice
HOST ?= 127.0.0.1
PORT ?= 8000
# The extras installed: the dev tools, and sentence embeddings for suggestions (EXTRAS=dev for
# a words-only engine). torch is pinned to the CPU build these machines hold.
EXTRAS ?= dev,embeddings
TORCH_VERSION ?= 2.13.0
# pytest-xdist workers for the suites (one a core on these 2-core machines).
JOBS ?= 2
# The real stack used by `make test` (and by `make worker` when you export them yourself).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run worker test test-unit test-stack lint fmt typecheck bench bench-peer chromium libreoffice compose taguette clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(if $(findstring embeddings,$(EXTRAS)),$(BIN)/python -m pip install -q "torch==$(TORCH_VERSION)")
	$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

# The embedded default with DEBUG off: SQLite in var/, Celery tasks in-process, static files
# collected and served by WhiteNoise, a secret key made once in var/secret_key.
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --no-input -v0
	@echo "Serving on http://$(HOST):$(PORT)/ (Celery tasks run in-process, DEBUG off)"
	DJANGO_DEBUG=0 $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	else echo "Chromium is missing and cannot be installed here: browser tests will skip (or fail with CI=true)"; fi

# The exports are read back by LibreOffice Calc (headless) to prove they open cleanly there.
libreoffice:
	@if command -v $(SOFFICE) >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's LibreOffice Calc (headless) for the export round-trip tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; \
	else echo "LibreOffice is missing: the LibreOffice round-trip tests will skip (or fail with CI=true)"; fi

# Taguette, the peer analysts would pick instead, in a venv of its own (its pins clash with
# ours): the exchange tests run its codebook importer and exporter on our files.
TAGUETTE_VENV ?= .venv-taguette
taguette:
	@test -x $(TAGUETTE_VENV)/bin/python || $(PYTHON) -m venv $(TAGUETTE_VENV)
	@$(TAGUETTE_VENV)/bin/python -c "import taguette" 2>/dev/null || \
		$(TAGUETTE_VENV)/bin/python -m pip install -q "taguette==1.5.2"

# `docker compose config` must accept docker-compose.yml; the deployment test runs it.
compose:
	@if command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's docker-compose to check docker-compose.yml"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	else echo "docker-compose is missing: the compose check will skip (or fail with CI=true)"; fi

APPS := config jobs transcripts coding themes

# Style, types and the layers: import-linter for Python imports, check_layers for URL names in
# templates and reverse(), radon for functions too branchy to change safely (none above 20).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(APPS)
	$(BIN)/lint-imports
	env -u DATABASE_URL $(BIN)/python manage.py check_layers
	@out="$$($(BIN)/radon cc -nd $(APPS) -e '*/migrations/*')"; \
		if [ -n "$$out" ]; then echo "Cyclomatic complexity above 20:"; echo "$$out"; exit 1; fi
	node --test tests/js/

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy $(APPS)

# Suite 1: the embedded default (SQLite, eager Celery) with the browser tests.
test-unit: install chromium libreoffice compose taguette
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/pytest -m "not stack" -n $(JOBS) -p no:cacheprovider

# Suite 2: the same tests (less the browser and LibreOffice) on PostgreSQL, plus the tests that need a real
# Celery worker consuming from Redis.
test-stack: install
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) DJANGO_SECRET_KEY=test-only \
		$(BIN)/pytest -m "not browser and not desktop and not peer" -n $(JOBS) -p no:cacheprovider

test: lint test-unit test-stack

bench: install
	$(BIN)/python bench/run.py

# The app and Taguette 1.5.2 side by side (bench/peer_taguette.py; needs PostgreSQL and Redis
# for its 20-coder row, or BENCH_ARGS=--no-stack). Not in CI.
bench-peer: install
	$(MAKE) taguette TAGUETTE_VENV=var/taguette-venv
	TAGUETTE_VENV=var/taguette-venv $(BIN)/python bench/peer_taguette.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TAGUETTE_VENV) var
