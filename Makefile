# The two commands of the README: `make demo` and `make test`. Both set up .venv on first use.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test protos bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/ykt demo

test: $(VENV)/.installed
	$(PY) -m pytest

protos: $(VENV)/.installed
	$(PY) -m adapter.protogen

bench: $(VENV)/.installed
	$(PY) bench/bench_flow.py 10000 100000 1000000
