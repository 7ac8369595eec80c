# Two commands do everything on a fresh machine: `make run` and `make test`.
# The distribution's interpreter when it is 3.11 or later (Debian's is built with profile-guided
# and link-time optimisation; a cast cost 15-30% less CPU on it than on a self-built 3.11 without
# them: docs/benchmarks.md), else the first python3 on PATH. `make PYTHON=...` chooses another.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
  2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= grassroots.settings.dev

.PHONY: run test lint typecheck contracts security pytest install install-dev browser-deps seed clean wheelhouse messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var:
	mkdir -p var

# The wheels of what the counting engine and the verifier declare they need (numpy, PyNaCl and
# its own dependencies, at the versions installed here), so that tests/packaging/test_wheels.py
# installs their own wheels into a clean virtualenv with no index. Fetched from the same index
# as the install, again only when the requirements or the two packages' dependencies change.
WHEELHOUSE := var/wheelhouse
$(WHEELHOUSE)/.downloaded: requirements.txt packaging/tally/pyproject.toml packaging/ledger/pyproject.toml $(VENV)/.installed-dev | var
	$(BIN)/pip freeze --all > var/installed-versions.txt
	$(BIN)/pip download --quiet --no-build-isolation --only-binary=:all: --dest $(WHEELHOUSE) \
	  --constraint var/installed-versions.txt ./packaging/tally ./packaging/ledger
	touch $@

wheelhouse: $(WHEELHOUSE)/.downloaded

# The task worker (mail to members) runs in the background and stops when runserver does.
run: install var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

seed: install var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# Browser tests drive Debian's chromium. Install it when it is missing and apt can; otherwise
# the browser tests skip and say why.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium is missing and cannot be installed here: browser tests will be skipped"; fi; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy grassroots

contracts: install-dev
	$(BIN)/lint-imports

# bandit at medium severity and up; each accepted finding carries `# nosec BNNN` and the reason.
security: install-dev
	$(BIN)/bandit -r grassroots -ll -q

pytest: install-dev browser-deps var wheelhouse
	DJANGO_SETTINGS_MODULE=grassroots.settings.test $(BIN)/python -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

test: lint typecheck contracts security pytest

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .hypothesis

# The Welsh catalogue: gather new strings into locale/cy/LC_MESSAGES/django.po, then compile the
# .mo that is committed beside it (docs/i18n.md). Needs Debian's gettext (msgfmt, xgettext).
messages: install
	$(VENV)/bin/python manage.py makemessages -l cy --ignore=.venv --ignore=var --ignore=tests \
	  --ignore=bench --ignore=packaging --no-obsolete
	$(VENV)/bin/python manage.py compilemessages -l cy --ignore=.venv
