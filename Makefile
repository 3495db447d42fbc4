# Two entry points a new user needs: `make demo` and `make test` (see README).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.geotraf-installed

.PHONY: demo test setup lint clean

demo: setup
	$(VENV)/bin/geotraf demo

# pytest's exit 5 (no tests collected) is a failure, as is any other non-zero code.
test: setup
	$(PY) -m pytest -n 2 --dist loadgroup; rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests"; fi; exit $$rc

lint: setup
	$(VENV)/bin/ruff check geotraf layers dashboard tests benchmarks scripts data
	$(VENV)/bin/mypy

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $(STAMP)

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
