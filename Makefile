# Jiceng: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# --dist loadscope: a module's tests run on one worker, so its module fixtures are built once.
PYTEST_ARGS ?= -n 2 --dist loadscope -q

.PHONY: install run serve demo test messages clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py collectstatic --noinput >/dev/null
	$(BIN)/python manage.py demo_accounts
	HOST=$(HOST) PORT=$(PORT) bin/serve

test: install
	$(BIN)/ruff check --quiet .
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
	bin/test $(PYTEST_ARGS)

messages:
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=var
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=var

clean:
	rm -rf var/static var/jiceng.sqlite3*
