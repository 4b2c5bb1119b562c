# The two set-up commands of the README: `make run` and `make test`.
# Each creates .venv on first use and installs what it needs into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,web]"
	touch $@ $(VENV)/.installed

# Browser tests drive Debian's chromium (Playwright cannot download browsers here);
# the Japanese page needs a CJK font to render.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(VENV)/.browser: | $(BIN)/python
	dpkg -s chromium fonts-ipafont-gothic >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium \
		fonts-ipafont-gothic >/dev/null; }
	touch $@

# The main job: rare-earth concentrate and uranium ore concentrate to Yokohama,
# China vs Trans-Caspian vs Russia vs Iran, in the terminal and as HTML reports.
run: $(VENV)/.installed
	$(BIN)/corridor compare --commodity rare_earth_concentrate --origin KZ_ZHANA_KZ \
		--destination JP_YOKOHAMA --volume 10000 --uncertainty 1000 \
		--report reports/rare-earth-concentrate.html
	$(BIN)/corridor compare --commodity uranium_ore_concentrate --origin KZ_NORTH_KHARASAN \
		--destination JP_YOKOHAMA --volume 1000 --uncertainty 1000 \
		--report reports/uranium-ore-concentrate.html

# The whole test suite: lint, types, import layers, tests.
test: $(VENV)/.dev-installed $(VENV)/.browser
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_routes.py
	$(BIN)/python benchmarks/bench_plan.py
	$(BIN)/python benchmarks/bench_risk.py
	$(BIN)/python benchmarks/bench_intime.py
	$(BIN)/python benchmarks/bench_intime_dask.py
	$(BIN)/python benchmarks/bench_setup.py
	$(BIN)/python benchmarks/bench_uncertainty.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/bench_sim.py
	$(BIN)/python benchmarks/bench_cli.py

# The web application on http://127.0.0.1:8000 (offline; see docs/api.md).
serve: $(VENV)/.dev-installed
	$(BIN)/corridor serve

clean:
	rm -rf $(VENV) reports .pytest_cache .mypy_cache .ruff_cache
