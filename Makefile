# The README's two commands: `make run` and `make test`.

# The interpreter .venv is made from: Debian's own python3.11 where it can make
# one (python3.11-venv), else the first python3.11 on PATH; `make PYTHON=...`
# chooses another. Debian builds its interpreter with profile-guided and
# link-time optimisation and links it statically, which one compiled from
# source (by pyenv, say) does not unless asked: the test suite takes about a
# sixth less CPU on Debian's (docs/testing.md, "The interpreter").
DEBIAN_PYTHON := /usr/bin/python3.11
PYTHON ?= $(if $(shell $(DEBIAN_PYTHON) -c 'import ensurepip, venv' 2>/dev/null && echo yes),$(DEBIAN_PYTHON),python3.11)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py

.PHONY: run serve test test-fast test-postgres test-replicas test-all install install-dev install-search browser \
	gettext messages vendor lint demo-data postgres bytecode

# Python keeps each module's compiled bytecode (in git-ignored __pycache__
# folders) even where the environment asks it not to: the suite starts many
# Python processes (servers, commands, imports killed midway), and each would
# otherwise compile the project's modules again.
unexport PYTHONDONTWRITEBYTECODE

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-search: requirements.txt requirements-search.txt $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check -r requirements-search.txt
	touch $@ $(VENV)/.installed

$(VENV)/.installed-dev: requirements.txt requirements-search.txt requirements-dev.txt $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed $(VENV)/.installed-search

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
## The OpenSearch / Elasticsearch clients (docs/production.md, Search engine)
install-search: $(VENV)/.installed-search

## Set up everything and serve the demo archive on http://127.0.0.1:8000/
run: install messages vendor demo-data
	$(MANAGE) runserver 127.0.0.1:8000

## Serve with production settings under gunicorn + WhiteNoise on 127.0.0.1
## (secrets in a git-ignored .env made on the first run; docs/production.md)
PORT ?= 8000
WORKERS ?= 2
serve: install messages vendor
	PYTHON=$(PY) ARCHIVE_PORT=$(PORT) ARCHIVE_WORKERS=$(WORKERS) deploy/serve.sh

demo-data:
	$(MANAGE) migrate --noinput
	$(MANAGE) load_gazetteer SY
	$(MANAGE) create_demo_accounts
	$(MANAGE) import_testimonies seeds/testimonies.jsonl
	$(MANAGE) rebuild_index --noinput

# The suite runs in one pytest-xdist worker per core, each with its own
# database, index, media root, key store and live server (archive/settings/
# test.py). A worker that runs out of tests takes some of the other's
# (`--dist worksteal`), so neither waits on the other's slow tail; each
# share starts with the long modules (tests/scheduling.py). Any order
# is safe: a test whose writes commit gives the role groups and vocabularies
# back as soon as its flush has emptied the database (tests/databases.py).
# TEST_WORKERS=0 runs it all in one process.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

# The suite writes many small files: a search index segment per save, the
# vault's key store, media, imports, backups, chromium's profiles, the
# throwaway PostgreSQL cluster. Written in memory (/dev/shm, where there is
# one), the search tests ran about a tenth faster than on this machine's
# disk. TEST_TMPDIR= keeps the usual temporary folder.
TEST_TMPDIR ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm)
ifneq ($(TEST_TMPDIR),)
test test-fast test-postgres test-replicas: export TMPDIR := $(TEST_TMPDIR)
endif

## Run the whole test suite (browser tests need Debian's chromium: see README).
## On SQLite in memory, or on the PostgreSQL server ARCHIVE_TEST_DATABASE_URL names.
test: install-dev browser messages vendor bytecode
	$(PYTEST)

## The edit loop: everything but the browser tests, the leak scan and the
## tests that start other processes
test-fast: install-dev messages vendor bytecode
	$(PYTEST) -m "not browser and not slow and not leak_scan"

## The whole suite again on a throwaway PostgreSQL cluster from Debian's packages
## (started on 127.0.0.1, stopped and deleted afterwards: deploy/with_postgres.sh)
test-postgres: install-dev browser messages vendor postgres bytecode
	deploy/with_postgres.sh $(PYTEST)

## The search engine on PostgreSQL's full-text search against a primary and two
## streaming replicas (deploy/with_postgres.sh --replicas): withdrawals on the
## primary while searches read a replica that lags
test-replicas: install-dev messages postgres bytecode
	deploy/with_postgres.sh --replicas 2 $(PYTEST) \
		tests/search/test_search_replicas.py tests/search/test_postgres_engine.py

## All three, as CI runs them
test-all: test test-postgres test-replicas

# The project's modules compiled once, before the test workers start and
# import them side by side (a second or two).
bytecode: install-dev
	$(PY) -m compileall -q -j 2 archive testimonies search research bench deploy tests manage.py

# The Arabic catalogue is compiled in the build, never committed compiled;
# again only when its source is newer (each make run and make test would
# otherwise start Django for it: close to a second).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
messages: $(CATALOGUES)

$(CATALOGUES): %.mo: %.po | install gettext
	$(MANAGE) compilemessages --ignore ".venv" -v 0

# The map's library and Syria's boundaries, from the npm registry, pinned by
# version and checksum, with their licences (deploy/vendor_assets.py,
# docs/maps.md). Built in the build, never committed; again when the pins change.
vendor: static/vendor/VERSIONS

static/vendor/VERSIONS: deploy/vendor_assets.py
	$(PYTHON) deploy/vendor_assets.py

# Debian packages the build needs: installed as root, or asked for.
define need_debian
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null); \
	  else \
	    echo "This needs Debian's $(2): sudo apt-get install $(2)" >&2; exit 1; \
	  fi; }
endef

gettext:
	$(call need_debian,msgfmt,gettext)

# PostgreSQL from Debian's packages (its binaries in /usr/lib/postgresql/<v>/bin;
# never a postgres found elsewhere on PATH).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null); \
	  else \
	    echo "This needs Debian's postgresql: sudo apt-get install postgresql" >&2; exit 1; \
	  fi; }

# Browser tests drive Debian's chromium; never a downloaded browser.
browser:
	$(call need_debian,chromium,chromium)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
