"""The wheel ships ontology and curated data: install it in a fresh venv and validate from elsewhere."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_install_validates_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("mdm2kg-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], check=True,
                   timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "MDM2KG_CACHE_DIR": str(tmp_path / "c")}
    result = subprocess.run([str(env_dir / "bin" / "mdm2kg"), "validate"], cwd=elsewhere, capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout
    located = subprocess.run([str(python), "-c", "import mdm2kg.resources as r; print(r.ontology_dir())"], cwd=elsewhere,
                             capture_output=True, text=True, env=env, timeout=60)
    assert "site-packages" in located.stdout and "_data" in located.stdout
