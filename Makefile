# Every target sets up .venv on first use: a fresh clone needs only python3, make and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: preview test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=23"
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

preview: $(STAMP)
	$(BIN)/quaykit preview --stack dev --out build/dev

test: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf build .pytest_cache

bench: $(STAMP)
	$(BIN)/python bench/run.py
