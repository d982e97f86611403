"""Bounded loopback load test: `mdm2kg serve` under 8 clients, cheap named queries mixed with expensive ones.

Three measurements, each with its baseline from the same run:

1. side by side, the same mix against a plain ``oxigraph serve-read-only`` and against
   `mdm2kg serve` (its gateway) on the same store: throughput and p50/p99 of the cheap queries
   (target: throughput >= 0.90x and p99 <= 1.10x of plain Oxigraph). The mix: ``--clients - 1``
   clients send the named queries that answer within 250 ms alone; one client sends the slow
   named queries (the "expensive" ones, which finish);
2. `mdm2kg serve` with a runaway client added (a cartesian COUNT that ignores Oxigraph's
   --timeout-s): the cheap queries must keep answering; the runaway gets HTTP 503 after the
   timeout plus the gateway's grace, and the engine is restarted. Plain Oxigraph is not run
   here: the runaway would keep a core busy after the benchmark;
3. start: launch until the first query is answered (target: `mdm2kg serve` within 2x).

Figures are recorded in benchmarks/results.json (`bench_load`), which the README quotes.

    python -m benchmarks.bench_load [--seconds 20] [--clients 8] [--timeout 2]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import statistics
import time
import urllib.parse
from typing import Any

from benchmarks.bench_server import serve_start
from benchmarks.results import RESULTS, record
from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.artifact.store import ensure_store
from mdm2kg.oxigraph_process import oxigraph_binary
from mdm2kg.query import get_named, named_bindings, named_queries, prologue
from mdm2kg.server import OxigraphServer
from mdm2kg.sparql import bind_parameters
from tests.test_server import example_params

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}


def _client(port: int, bodies: list[bytes], seconds: float, out: Any) -> None:
    """Send `bodies` in turn on a keep-alive connection until the deadline; report (latency, status) pairs."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    answers: list[tuple[float, int]] = []
    deadline = time.perf_counter() + seconds
    i = os.getpid()
    while time.perf_counter() < deadline:
        body = bodies[i % len(bodies)]
        i += 1
        start = time.perf_counter()
        try:
            connection.request("POST", "/query", body=body, headers=HEADERS)
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        if status != 200 or response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        answers.append((time.perf_counter() - start, status))
    connection.close()
    out.put(answers)


def _run(port: int, groups: list[tuple[int, list[bytes]]], seconds: float) -> list[list[tuple[float, int]]]:
    """Answers of each group of (clients, bodies) over `seconds`."""
    context = multiprocessing.get_context("fork")
    queues = []
    workers = []
    for clients, bodies in groups:
        queue = context.Queue()
        queues.append((queue, clients))
        for _ in range(clients):
            worker = context.Process(target=_client, args=(port, bodies, seconds, queue))
            worker.start()
            workers.append(worker)
    results = [[a for _ in range(clients) for a in queue.get()] for queue, clients in queues]
    for worker in workers:
        worker.join()
    return results


def _summary(answers: list[tuple[float, int]], seconds: float) -> tuple[float, float, float, int]:
    """(answered per second, p50 ms, p99 ms, failures) of the 200 answers."""
    ok = sorted(t for t, status in answers if status == 200)
    if not ok:
        return 0.0, float("nan"), float("nan"), len(answers)
    return (len(ok) / seconds, ok[len(ok) // 2] * 1000, ok[min(len(ok) - 1, int(len(ok) * 0.99))] * 1000,
            len(answers) - len(ok))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="load duration of each run")
    parser.add_argument("--clients", type=int, default=8, help="client processes")
    parser.add_argument("--timeout", type=int, default=2, help="query timeout of both servers (seconds)")
    parser.add_argument("--repeat", type=int, default=5, help="start-time runs")
    args = parser.parse_args()

    kg = KnowledgeGraph.build()
    location = ensure_store(kg)
    binary = oxigraph_binary()
    cheap: list[bytes] = []
    slow: list[tuple[str, bytes]] = []
    with OxigraphServer(location, port=0, binary=binary, guard=False) as probe:
        for name in named_queries():
            query = get_named(name)
            text = prologue() + bind_parameters(query.text, named_bindings(kg, query, example_params(kg, query)))
            body = urllib.parse.urlencode({"query": text}).encode()
            connection = http.client.HTTPConnection("127.0.0.1", probe.port, timeout=120)
            started = time.perf_counter()
            connection.request("POST", "/query", body=body, headers=HEADERS)
            connection.getresponse().read()
            connection.close()
            (slow.append((name, body)) if time.perf_counter() - started > 0.25 else cheap.append(body))
    expensive = [b for _, b in slow] or cheap[:1]
    print(f"load on loopback, shipped graph ({os.cpu_count()} CPUs), {args.clients} clients x {args.seconds:g} s, "
          f"query timeout {args.timeout} s")
    print(f"  cheap mix: {len(cheap)} named queries; expensive: {', '.join(n for n, _ in slow) or '(none over 250 ms)'}")
    mix = [(args.clients - 1, cheap), (1, expensive)]

    rows = {}
    figures: dict[str, float] = {"clients": args.clients, "seconds per run": args.seconds}
    for label, guard in (("oxigraph serve-read-only", False), ("mdm2kg serve (gateway)", True)):
        with OxigraphServer(location, port=0, binary=binary, guard=guard, query_timeout=args.timeout) as server:
            _run(server.port, [(2, cheap[:3])], 0.5)  # warm up
            cheap_answers, expensive_answers = _run(server.port, mix, args.seconds)
        rows[label] = _summary(cheap_answers, args.seconds)
        key = "plain" if not guard else "served"
        figures |= dict(zip((f"{key} cheap queries per s", f"{key} cheap p50 ms", f"{key} cheap p99 ms", f"{key} cheap failed"),
                            rows[label], strict=True))
        q, p50, p99, failed = rows[label]
        eq, e50, _, efailed = _summary(expensive_answers, args.seconds)
        print(f"  {label:26s} cheap {q:7.0f} q/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms  failed {failed}"
              f" | expensive {eq * args.seconds:4.0f} answered (p50 {e50:.0f} ms), {efailed} failed")
    (pq, _, p99, _), (sq, _, s99, _) = rows.values()
    print(f"  ratio mdm2kg/oxigraph: throughput {sq / pq:.2f} (target >= 0.90), p99 {s99 / p99:.2f} (target <= 1.10)")
    figures |= {"throughput ratio": sq / pq, "p99 ratio": s99 / p99}

    events: list[str] = []
    with OxigraphServer(location, port=0, binary=binary, query_timeout=args.timeout, on_event=events.append) as server:
        first = server.pid
        cheap_answers, runaway_answers = _run(server.port, [(args.clients - 1, cheap), (1, [_body(RUNAWAY)])],
                                              args.seconds)
        restarted = server.pid != first
    q, p50, p99, failed = _summary(cheap_answers, args.seconds)
    figures |= {"with runaway: cheap queries per s": q, "with runaway: cheap p50 ms": p50, "with runaway: cheap p99 ms": p99,
                "with runaway: cheap failed": failed, "with runaway: cheap sent": len(cheap_answers),
                "with runaway: engine restarts": len(events) // 2}
    statuses = statistics.multimode([s for _, s in runaway_answers]) if runaway_answers else []
    print(f"  mdm2kg serve + 1 runaway client: cheap {q:7.0f} q/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms  failed {failed}"
          f" | runaway: {len(runaway_answers)} sent, status {statuses}, engine restarts {len(events) // 2}"
          f"{' (pid changed)' if restarted else ''}")
    figures |= serve_start(location, ["shipped"], args.repeat)
    record("bench_load", figures)
    print(f"figures recorded in {RESULTS}")


def _body(text: str) -> bytes:
    return urllib.parse.urlencode({"query": text}).encode()


if __name__ == "__main__":
    main()
