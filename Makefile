# Two commands on a fresh machine: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Chain guard: a real local Ethereum node (anvil, from the npm registry) for the JSON-RPC ingest tests.
ANVIL := .tools/node_modules/.bin/anvil

.PHONY: install demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(ANVIL)

$(ANVIL):
	npm install --no-audit --no-fund --prefix .tools @foundry-rs/anvil@1.7.1

demo: $(STAMP)
	$(BIN)/python -m heistguard.demo

lint: $(STAMP)
	$(BIN)/ruff check heistguard tests bench
	$(BIN)/ruff format --check heistguard tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# mail guard: its IMAP tests run Debian's Dovecot on loopback; DKIM tests make keys with openssl.
MAIL_SYSTEM_DEPS := /usr/sbin/dovecot /usr/lib/dovecot/imap
$(MAIL_SYSTEM_DEPS):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd openssl \
	  || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd openssl)

unit: $(STAMP) $(ANVIL) $(MAIL_SYSTEM_DEPS)
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/intel_lookup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
