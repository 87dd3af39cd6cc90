# Every target sets up .venv on first use: a fresh clone needs only python3, make and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: preview test bench clean cloud-init

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=23"
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

preview: $(STAMP)
	$(BIN)/quaykit preview --stack dev --out build/dev

test: $(STAMP) cloud-init
	$(BIN)/pytest

# Every rendered build-node user-data document is checked by cloud-init's own schema checker, which is not on
# PyPI: Debian's `cloud-init` package brings it. Installed here when we may; otherwise one line says how.
cloud-init:
	@command -v cloud-init >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's cloud-init (its schema checker validates build-node user data)"; \
	    $$SUDO apt-get update -qq >/dev/null && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cloud-init >/dev/null; \
	  else \
	    echo "make test needs cloud-init's schema checker: run 'sudo apt-get install cloud-init' (Debian/Ubuntu)" >&2; \
	    exit 1; \
	  fi; }

bench: $(STAMP)
	$(BIN)/python bench/run.py
