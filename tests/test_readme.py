"""The README tells the truth: its graph counts are `mdm2kg stats --format json` of the shipped
data, and its timing claims are the figures the benchmarks recorded in benchmarks/results.json.
(That its commands and Python examples run as printed is tests/test_readme_blocks.py.)

A timing claim is a number with a unit of time, rate or ratio (`s`, `ms`, `triples/s`,
`queries/s`, `q/s`, `×`) in a passage (paragraph, list item or table row) that names the
benchmark that measured it (`python -m benchmarks.NAME`, or `... --serve`; a heading naming one
covers its section), or any "about N unit" or "N×" anywhere: each must be a figure of that
benchmark's entry in results.json, in the same unit, within the rounding shown ("about 64k
triples/s" is 63,500 to 64,500). Settings such as "default 60 s" are not claims."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
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


NUMBER = r"\d[\d,]*(?:\.\d+)?k?"
CLAIM = re.compile(rf"({NUMBER}(?:/{NUMBER})*) ?(ms|s|×|triples/s|queries/s|q/s)(?![\w/])")
ABOUT = re.compile(rf"about ({NUMBER}(?:/{NUMBER})*) ?(ms|s|triples/s|queries/s|q/s)(?![\w/])|{NUMBER}×")
BENCHMARK = re.compile(r"`python -m benchmarks\.(\w+)(?: \[[^]]*\])*( --serve)?")
# unit as written -> (suffix of a figure's name in results.json, factor from the figure to the unit)
UNITS = {"s": ((" s", 1.0),), "ms": ((" ms", 1.0), (" s", 1000.0)), "×": (("ratio", 1.0), ("ratio to native", 1.0)),
         "triples/s": (("triples per s", 1.0),), "queries/s": (("queries per s", 1.0),), "q/s": (("queries per s", 1.0),)}


def _matches(claim: str, unit: str, figures: dict[str, float]) -> bool:
    """Some figure of `figures` in `unit` rounds to `claim`, a number as the README writes it."""
    scale = 1000.0 if claim.endswith("k") else 1.0
    digits = claim.rstrip("k").replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    tolerance = 0.5 * 10.0 ** -decimals * scale + 1e-9
    candidates = [value * factor for name, value in figures.items() for suffix, factor in UNITS[unit]
                  if name.endswith(suffix) or (suffix == "ratio" and "ratio" in name)]
    return any(abs(value - float(digits) * scale) <= tolerance for value in candidates)


def _passages() -> Iterator[tuple[str, str | None, str]]:
    """(text, the benchmark it names or else its section's heading names, that heading) of every
    README paragraph, list item and table row outside code blocks."""
    heading, section = "", None
    passage: list[str] = []
    in_code = False

    def done() -> Iterator[tuple[str, str | None, str]]:
        text = " ".join(passage)
        named = BENCHMARK.search(text)
        if text:
            yield text, (named.group(1) + (named.group(2) or "")) if named else section, heading
        passage.clear()

    for raw in README.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            yield from done()
        elif in_code:
            continue
        elif line.startswith("#"):
            yield from done()
            named = BENCHMARK.search(line)
            heading, section = line, (named.group(1) + (named.group(2) or "")) if named else None
        elif line.startswith("|"):
            yield from done()
            passage.append(line)
            yield from done()
        else:
            if not line or line.startswith(("- ", "<!--")):
                yield from done()
            if line:
                passage.append(line)
    yield from done()


def test_timing_claims_are_recorded_benchmark_figures() -> None:
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    checked: dict[str, int] = {}
    for text, bench, heading in _passages():
        if bench is None:
            assert not ABOUT.search(text), f"a timing claim that names no benchmark: {text[:160]}"
            continue
        claims = CLAIM.findall(text.rsplit("|", 2)[0] if text.startswith("| `python -m") else text)  # not the target column
        if not claims:
            continue
        assert bench in results, f"{bench}: timing claims without a recorded run: {text[:160]}"
        entry = results[bench]
        cores = entry["machine"]["cores"]
        assert re.search(rf"\b{cores}(-core| shared CPUs)", text + heading), f"{bench}: the machine is not stated: {text[:160]}"
        for numbers, unit in claims:
            for number in numbers.split("/"):
                assert _matches(number, unit, entry["figures"]), f"{bench}: {number} {unit} is not a recorded figure: {text[:160]}"
                checked[bench] = checked.get(bench, 0) + 1
    for bench in ("bench_build", "bench_cold", "bench_query", "bench_render", "bench_server", "bench_load"):
        assert checked.get(bench), f"no timing claim of {bench} was checked"


def test_exponents_are_recorded_figures() -> None:
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    exponents = [(bench, value) for text, bench, _ in _passages() for value in re.findall(r"exponent (\d\.\d+)", text)]
    assert exponents
    for bench, value in exponents:
        assert bench in results
        scaling = {k: v for k, v in results[bench]["figures"].items() if "exponent" in k}
        assert any(abs(v - float(value)) <= 0.005 + 1e-9 for v in scaling.values()), value
