"""The wheel ships ontology, curated data and queries: install it into a fresh directory and
run mdm2kg from somewhere else, with no access to the source checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_install_validates_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("mdm2kg-*.whl"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", str(site),
                    str(wheel)], check=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "MDM2KG_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("MDM2KG_SEEDS", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=elsewhere, capture_output=True, text=True, env=env, timeout=600)

    where = run("-c", "import mdm2kg, mdm2kg.resources as r; print(mdm2kg.__file__); print(r.ontology_dir());"
                      " print(r.shipped_data_dir()); print(r.queries_dir())")
    lines = where.stdout.splitlines()
    assert len(lines) == 4, where.stderr
    assert all(line.startswith(str(site)) for line in lines), lines
    assert "_data" in lines[1] and "_data" in lines[2]
    validate = run("-m", "mdm2kg", "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "conforms" in validate.stdout
    query = run("-m", "mdm2kg", "query", "--name", "trial_results", "--param", "trial=MANTRA", "--format", "csv")
    assert query.returncode == 0 and "NCT04979442" in query.stdout, query.stderr
