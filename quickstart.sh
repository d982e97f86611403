#!/usr/bin/env bash
# The main job: install mdm2kg, validate and build the graph, print its statistics,
# run two example queries and a path question, and write the network page.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
python3 -m pip install --quiet --disable-pip-version-check .
mdm2kg demo --out "${1:-build}"
