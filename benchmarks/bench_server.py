"""Real-server speed on loopback: push throughput and named-query round trips, against embedded.

Every figure is printed with its baseline measured in the same run:
  - push (Graph Store HTTP Protocol PUT/POST into a local Oxigraph server) in triples/s
    vs bulk-loading the same N-Triples into an embedded in-memory pyoxigraph store
  - each named query over the SPARQL 1.1 Protocol (with and without remote entity
    resolution) vs the same query embedded (`run_named`)
Optionally the same against Virtuoso 7.2 (``--virtuoso``; Debian's virtuoso-opensource).

    python -m benchmarks.bench_server [--copies 20] [--repeat 7] [--virtuoso]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.bench_query import best_of
from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.query import get_named, named_bindings, named_queries, run_named
from mdm2kg.server import OxigraphServer
from mdm2kg.sparql import Auth, AuthLike, AuthScheme, push_graph, run_named_remote, run_remote
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


def push_throughput(label: str, nt: Path, triples: int, store_url: str, auth: AuthLike, repeat: int) -> None:
    """Best-of push rate into a new graph and replacing an existing copy, vs an embedded bulk load."""
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


def query_latency(kg: KnowledgeGraph, query_url: str, graph: str, repeat: int) -> None:
    print(f"  {'named query':<36} {'embedded':>10} {'remote':>10} {'ratio':>6}   {'remote, pre-resolved':>20} {'ratio':>6}")
    ratios, raw_ratios, remote_times = [], [], []
    for name in named_queries():
        query = get_named(name)
        params = example_params(kg, query)
        bindings = named_bindings(kg, query, params)
        embedded = best_of(lambda name=name, params=params: run_named(kg, name, params), repeat)  # type: ignore[misc]
        remote = best_of(lambda name=name, params=params: run_named_remote(query_url, name, params, graph=graph),  # type: ignore[misc]
                         repeat)
        raw = best_of(lambda text=query.text, b=bindings: run_remote(query_url, text, bindings=b, graph=graph), repeat)  # type: ignore[misc]
        ratios.append(remote / embedded)
        remote_times.append(remote)
        raw_ratios.append(raw / embedded)
        print(f"  {name:<36} {embedded * 1000:8.2f}ms {remote * 1000:8.2f}ms {remote / embedded:6.1f}"
              f"   {raw * 1000:18.2f}ms {raw / embedded:6.1f}")
    print(f"  median remote {statistics.median(remote_times) * 1000:.2f} ms; median ratio remote/embedded "
          f"{statistics.median(ratios):.1f} (pre-resolved {statistics.median(raw_ratios):.1f}); max {max(ratios):.1f}")


@contextlib.contextmanager
def oxigraph(directory: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(directory / "oxigraph", port=0, read_only=False) as server:
        yield server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20, help="copies of the shipped graph for the large push")
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (best is reported)")
    parser.add_argument("--virtuoso", action="store_true", help="also measure Virtuoso 7.2 (virtuoso-opensource)")
    args = parser.parse_args()

    kg = KnowledgeGraph.build()
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
                query_latency(kg, query_url, graph, args.repeat)
                print(f"\n{engine}: push throughput on loopback (best of {args.repeat})")
                push_throughput("shipped graph", kg.nt_path, shipped_triples, store_url, auth, args.repeat)
                push_throughput(f"{args.copies} copies", big, big_triples, store_url, auth, max(2, args.repeat // 3))


if __name__ == "__main__":
    main()
