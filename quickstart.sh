#!/usr/bin/env bash
# The main job: install mdm2kg (with the Oxigraph server for `mdm2kg serve`) into .venv, validate and build the graph, print its statistics,
# run two example queries and a path question, and write the network page.
# The install is an ordinary `pip install '.[server]'`; pip's own environment variables apply
# (e.g. PIP_NO_INDEX=1 PIP_NO_DEPS=1 PIP_NO_BUILD_ISOLATION=0 install offline from packages
# already present, which is how tests/test_readme_blocks.py runs this script in a fresh clone).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
python3 -m pip install --quiet --disable-pip-version-check '.[server]'  # [server]: the oxigraph binary for `mdm2kg serve`
mdm2kg demo --out "${1:-build}"
echo
if [ -n "${VIRTUAL_ENV:-}" ] && [ "$VIRTUAL_ENV" -ef .venv ]; then
  echo "mdm2kg is installed in .venv. To use it in this shell (and in each new one), run:"
  echo
  echo "    . .venv/bin/activate"
else
  echo "mdm2kg is installed for $(command -v python3): $(command -v mdm2kg || echo 'its scripts directory is not on your PATH')"
fi
