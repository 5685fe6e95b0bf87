# The two commands of the README: `make demo` and `make test`. Each first checks what it needs from
# the system (scripts/system-deps.sh: as root it installs what is missing, otherwise it stops
# naming the one command to run), then sets up .venv on first use.
VENV := .venv
PY := $(VENV)/bin/python
MAKEFLAGS += --no-print-directory

.PHONY: demo test protos bench venv

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

demo:
	@bash scripts/system-deps.sh demo
	@$(MAKE) -s venv
	$(VENV)/bin/ykt demo

test:
	@bash scripts/system-deps.sh test
	@$(MAKE) -s venv
	$(PY) -m pytest -n 2 --dist loadfile

protos: $(VENV)/.installed
	$(PY) -m adapter.protogen

bench: $(VENV)/.installed
	$(PY) bench/bench_flow.py 10000 100000 1000000
