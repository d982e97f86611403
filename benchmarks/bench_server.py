"""Real-server speed on loopback: push throughput and named-query round trips, against embedded.

Every figure is printed with its baseline measured in the same run:
  - push (Graph Store HTTP Protocol PUT/POST into a local Oxigraph server) in triples/s
    vs bulk-loading the same N-Triples into an embedded in-memory pyoxigraph store
  - each named query over the SPARQL 1.1 Protocol (with and without remote entity
    resolution) vs the same query embedded (`run_named`)
Optionally the same against Virtuoso 7.2 (``--virtuoso``; Debian's virtuoso-opensource).

``--serve`` measures what `mdm2kg serve` adds in front of Oxigraph (its gateway: Host check,
SERVICE refusal), side by side with a plain ``oxigraph serve-read-only`` on the same store:
  - start: launch until the first query is answered, for both (target: serve within 2x)
  - load: 8 client processes with keep-alive connections sending the named queries for
    ``--seconds`` each; throughput and p50/p99 latency (target: within 10% of plain Oxigraph)

Figures are recorded in benchmarks/results.json (`bench_server`; `bench_server --serve` for
``--serve``), which the README quotes.

    python -m benchmarks.bench_server [--copies 20] [--repeat 7] [--virtuoso]
    python -m benchmarks.bench_server --serve [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.bench_query import best_of
from benchmarks.results import RESULTS, record
from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.artifact.store import ensure_store
from mdm2kg.oxigraph_process import free_port, oxigraph_binary
from mdm2kg.query import get_named, named_bindings, named_queries, prologue, run_named
from mdm2kg.query.binding import inline_constants
from mdm2kg.server import OxigraphServer
from mdm2kg.sparql import Auth, AuthLike, AuthScheme, bind_parameters, push_graph, run_named_remote, run_remote
from tests.test_server import example_params

ID = "https://w3id.org/mdm2kg/id/"


def scaled_copy(kg: KnowledgeGraph, copies: int, path: Path) -> int:
    """`copies` disjoint copies of the graph (entity IRIs renamed) as one N-Triples file."""
    lines = kg.ntriples().decode("utf-8").splitlines()
    with path.open("w", encoding="utf-8") as out:
        for c in range(copies):
            for line in lines:
                out.write((line.replace(f"<{ID}", f"<{ID}c{c}_") if c else line) + "\n")
    return len(lines) * copies


def push_throughput(label: str, nt: Path, triples: int, store_url: str, auth: AuthLike, repeat: int) -> dict[str, float]:
    """Best-of push rate into a new graph and replacing an existing copy, vs an embedded bulk load;
    the rates (triples per s) by name."""
    counter = iter(range(10**6))

    def embedded_load() -> None:
        ox.Store().bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)

    def push_new() -> None:
        push_graph(nt, store_url, graph=f"https://example.org/bench/{label.replace(' ', '-')}/{next(counter)}", auth=auth)

    def push_replace() -> None:
        push_graph(nt, store_url, graph=f"https://example.org/bench/{label.replace(' ', '-')}/replace", auth=auth)

    base = best_of(embedded_load, repeat)
    new, replace = best_of(push_new, repeat), best_of(push_replace, repeat)
    print(f"  {label:<16} {triples:>8} triples | embedded bulk load {triples / base:>9,.0f}/s | "
          f"push into new graph {triples / new:>9,.0f}/s (x{new / base:.1f} the load time) | "
          f"push replacing a copy {triples / replace:>9,.0f}/s (x{replace / base:.1f})")
    return {f"{label}: triples": triples, f"{label}: embedded bulk load triples per s": triples / base,
            f"{label}: push into new graph triples per s": triples / new,
            f"{label}: push replacing a copy triples per s": triples / replace}


def query_latency(kg: KnowledgeGraph, query_url: str, graph: str, repeat: int) -> dict[str, float]:
    """Round trip of every named query against embedded; the medians by name."""
    print(f"  {'named query':<36} {'embedded':>10} {'remote':>10} {'ratio':>6}   {'remote, pre-resolved':>20} {'ratio':>6}")
    ratios, raw_ratios, remote_times, embedded_times, raw_times = [], [], [], [], []
    for name in named_queries():
        query = get_named(name)
        params = example_params(kg, query)
        bindings = named_bindings(kg, query, params)
        embedded = best_of(lambda name=name, params=params: run_named(kg, name, params), repeat)  # type: ignore[misc]
        remote = best_of(lambda name=name, params=params: run_named_remote(query_url, name, params, graph=graph),  # type: ignore[misc]
                         repeat)
        text, rest = inline_constants(query.text, bindings)  # the text run_named_remote sends, minus resolving
        raw = best_of(lambda text=text, b=rest: run_remote(query_url, text, bindings=b, graph=graph), repeat)  # type: ignore[misc]
        ratios.append(remote / embedded)
        remote_times.append(remote)
        embedded_times.append(embedded)
        raw_times.append(raw)
        raw_ratios.append(raw / embedded)
        print(f"  {name:<36} {embedded * 1000:8.2f}ms {remote * 1000:8.2f}ms {remote / embedded:6.1f}"
              f"   {raw * 1000:18.2f}ms {raw / embedded:6.1f}")
    print(f"  median remote {statistics.median(remote_times) * 1000:.2f} ms; median ratio remote/embedded "
          f"{statistics.median(ratios):.1f} (pre-resolved {statistics.median(raw_ratios):.1f}); max {max(ratios):.1f}")
    return {"named queries": len(remote_times), "named query round trip median ms": statistics.median(remote_times) * 1000,
            "named query round trip median ratio to embedded": statistics.median(ratios),
            "named query round trip max ratio to embedded": max(ratios),
            "named query embedded median ms": statistics.median(embedded_times) * 1000,
            "named query pre-resolved round trip median ms": statistics.median(raw_times) * 1000}


@contextlib.contextmanager
def oxigraph(directory: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(directory / "oxigraph", port=0, read_only=False) as server:
        yield server


# ----------------------------------------------------------------------------- serve: gateway vs plain Oxigraph


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/query?query=ASK%7B%7D")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _start_time(command: list[str], port: int) -> float:
    """Seconds from launch until `command` answers a query on `port`; the process is stopped after."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not _answers(port):
            if process.poll() is not None:
                raise RuntimeError(f"{command[:3]} exited with {process.returncode}")
            time.sleep(0.001)
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait()


# What a Python launcher of Oxigraph pays before any of mdm2kg's code runs: each floor is the same
# interpreter as `mdm2kg serve`, importing the named modules and then exec'ing the same
# `oxigraph serve-read-only` command line (no parsing, no store check, no gateway).
FLOORS = {
    "python": "",
    "python + import re (the prologue of pip's console script)": "import re",
    "python + argparse, pathlib, socket, subprocess, threading": "import argparse, pathlib, socket, subprocess, threading",
}
EXEC = "import os, sys; os.execv(sys.argv[1], sys.argv[1:])"


def serve_start(location: Path, data: list[str], repeat: int) -> dict[str, float]:
    """Medians of launch-to-first-answer: plain Oxigraph, `mdm2kg serve`, and the Python floors
    (interleaved, so all see the same machine)."""
    binary = str(oxigraph_binary())

    def plain(port: int) -> list[str]:
        return [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]

    commands = {"oxigraph serve-read-only": plain,
                "mdm2kg serve": lambda port: [sys.executable, "-m", "mdm2kg", "serve", "--port", str(port),
                                              *[a for d in data for a in ("--data", d)]]}
    def floor(imports: str) -> Callable[[int], list[str]]:
        return lambda port: [sys.executable, "-c", f"{imports}\n{EXEC}", *plain(port)]

    for label, imports in FLOORS.items():
        commands[f"floor: {label}"] = floor(imports)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(repeat):
        for label, command in commands.items():
            port = free_port()
            times[label].append(_start_time(command(port), port))
    medians = {label: statistics.median(values) for label, values in times.items()}
    base = medians["oxigraph serve-read-only"]
    print(f"  start, launch to first answer (median of {repeat}):")
    for label, value in medians.items():
        target = " (target <= 2)" if label == "mdm2kg serve" else ""
        print(f"    {label:62s} {value * 1000:5.0f} ms  {value / base:4.1f}x{target}")
    figures = {"start oxigraph serve-read-only s": base, "start mdm2kg serve s": medians["mdm2kg serve"],
               "start ratio": medians["mdm2kg serve"] / base}
    for label in FLOORS:
        key = label.split(" (", 1)[0]
        figures |= {f"start floor {key} s": medians[f"floor: {label}"],
                    f"start floor {key} ratio": medians[f"floor: {label}"] / base}
    return figures


def _client(port: int, bodies: list[bytes], seconds: float, out: Any) -> None:
    """One load client: a keep-alive connection sending the bodies in turn until the deadline."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    deadline = time.perf_counter() + seconds
    i = os.getpid()
    while time.perf_counter() < deadline:
        body = bodies[i % len(bodies)]
        i += 1
        start = time.perf_counter()
        connection.request("POST", "/query", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        latencies.append(time.perf_counter() - start)
    connection.close()
    out.put(latencies)


def _load_one(port: int, body: bytes) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", "/query", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    connection.getresponse().read()
    connection.close()


def _load(port: int, bodies: list[bytes], clients: int, seconds: float) -> tuple[float, float, float]:
    """(queries per second, p50 ms, p99 ms) for `clients` processes over `seconds`."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_client, args=(port, bodies, seconds, queue)) for _ in range(clients)]
    for worker in workers:
        worker.start()
    latencies = [x for _ in workers for x in queue.get()]
    for worker in workers:
        worker.join()
    latencies.sort()
    return len(latencies) / seconds, latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000


def serve_load(kg: KnowledgeGraph, location: Path, clients: int, seconds: float, rounds: int) -> dict[str, float]:
    """Throughput and latency under load; named queries slower than 250 ms alone are left out of
    the mix (they measure the engine, not what the gateway adds), and named."""
    bodies: list[bytes] = []
    slow: list[str] = []
    with OxigraphServer(location, port=0, guard=False) as probe:
        for name in named_queries():
            query = get_named(name)
            text = prologue() + bind_parameters(query.text, named_bindings(kg, query, example_params(kg, query)))
            body = urllib.parse.urlencode({"query": text}).encode()
            started = time.perf_counter()
            _load_one(probe.port, body)
            if time.perf_counter() - started > 0.25:
                slow.append(name)
            else:
                bodies.append(body)
    if slow:
        print(f"  left out of the load mix (over 250 ms alone): {', '.join(slow)}")
    binary = oxigraph_binary()
    results: dict[str, list[tuple[float, float, float]]] = {"plain": [], "served": []}
    for _ in range(rounds):  # alternate, so both see the same machine load
        with OxigraphServer(location, port=0, binary=binary, guard=False) as plain:
            _load(plain.port, bodies[:3], 2, 0.5)  # warm up
            results["plain"].append(_load(plain.port, bodies, clients, seconds))
        with OxigraphServer(location, port=0, binary=binary) as served:
            _load(served.port, bodies[:3], 2, 0.5)
            results["served"].append(_load(served.port, bodies, clients, seconds))
    (pq, p50, p99), (sq, s50, s99) = (tuple(statistics.median(r[i] for r in results[k]) for i in range(3))
                                      for k in ("plain", "served"))
    print(f"  load ({clients} clients x {seconds:g} s, {len(bodies)} named queries, median of {rounds} rounds):")
    print(f"    oxigraph serve-read-only {pq:8.0f} q/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    print(f"    mdm2kg serve (gateway)   {sq:8.0f} q/s  p50 {s50:6.2f} ms  p99 {s99:6.2f} ms")
    print(f"    ratio: throughput {sq / pq:.2f} (target >= 0.90), p99 {s99 / p99:.2f} (target <= 1.10)")
    return {"plain queries per s": pq, "plain p50 ms": p50, "plain p99 ms": p99, "served queries per s": sq,
            "served p50 ms": s50, "served p99 ms": s99, "throughput ratio": sq / pq, "p99 ratio": s99 / p99,
            "p50 difference ms": s50 - p50}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20, help="copies of the shipped graph for the large push")
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (best is reported)")
    parser.add_argument("--virtuoso", action="store_true", help="also measure Virtuoso 7.2 (virtuoso-opensource)")
    parser.add_argument("--serve", action="store_true", help="measure `mdm2kg serve` against plain Oxigraph instead")
    parser.add_argument("--seconds", type=float, default=10.0, help="load duration per round (--serve)")
    parser.add_argument("--clients", type=int, default=8, help="load client processes (--serve)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating load rounds per server (--serve)")
    args = parser.parse_args()

    kg = KnowledgeGraph.build()
    figures: dict[str, float] = {}
    if args.serve:
        location = ensure_store(kg)
        print(f"mdm2kg serve vs oxigraph serve-read-only on the shipped graph ({os.cpu_count()} CPUs, loopback)")
        figures |= serve_start(location, ["shipped"], args.repeat)
        figures |= serve_load(kg, location, args.clients, args.seconds, args.rounds)
        record("bench_server --serve", figures)
        print(f"figures recorded in {RESULTS}")
        return
    with tempfile.TemporaryDirectory(prefix="mdm2kg-bench-server-") as tmp:
        directory = Path(tmp)
        big = directory / "scaled.nt"
        big_triples = scaled_copy(kg, args.copies, big)
        shipped_triples = len(kg.store)
        engines: list[tuple[str, Any, AuthLike]] = [("oxigraph", oxigraph, None)]
        if args.virtuoso:
            from tests.test_virtuoso import run_virtuoso

            engines.append(("virtuoso", run_virtuoso, Auth("dba", "dba", AuthScheme.DIGEST)))
        for engine, start, auth in engines:
            engine_dir = directory / engine
            engine_dir.mkdir()
            with start(engine_dir) as server:
                store_url = server.store_url if engine == "oxigraph" else server.graph_crud
                query_url = server.query_url if engine == "oxigraph" else server.sparql
                # queries first, while the store holds only the shipped graph (Virtuoso's cost
                # estimate, unlike the answers, grows with everything else in the store)
                graph = "https://example.org/bench/shipped"
                push_graph(kg, store_url, graph=graph, auth=auth)
                print(f"\n{engine}: named-query round trip on loopback vs embedded (best of {args.repeat})")
                figures |= {f"{engine}: {k}": v for k, v in query_latency(kg, query_url, graph, args.repeat).items()}
                print(f"\n{engine}: push throughput on loopback (best of {args.repeat})")
                for label, nt, triples, repeat in (("shipped graph", kg.nt_path, shipped_triples, args.repeat),
                                                   (f"{args.copies} copies", big, big_triples, max(2, args.repeat // 3))):
                    rates = push_throughput(label, nt, triples, store_url, auth, repeat)
                    figures |= {f"{engine}, {k}": v for k, v in rates.items()}
    record("bench_server", figures)
    print(f"\nfigures recorded in {RESULTS}")


if __name__ == "__main__":
    main()
