"""The read model's hot views kept as JSON beside the cached graph, so a cold command does not
re-read them from the store (reading every statement with its evidence takes 0.1-0.2 s; loading
this file takes milliseconds).

A view file is trusted only for the exact graph bytes and read-model code it was made from: its
header holds the graph's SHA-256 (from the verified `verdict.json`) and a hash of this package's
source, and anything else is recomputed. JSON, not pickle: the file is data, never code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mdm2kg.digest import memo_digest
from mdm2kg.read.views import Entity, Statement

if TYPE_CHECKING:
    from mdm2kg.curation.model import Scalar

T = TypeVar("T")
FORMAT = "1"


@lru_cache(maxsize=4)
def code_hash(memo: Path | None = None) -> str:
    """Hash of the read-model source (a change of code invalidates every view file); kept in the
    stat memo `memo` when given (see `mdm2kg.digest`)."""
    labelled = [(path.name, path) for path in sorted(Path(__file__).parent.glob("*.py"))]
    return memo_digest(memo, labelled, FORMAT)[:16]


def cached_view(directory: Path | None, graph_sha: str | None, name: str, compute: Callable[[], T],
                encode: Callable[[T], Any], decode: Callable[[Any], T]) -> T:
    """`compute()`, or its copy from `directory/view-<name>.json` when made for the same graph and code."""
    if directory is None or not graph_sha:
        return compute()
    path = directory / f"view-{name}.json"
    header = {"graph": graph_sha, "code": code_hash(directory.parent / "memo" / "read-model-code.json")}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("header") == header:
            return decode(raw["data"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass  # missing or damaged: recompute
    value = compute()
    from mdm2kg.fileio import atomic_write

    try:
        atomic_write(path, json.dumps({"header": header, "data": encode(value)}, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # a read-only cache still answers, only slower
    return value


def _scalar(value: Scalar | None) -> list[str] | None:
    if value is None:
        return None
    kind = "b" if isinstance(value, bool) else "i" if isinstance(value, int) else "d" if isinstance(value, Decimal) else "s"
    return [kind, str(value).lower() if kind == "b" else str(value)]


def _unscalar(raw: list[str] | None) -> Scalar | None:
    if raw is None:
        return None
    kind, text = raw
    if kind == "b":
        return text == "true"
    if kind == "i":
        return int(text)
    if kind == "d":
        return Decimal(text)
    return text


def encode_entities(entities: dict[str, Entity]) -> list[list[Any]]:
    return [[e.id, e.category, e.label, list(e.synonyms), list(e.identifiers), e.description, e.biolink_category]
            for e in entities.values()]


def decode_entities(raw: list[list[Any]]) -> dict[str, Entity]:
    return {r[0]: Entity(r[0], r[1], r[2], tuple(r[3]), tuple(r[4]), r[5], r[6]) for r in raw}


def encode_statements(statements: tuple[Statement, ...]) -> list[list[Any]]:
    return [[st.id, st.subject, st.predicate, st.object, _scalar(st.value), st.polarity, st.negated,
             [[k, _scalar(v)] for k, v in st.qualifiers],
             [[e.source, e.locator, e.anchor, e.kind, list(e.cites)] for e in st.evidence],
             st.predicate_label, st.biolink_predicate] for st in statements]


def decode_statements(raw: list[list[Any]]) -> tuple[Statement, ...]:
    from mdm2kg.curation.model import Evidence

    out = []
    for sid, s, p, o, value, polarity, negated, quals, evidence, label, biolink in raw:
        out.append(Statement(sid, s, p, o, _unscalar(value), polarity, negated,
                             tuple((k, _unscalar(v)) for k, v in quals),  # type: ignore[misc]  # qualifiers are never None
                             tuple(Evidence(a, b, c, d, tuple(e)) for a, b, c, d, e in evidence), label, biolink))
    return tuple(out)
