# Two commands: `make run` and `make test`. Nothing else is needed on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint install install-dev browser migrate bytecode bench clean cluster cluster-stop nginx

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Our modules compiled ahead, as pip compiles installed packages: where PYTHONDONTWRITEBYTECODE
# is set (CI machines often do) every process would otherwise recompile them from source, which
# is most of a `run_collection --file` start-up. Up-to-date files are skipped in milliseconds.
bytecode: install
	$(BIN)/python -m compileall -q -j 0 manage.py webclient requests_app

run: migrate bytecode
	$(BIN)/python manage.py collectstatic --noinput -v0
	@echo ""
	@echo "  webclient is starting on http://$(HOST):$(PORT)/"
	@echo "  First visit: 'Create the first account' (it owns your personal workspace)."
	@echo "  Later: sign in at http://$(HOST):$(PORT)/login/  ·  API docs: http://$(HOST):$(PORT)/api/docs/"
	@echo "  A playground to try requests offline: http://$(HOST):$(PORT)/echo/anything"
	@echo ""
	$(BIN)/gunicorn -c webclient/gunicorn_conf.py --bind $(HOST):$(PORT)

# $(call debian_package,PACKAGE,PROGRAM,WHAT NEEDS IT): Debian's package when PROGRAM is missing,
# installed when we can (root with apt), never a downloaded build.
define debian_package
	@if [ ! -x $(2) ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's $(1) for $(3)..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null) \
	      || echo "$(1) could not be installed: $(3) will fail under CI, skip elsewhere"; \
	  else \
	    echo "No $(2): $(3) will be skipped (apt-get install $(1) to run them)"; \
	  fi; \
	fi
endef

# Browser tests drive Debian's chromium.
browser:
	$(call debian_package,chromium,/usr/bin/chromium,the browser tests)

# nginx is the local cluster's balancer (make cluster; tests/cluster). Elsewhere: NGINX=/path/to/nginx.
nginx:
	$(call debian_package,nginx,/usr/sbin/nginx,the cluster tests and make cluster)

# Two gunicorn nodes behind nginx on 127.0.0.1:8080, a Celery worker and beat, PostgreSQL and
# Redis on this machine (deploy/cluster.sh; docs/deploy.md). Returns once /readyz answers.
cluster: install nginx bytecode
	deploy/cluster.sh start

cluster-stop:
	deploy/cluster.sh stop

test: install-dev browser nginx bytecode
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The edit loop: everything but the browser, Celery/cluster processes and other slow tests.
test-fast: install-dev bytecode
	$(BIN)/python -m pytest -m "not browser and not slow and not cluster" $(PYTEST_ARGS)

# The written rules, checked: ruff (lint, and only engine/ opens sockets; services speak no HTTP),
# import-linter (the layers of docs/architecture.md), mypy on the plain-Python core.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

bench: install-dev bytecode
	$(BIN)/python bench/engine_overhead.py

clean:
	rm -rf $(VENV) staticfiles
