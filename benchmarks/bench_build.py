"""Build + validate time of the shipped data, and build scaling on synthetic curated data.

Prints ratios against a baseline measured in the same run (parsing the same YAML with the C
loader alone) and the scaling exponent of build time over 1k/10k/100k statements.
Targets: shipped build + validate <= 3 s; exponent <= 1.1.

    python -m benchmarks.bench_build [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import yaml

from mdm2kg.artifact.cache import resolve_data_dirs
from mdm2kg.artifact.pipeline import validate_data
from mdm2kg.curation.loader import load, yaml_files
from mdm2kg.rdf.builder import build_graph
from mdm2kg.rdf.ontology import load_schema


def _timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = func(*args, **kwargs)
    return time.perf_counter() - start, value


def _parse_only(dirs: list[Path]) -> None:
    for path, _ in yaml_files(dirs):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def synthetic(directory: Path, statements: int) -> Path:
    """Curated YAML with `statements` statements over statements/4 genes, in files of 5k statements."""
    directory.mkdir(parents=True, exist_ok=True)
    genes = max(2, statements // 4)
    (directory / "base.yaml").write_text(
        "publications:\n  - {id: synth, kind: review, title: Synthetic source}\nentities:\n"
        + "".join(f"  - {{id: G{i}, category: Gene, label: Gene {i}, synonyms: [g{i}]}}\n" for i in range(genes)))
    predicates = ["inhibits", "activates", "ubiquitinates", "stabilizes", "binds"]
    per_file = 5000
    for start in range(0, statements, per_file):
        lines = ["statements:"]
        for k in range(start, min(statements, start + per_file)):
            s, o = k % genes, (k * 7 + 1) % genes
            if s == o:
                o = (o + 1) % genes
            lines.append(
                f"  - {{subject: G{s}, predicate: {predicates[k % 5]}, object: G{o}, qualifiers: {{context: c{k}}},"
                f" evidence: [{{source: synth, locator: s{k % 50}, anchor: words {k}, kind: review_statement}}]}}")
        (directory / f"st_{start:07d}.yaml").write_text("\n".join(lines) + "\n")
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    schema = load_schema()
    dirs = resolve_data_dirs(None)
    base, _ = _timed(_parse_only, dirs)
    build_s, graph = _timed(lambda: build_graph(load(dirs, schema), schema))
    validate_s, report = _timed(validate_data, dirs)
    print(f"shipped data: {len(graph)} triples; parse-only baseline {base:.3f} s")
    print(f"  load+build      {build_s:.3f} s  ({build_s / base:.1f}x baseline)")
    print(f"  full validate   {validate_s:.3f} s  ({validate_s / base:.1f}x baseline; conforms={report.conforms})")
    print(f"  build+validate  {build_s + validate_s:.3f} s  (target <= 3 s: {'ok' if build_s + validate_s <= 3 else 'MISSED'})")
    sizes = [int(s) for s in args.sizes.split(",")]
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            d = synthetic(Path(tmp) / f"n{n}", n)
            parse_s, _ = _timed(_parse_only, [d])
            secs, g = _timed(lambda d=d: build_graph(load([d], schema), schema, include_ontology=False))
            points.append((n, secs))
            print(f"synthetic {n:>7} statements: build {secs:.2f} s ({len(g)} triples; {secs / parse_s:.1f}x parse-only)")
    if len(points) >= 2:
        xs = [math.log(n) for n, _ in points]
        ys = [math.log(s) for _, s in points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
        print(f"scaling exponent (log-log fit): {slope:.2f}  (target <= 1.1: {'ok' if slope <= 1.1 else 'MISSED'})")


if __name__ == "__main__":
    main()
