# Two commands do all the set-up: `make demo` and `make test`.
# Both create (or reuse) a virtual environment in .venv inside the checkout.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test clean

NPM_CLIENT := tests/serving/clients

$(STAMP): pyproject.toml $(NPM_CLIENT)/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	# the npm Perspective client the serving tests drive (skipped with a reason without npm)
	if command -v npm >/dev/null; then npm ci --prefix $(NPM_CLIENT) --no-audit --no-fund \
		--silent || echo "npm client not installed: its test will be skipped"; fi
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/moderation score --explain "You are a pathetic idiot." \
		"They are hiding the truth about the floods, it was planned."
	$(BIN)/moderation flag data/samples/article-page.txt --only-flagged

# lint, formatting, the import contract (pyproject: [tool.importlinter]), the type checker
# (pyproject: [tool.mypy]), then the tests with coverage (a floor: [tool.coverage.report]; the
# figure is printed last, `.venv/bin/coverage report` shows it per module afterwards) and the
# complexity limit (tests/test_complexity.py)
test: $(STAMP)
	$(BIN)/ruff check moderation tests benchmarks
	$(BIN)/ruff format --check moderation tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --cov --cov-report=

clean:
	rm -rf $(VENV) build dist *.egg-info
