"""The benchmarks' figures, kept in benchmarks/results.json so the README's timing claims can be
checked against them (tests/test_readme.py). Each run of a benchmark replaces its own entry."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def record(benchmark: str, figures: dict[str, float], *, path: Path = RESULTS) -> None:
    """Store `figures` (name -> seconds or ratio) for `benchmark`, with the machine and the date."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data[benchmark] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"cores": os.cpu_count() or 1, "python": platform.python_version(),
                    "load average": round(os.getloadavg()[0], 1)},
        "figures": {name: round(value, 4) for name, value in sorted(figures.items())},
    }
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
