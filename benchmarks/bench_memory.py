"""Peak memory and time of `mdm2kg validate` and `mdm2kg build` on synthetic curated data.

Each measurement runs in a fresh child process, which reports its peak resident set size
(resource.getrusage ru_maxrss) and the time of the command itself. The baseline, measured in
the same run on the same files, is plain `yaml.load(..., Loader=yaml.CSafeLoader)` of every
file with the garbage collector paused (as mdm2kg's loader does; with it running, plain
yaml.load of 100k statements takes minutes): the cost of just reading the YAML. Ratios are
against that baseline.

    python -m benchmarks.bench_memory [--sizes 10000,100000] [--tasks baseline,load,build-no-shacl,validate,build]
                                      [--timeout 900]

A task that runs longer than --timeout seconds is stopped and reported as such (SHACL
validation with pySHACL grows faster than linearly with the data).

The synthetic data comes from `benchmarks.bench_build.synthetic` (statements over genes, in
files of 5,000 statements).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TASKS = ("baseline", "load", "build-no-shacl", "validate", "build")
DESCRIPTIONS = {
    "baseline": "yaml.load (CSafeLoader) of every file",
    "load": "loader only (all checks, no graph)",
    "build-no-shacl": "mdm2kg build --no-shacl",
    "validate": "mdm2kg validate (loader + graph + SHACL)",
    "build": "mdm2kg build (loader + graph + SHACL + .nt/.ttl)",
}


def _rss_now_kb() -> int:
    """Current resident set size (Linux /proc), in kB; 0 elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _child(task: str, data: Path, out: Path) -> dict[str, float]:
    """Run one task in this (fresh) process; return its time and memory figures."""
    import yaml

    if task == "baseline":
        from mdm2kg.curation.files import yaml_files

        def work() -> None:
            from mdm2kg.perf import gc_paused

            with gc_paused():
                for path, _ in yaml_files([data]):
                    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    elif task == "load":
        from mdm2kg.curation.loader import load
        from mdm2kg.rdf.ontology import load_schema

        schema = load_schema()

        def work() -> None:
            load([data], schema)
    else:
        from mdm2kg.cli import main

        args = {"build-no-shacl": ["build", "--no-shacl", "--out", str(out)], "validate": ["validate"],
                "build": ["build", "--out", str(out)]}[task] + ["--data", str(data)]
        import mdm2kg.cli.core
        import mdm2kg.rdf.builder
        import mdm2kg.rdf.shacl  # noqa: F401

        def work() -> None:
            try:
                main(args, standalone_mode=False)
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise
    idle_kb = _rss_now_kb()
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "idle_mb": idle_kb / 1024}


def measure(task: str, data: Path, out: Path, *, timeout: float) -> dict[str, float] | None:
    """Run `task` in a child process and return its figures (None when it ran out of time)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as result:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                                          os.environ.get("PYTHONPATH", "")]))}
        try:
            subprocess.run([sys.executable, "-m", "benchmarks.bench_memory", "--child", task, str(data), str(out), result.name],
                           check=True, env=env, stdout=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        figures: dict[str, float] = json.loads(Path(result.name).read_text())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per task (default 900)")
    parser.add_argument("--child", nargs=4, metavar=("TASK", "DATA", "OUT", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        task, data, out, result = args.child
        Path(result).write_text(json.dumps(_child(task, Path(data), Path(out))))
        return

    from benchmarks.bench_build import synthetic

    tasks = [t for t in args.tasks.split(",") if t]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        parser.error(f"unknown task(s) {', '.join(unknown)}; known: {', '.join(TASKS)}")
    if "baseline" not in tasks:
        tasks.insert(0, "baseline")
    print(f"{'statements':>10}  {'task':<16} {'time s':>8} {'x base':>7} {'peak MB':>8} {'x base':>7} {'peak-idle MB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            data = synthetic(Path(tmp) / f"n{n}", n)
            base: dict[str, float] = {}
            for task in tasks:
                figures = measure(task, data, Path(tmp) / f"out{n}", timeout=args.timeout)
                if figures is None:
                    print(f"{n:>10}  {task:<16} {'> ' + format(args.timeout, '.0f'):>8}  (stopped: over the time limit)", flush=True)
                    continue
                base = base or figures
                print(f"{n:>10}  {task:<16} {figures['seconds']:>8.2f} {figures['seconds'] / base['seconds']:>6.1f}x "
                      f"{figures['peak_mb']:>8.0f} {figures['peak_mb'] / base['peak_mb']:>6.1f}x "
                      f"{figures['peak_mb'] - figures['idle_mb']:>12.0f}", flush=True)
    print("\n" + "\n".join(f"  {t:<16} {DESCRIPTIONS[t]}" for t in tasks))


if __name__ == "__main__":
    main()
