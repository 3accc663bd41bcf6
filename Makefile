# Two commands: `make run` and `make test`. Nothing else is needed on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev browser migrate bytecode bench clean cluster cluster-stop nginx

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

# Browser tests drive Debian's chromium; install it when we can (root with apt), never a downloaded build.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: browser tests will fail under CI, skip elsewhere"; \
	  else \
	    echo "No /usr/bin/chromium: browser tests will be skipped (apt-get install chromium to run them)"; \
	  fi; \
	fi

# nginx from Debian's packages, the local cluster's balancer; installed when we can (root with apt).
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's nginx for the local cluster..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
	      || echo "nginx could not be installed: cluster tests will fail under CI, skip elsewhere"; \
	  else \
	    echo "No nginx: 'sudo apt-get install nginx' (or NGINX=/path/to/nginx) for make cluster and its tests"; \
	  fi; \
	fi

# Two gunicorn nodes behind nginx on 127.0.0.1:8080, a Celery worker and beat, PostgreSQL and
# Redis on this machine (deploy/cluster.sh; docs/deploy.md). Returns once /readyz answers.
cluster: install nginx bytecode
	deploy/cluster.sh start

cluster-stop:
	deploy/cluster.sh stop

test: install-dev browser nginx bytecode
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev bytecode
	$(BIN)/python bench/engine_overhead.py

clean:
	rm -rf $(VENV) staticfiles
