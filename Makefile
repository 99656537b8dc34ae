# Order Desk — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?= -n 2 -q
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-pg worker migrate demo clean lint-dupes bench

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

venv: $(BIN)/.installed

migrate: $(BIN)/.installed
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo-data --if-empty

## Set up everything on first run (venv, schema, demo shop) and serve http://127.0.0.1:$(PORT)
run: demo
	FLASK_DEBUG=1 $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## The whole suite, on SQLite and then on PostgreSQL
test: test-sqlite test-pg

test-sqlite: $(BIN)/.installed
	TEST_DATABASE_URL=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-pg: $(BIN)/.installed
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_ARGS)

## An RQ worker for background jobs (needs REDIS_URL)
worker: $(BIN)/.installed
	$(BIN)/rq worker --url "$${REDIS_URL:?set REDIS_URL, e.g. redis://127.0.0.1:6379/0}" order-desk

clean:
	rm -rf $(VENV) instance .pytest_cache
