#!/usr/bin/env bash
# The whole test suite: install mdm2kg with its test extras, lint, type-check, run pytest.
# Extra arguments go to pytest (e.g. ./test.sh -k paths).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check mdm2kg tests benchmarks scripts
python3 -m mypy
lint-imports --no-cache  # the one-way house (pyproject.toml [tool.importlinter])
python3 -m pytest -q "$@"
