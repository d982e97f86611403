"""Cold start where users wait: `mdm2kg query --name trials_of_compound --param compound=milademetan`
and `mdm2kg path milademetan acquired_TP53_mutation`, each in a fresh process with a warm build
cache, against a native script that bulk-loads the same cached N-Triples into pyoxigraph and runs
the same query text (measured in the same run, runs interleaved). Then which heavy modules each
command imports (python -X importtime).

Targets: cold query <= 1.5x the native script; cold path <= 2x the native script.

    python -m benchmarks.bench_cold [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.results import RESULTS, record
from mdm2kg.digest import RACY_SECONDS
from mdm2kg.prefixes import ID_BASE, SPARQL_PROLOGUE
from mdm2kg.resources import queries_dir

QUERY_ARGS = ["query", "--name", "trials_of_compound", "--param", "compound=milademetan"]
PATH_ARGS = ["path", "milademetan", "acquired_TP53_mutation"]
TARGETS = {"query": 1.5, "path": 2.0}
# Modules the query and path commands should not need (networkx is flagged for query only:
# path may use it); reported with their cumulative import time when a command imports them.
HEAVY = ("rdflib", "pyshacl", "yaml", "networkx", "numpy", "click", "pyvis", "jinja2", "pandas", "requests")

NATIVE = """\
import sys
import pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
query = open(sys.argv[2], encoding="utf-8").read()
solutions = store.query(query, substitutions={ox.Variable("compound"): ox.NamedNode(sys.argv[3])})
for row in solutions:
    print("\\t".join("" if term is None else term.value for term in row))
"""


@dataclass
class Command:
    label: str
    argv: list[str]
    times: list[float] = field(default_factory=list)
    failure: str = ""

    def run(self, env: dict[str, str]) -> None:
        start = time.perf_counter()
        done = subprocess.run(self.argv, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            self.failure = f"exit {done.returncode}: {last[:160]}"
        else:
            self.times.append(elapsed)


def mdm2kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "mdm2kg", *args]


def warm_cache(env: dict[str, str]) -> Path:
    """Build (or reuse) the shipped graph in the cache dir of `env`; return its N-Triples file."""
    script = "from mdm2kg.artifact.graph import KnowledgeGraph; print(KnowledgeGraph.build().nt_path)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    return Path(done.stdout.strip().splitlines()[-1])


def imports(argv: Sequence[str], env: dict[str, str]) -> tuple[float, dict[str, float], dict[str, float]]:
    """A command's total import seconds; per package it imports, the cumulative seconds of importing
    it (what it pulls in included); and per third-party or mdm2kg package, the seconds spent in its
    own modules."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, env=env)
    total_us = 0
    cumulative: dict[str, float] = {}
    own: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        _, self_us, cumulative_us, name = (part.strip() for part in line.replace("import time:", "|", 1).split("|"))
        total_us += int(self_us)
        top = name.split(".")[0]
        if name == top:
            cumulative[top] = max(cumulative.get(top, 0.0), int(cumulative_us) / 1e6)
        if top not in sys.stdlib_module_names and not top.startswith("_") and top not in ("sitecustomize", "org"):
            own[top] = own.get(top, 0.0) + int(self_us) / 1e6
    return total_us / 1e6, cumulative, own


def seconds(packages: dict[str, float], limit: int = 6) -> str:
    return ", ".join(f"{name} {secs:.3f} s" for name, secs in sorted(packages.items(), key=lambda kv: -kv[1])[:limit]) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cache-dir", type=Path, help="build cache to use (default: a fresh temporary one, warmed first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, MDM2KG_CACHE_DIR=str(args.cache_dir or Path(tmp) / "cache"))
        # an installed package has compiled bytecode; this machine's PYTHONDONTWRITEBYTECODE would make every
        # cold run recompile mdm2kg's sources, which no user pays
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        nt = warm_cache(env)
        # files written within digest.RACY_SECONDS are never remembered by the stat memo (mdm2kg.digest):
        # the first commands right after a build re-read and hash the graph; a user's later commands do not
        time.sleep(RACY_SECONDS + 0.1)
        query_file = Path(tmp) / "trials_of_compound.rq"
        query_file.write_text(SPARQL_PROLOGUE + (queries_dir() / "trials_of_compound.rq").read_text(encoding="utf-8"))
        native = Command("native pyoxigraph script", [sys.executable, "-c", NATIVE, str(nt), str(query_file), ID_BASE + "milademetan"])
        commands = {"native": native, "query": Command("mdm2kg " + " ".join(QUERY_ARGS), mdm2kg(*QUERY_ARGS)),
                    "path": Command("mdm2kg " + " ".join(PATH_ARGS), mdm2kg(*PATH_ARGS)),
                    "python": Command("python -c pass (interpreter start)", [sys.executable, "-c", "pass"])}
        for command in commands.values():  # warm-up: OS file cache, any on-disk store
            command.run(env)
            command.times.clear()
        rows = subprocess.run(native.argv, capture_output=True, text=True, env=env, check=True).stdout.count("\n")
        assert rows > 0, "the native script found no trials of milademetan: it would measure nothing"
        for _ in range(args.repeat):  # interleaved, so a busy moment hits every command alike
            for command in commands.values():
                command.run(env)
        print(f"cold start, fresh processes, warm build cache ({nt.stat().st_size / 1e6:.1f} MB N-Triples; the native script finds"
              f" {rows} trials); "
              f"{args.repeat} interleaved runs each; load average {os.getloadavg()[0]:.1f}")
        base = statistics.median(native.times) if native.times else float("nan")
        figures: dict[str, float] = {}
        for key, command in commands.items():
            if command.failure and not command.times:
                print(f"  {command.label:<72} FAILED ({command.failure})")
                continue
            med, best = statistics.median(command.times), min(command.times)
            figures[f"{key} median s"] = med
            line = f"  {command.label:<72} median {med:.3f} s, best {best:.3f} s"
            if key in TARGETS:
                ratio = med / base
                figures[f"{key} ratio to native"] = ratio
                line += f"  {ratio:.2f}x native (best {best / min(native.times):.2f}x); target <= {TARGETS[key]}x: "
                line += "met" if ratio <= TARGETS[key] else "MISSED"
            print(line)
        for key in ("query", "path"):
            if commands[key].failure and not commands[key].times:
                print(f"  target for {key}: not measured, the command fails")
        print("\nimports (python -X importtime)")
        for key in ("query", "path"):
            total, cumulative, own = imports(commands[key].argv, env)
            unwanted = {name: secs for name, secs in cumulative.items() if name in HEAVY and not (key == "path" and name == "networkx")}
            print(f"  {key}: all imports {total:.3f} s; heavy modules it should not need (with what they pull in): {seconds(unwanted)}")
            print(f"  {'':{len(key)}}  time in each package's own modules: {seconds(own)}")
        native_total, _, _ = imports(native.argv, env)
        print(f"  native script: all imports {native_total:.3f} s")
        record("bench_cold", figures)
        print(f"\nfigures recorded in {RESULTS}")


if __name__ == "__main__":
    main()
