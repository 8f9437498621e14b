# The README's two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py

.PHONY: run serve test install install-dev browser gettext messages lint demo-data

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Set up everything and serve the demo archive on http://127.0.0.1:8000/
run: install messages demo-data
	$(MANAGE) runserver 127.0.0.1:8000

## Serve with production settings under gunicorn + WhiteNoise on 127.0.0.1
## (secrets in a git-ignored .env made on the first run; README, Production)
PORT ?= 8000
WORKERS ?= 2
serve: install messages
	PYTHON=$(PY) ARCHIVE_PORT=$(PORT) ARCHIVE_WORKERS=$(WORKERS) deploy/serve.sh

demo-data:
	$(MANAGE) migrate --noinput
	$(MANAGE) load_gazetteer SY
	$(MANAGE) create_demo_accounts
	$(MANAGE) import_testimonies seeds/testimonies.jsonl
	$(MANAGE) index_rebuild

## Run the whole test suite (browser tests need Debian's chromium: see README)
test: install-dev browser messages
	$(PY) -m pytest

# The Arabic catalogue is compiled in the build, never committed compiled.
messages: install gettext
	$(MANAGE) compilemessages --ignore ".venv" -v 0

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

# Browser tests drive Debian's chromium; never a downloaded browser.
browser:
	$(call need_debian,chromium,chromium)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
