"""The plain-text rendering of a path search: one block per path, hop by hop, with citations.

`format_path_text` turns the `PathSearch` that `mdm2kg.paths.find_paths` returns into what
`mdm2kg path` (and `mdm2kg demo`) print: a heading per path (hops, net polarity, score,
citations), each hop as an arrow (or, with `explain`, as one sentence), then its
same-direction alternatives, qualifiers and citations. The JSON form is `PathSearch.as_dict`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdm2kg.paths import FoundPath, Hop, PathSearch


def _hop_line(hop: Hop, labels: dict[str, str]) -> str:
    s, o = labels.get(hop.subject, hop.subject), labels.get(hop.object, hop.object)
    sign = {1: "(+)", -1: "(−)", 0: ""}[hop.polarity]
    if hop.direction == "forward":
        return f"  {s} --{hop.predicate}{sign}--> {o}"
    return f"  {o} <--{hop.predicate}{sign}-- {s}"


def _net(path: FoundPath) -> str:
    if path.polarity is None:
        return "no net polarity (head-on route)"
    return "net polarity " + {1: "+", -1: "−", 0: "unsigned"}[path.polarity]


def format_path_text(search: PathSearch, *, explain: bool = False) -> str:
    """Readable hops with qualifiers and citations, one block per path; with `explain`, one
    sentence per hop instead of arrows."""
    lines: list[str] = []
    for i, path in enumerate(search.paths, start=1):
        lines.append(f"Path {i}: {path.length} hop(s), {_net(path)}, score {path.score:.4g}, "
                     f"{path.evidence_count} citation(s)" + (", through low-information nodes" if path.low_information else ""))
        for hop in path.hops:
            if explain:
                lines.append(f"  {hop.statement.sentence(search.labels)}.")
            else:
                lines.append(_hop_line(hop, search.labels))
            if hop.alternatives:
                lines.append(f"      also, same direction: {', '.join(hop.alternatives)}")
            if hop.statement.qualifiers:
                lines.append("      qualifiers: " + "; ".join(f"{k}={v}" for k, v in hop.statement.qualifiers))
            for c in hop.citations:
                lines.append(f"      [{c.kind}] {c}")
        lines.append("")
    if search.message:
        lines.append(search.message)
    return "\n".join(lines).rstrip() + "\n"
