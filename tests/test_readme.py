"""The README tells the truth: its graph counts are `mdm2kg stats --format json` of the shipped
data, and its timing claims are the figures the benchmarks recorded in benchmarks/results.json.
(That its commands and Python examples run as printed is tests/test_readme_blocks.py.)"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.cli_runner import invoke
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
RESULTS = REPO / "benchmarks" / "results.json"
RECORDS = {  # README row label -> key of "records" (or a top-level / coverage key) in `stats --format json`
    "entities": ("coverage", "entities"),
    "publications": ("records", "publications"),
    "curated statements": ("records", "statements"),
    "negated statements": ("coverage", "negated statements"),
    "evidence records": ("records", "evidence"),
    "trial results (numbers)": ("records", "trial results"),
    "adverse-event observations": ("records", "adverse-event observations"),
    "source conflicts": ("records", "source conflicts"),
    "triples (with the ontology)": ("triples",),
}


@pytest.fixture(scope="module")
def stats() -> dict[str, Any]:
    result = invoke(["stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def _lookup(stats: dict[str, Any], path: tuple[str, ...]) -> int:
    value: Any = stats
    for key in path:
        value = value[key]
    return int(value)


def _table(heading: str) -> list[list[str]]:
    start = README.index(heading)
    rows = []
    for line in README[start:].splitlines()[2:]:
        if not line.lstrip().startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_what_is_in_the_graph_table(stats: dict[str, Any]) -> None:
    categories: dict[str, int] = {}
    records: dict[str, int] = {}
    for row in _table("| category | count | | record | count |"):
        if row[0]:
            names, counts = row[0].split(" / "), row[1].split(" / ")
            assert len(names) == len(counts), row
            categories.update(zip(names, map(int, counts), strict=True))
        if row[3]:
            records[row[3]] = int(row[4])
    assert categories == stats["categories"]  # every category, each with its count
    assert records.keys() == RECORDS.keys()
    for label, count in records.items():
        assert count == _lookup(stats, RECORDS[label]), label


def test_counts_in_the_prose(stats: dict[str, Any]) -> None:
    cited = re.search(r"plus the (\d+) references they cite", README)
    assert cited and int(cited.group(1)) == stats["records"]["publications"] - 2  # two source documents
    negated = re.search(r"The shipped data holds (\d+) negated statements", README)
    assert negated and int(negated.group(1)) == stats["coverage"]["negated statements"]
    claims = list(re.finditer(r"(?:(\d+) copies \()?\b(\d[\d,]*) triples(?!/s)", README))
    assert len(claims) >= 3
    for claim in claims:
        copies = int(claim.group(1) or 1)
        assert int(claim.group(2).replace(",", "")) == copies * stats["triples"], claim.group(0)


def _figures_match(claim: str, figures: dict[str, float]) -> bool:
    """`claim` is a number as the README writes it; some recorded figure rounds to it."""
    decimals = len(claim.split(".")[1]) if "." in claim else 0
    return any(abs(round(value, decimals) - float(claim)) < 1e-9 for value in figures.values())


def test_timing_claims_are_recorded_benchmark_figures() -> None:
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    rows = _table("| benchmark | measured | target |")
    assert rows
    checked = 0
    for name, measured, _target in rows:
        bench = re.fullmatch(r"`python -m benchmarks\.(\w+)`", name)
        assert bench, name
        if bench.group(1) not in results:
            assert "not in results.json" in measured, f"{name}: timing claims without a recorded run"
            continue
        entry = results[bench.group(1)]
        assert f"{entry['machine']['cores']}-core machine" in measured, f"{name}: the machine is stated"
        numbers = [n for claim in re.findall(r"about ([\d./]+) s\b", measured) for n in claim.split("/")]
        numbers += re.findall(r"exponent (\d\.\d+)", measured)
        assert numbers, f"{name}: timings are written 'about N s'"
        for number in numbers:
            assert _figures_match(number, entry["figures"]), f"{name}: {number} is not a recorded figure"
            checked += 1
    assert checked
