"""Push over the SPARQL 1.1 Graph Store HTTP Protocol: replace one named graph with the built graph.

The first chunk is sent with PUT (replace), the rest with POST (append), so pushing twice
leaves exactly one copy.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdm2kg.errors import UsageError
from mdm2kg.sparql.auth import AuthLike
from mdm2kg.sparql.client import PUSH_TIMEOUT, HttpClient, TimeoutsLike
from mdm2kg.sparql.errors import RemoteError
from mdm2kg.sparql.protocol import DEFAULT_GRAPH, check_iri

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

DEFAULT_CHUNK_TRIPLES = 100_000

Progress = Callable[[int, int], None]
"""Called as ``progress(triples_sent, triples_total)`` after each chunk."""


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push wrote: triple count, number of requests and wall time."""

    endpoint: str
    graph: str
    triples: int
    chunks: int
    seconds: float

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float("inf")


_BNODE = re.compile(rb"^_:|\s_:[^\s\"]+\s*\.\s*$")


def _chunks(path: Path, size: int) -> Iterator[tuple[bytes, int]]:
    """N-Triples file -> (body, triple count) pieces of at most `size` triples."""
    lines: list[bytes] = []
    with path.open("rb") as handle:
        for line in handle:
            stripped = line.strip()
            if not stripped or stripped.startswith(b"#"):
                continue
            if _BNODE.search(stripped):
                raise UsageError(f"{path} contains a blank node ({stripped[:80]!r}); mdm2kg graphs never do, "
                                 "and a pushed blank node would duplicate on every push")
            lines.append(stripped + b"\n")
            if len(lines) >= size:
                yield b"".join(lines), len(lines)
                lines = []
    if lines:
        yield b"".join(lines), len(lines)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped and not stripped.startswith(b"#"):
                count += 1
    return count


def _source_path(source: KnowledgeGraph | str | Path) -> Path:
    path = Path(source) if isinstance(source, (str, Path)) else source.nt_path
    if path.suffix != ".nt":
        raise UsageError(f"push needs the N-Triples artifact (.nt), got {path}")
    return path


def push_graph(source: KnowledgeGraph | str | Path, endpoint: str, *, graph: str = DEFAULT_GRAPH, auth: AuthLike = None,
               chunk_triples: int = DEFAULT_CHUNK_TRIPLES, progress: Progress | None = None,
               timeout: TimeoutsLike = None) -> PushReport:
    """Replace the named `graph` on a Graph Store HTTP Protocol `endpoint` with the built graph.

    `source` is a KnowledgeGraph or an N-Triples file. `timeout` bounds each request
    (a `Timeouts`, a total in seconds, or None: $MDM2KG_TIMEOUT, else 300 s).

    >>> push_graph(KnowledgeGraph.build(), "http://127.0.0.1:7878/store")  # doctest: +SKIP
    PushReport(endpoint='http://127.0.0.1:7878/store', graph='https://w3id.org/mdm2kg/graph', ...)
    """
    if chunk_triples < 1:
        raise UsageError("chunk size must be at least 1 triple")
    path = _source_path(source)
    with HttpClient(endpoint, auth=auth, timeout=timeout, default_total=PUSH_TIMEOUT) as client:
        url = client.url(graph=check_iri(graph))
        total = _count_lines(path)
        started = time.perf_counter()
        sent = chunks = 0
        pieces = _chunks(path, chunk_triples) if total else iter([(b"", 0)])
        for body, count in pieces:
            _send_chunk(client, url, body, first=chunks == 0, graph=graph, sent=sent, total=total)
            sent += count
            chunks += 1
            if progress is not None:
                progress(sent, total)
        return PushReport(client.shown, graph, sent, chunks, time.perf_counter() - started)


def _send_chunk(client: HttpClient, url: str, body: bytes, *, first: bool, graph: str, sent: int, total: int) -> None:
    """PUT the first chunk, POST the others; a failure after the first says what the graph now holds."""
    try:
        client.request("PUT" if first else "POST", url, body=body, headers={"Content-Type": "application/n-triples"},
                       what="push")
    except RemoteError as exc:
        if not first:
            exc.args = (f"{exc.args[0]}\nthe graph <{graph}> now holds only the first {sent} of {total} triples; "
                        "push again to replace it",)
        raise
