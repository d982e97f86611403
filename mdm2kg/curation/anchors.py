"""Check that every anchor phrase occurs verbatim in the cited section of its seed document."""

from __future__ import annotations

import re
from pathlib import Path

from mdm2kg.curation.model import Dataset, Location, Publication
from mdm2kg.errors import Problem, ProblemKind

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Drop markdown asterisks and collapse whitespace (how anchors are matched)."""
    return _SPACE.sub(" ", text.replace("*", "")).strip()


def section_starts(pub: Publication, lines: list[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """(locator, 0-based line) where each listed section starts, in document order (each heading is
    searched after the previous one), and the locators whose heading was not found."""
    starts: list[tuple[str, int]] = []
    missing: list[str] = []
    cursor = 0
    for locator, heading in pub.sections:
        wanted = normalise(heading)
        for i in range(cursor, len(lines)):
            if normalise(lines[i]).startswith(wanted):
                starts.append((locator, i))
                cursor = i + 1
                break
        else:
            missing.append(locator)
    return starts, missing


def section_spans(pub: Publication, text: str) -> tuple[dict[str, str], list[str]]:
    """Locator -> normalised text of that section (up to the next listed heading).
    The second value lists headings that were not found, in order."""
    lines = text.splitlines()
    starts, missing = section_starts(pub, lines)
    spans: dict[str, str] = {}
    for n, (locator, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else len(lines)
        spans[locator] = normalise("\n".join(lines[start:end]))
    return spans, missing


def check_anchors(ds: Dataset, seeds_dir: Path) -> list[Problem]:
    """Problems for anchors not found in their cited section (sources without a seed file are skipped)."""
    problems: list[Problem] = []
    spans: dict[str, dict[str, str]] = {}
    for pub in ds.publications:
        if pub.document and (seeds_dir / pub.document).is_file():
            text = (seeds_dir / pub.document).read_text(encoding="utf-8")
            spans[pub.id], missing = section_spans(pub, text)
            for locator in missing:
                loc = pub.loc or Location("", 0, 0)
                problems.append(Problem(ProblemKind.ANCHOR_NOT_FOUND, f"heading of section '{locator}' not found in {pub.document}",
                                        loc.file, loc.line, loc.column, "fix the heading text or the section order"))
    for ev in ds.all_evidence():
        sections = spans.get(ev.source)
        if sections is None or ev.locator not in sections:
            continue
        if normalise(ev.anchor) not in sections[ev.locator]:
            where = [loc for loc, body in sections.items() if normalise(ev.anchor) in body]
            hint = f"found in section(s) {', '.join(where)} instead" if where else "copy the words exactly from the source"
            loc = ev.loc or Location("", 0, 0)
            problems.append(Problem(ProblemKind.ANCHOR_NOT_FOUND,
                                    f"anchor '{ev.anchor}' not found in {ev.source} section '{ev.locator}'",
                                    loc.file, loc.line, loc.column, hint))
    return problems
