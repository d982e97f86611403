"""Source coverage: which sentences of the source documents that mention two or more known
entities are cited by at least one evidence anchor, which are deliberately left out (with a
reason, in `<data dir>/coverage/exclusions.yml`) and which are neither.

A document is split into its listed sections (`sections` of the publication, as the anchor
check does), each section into lines and each line into sentences; a table row is one
sentence. An entity is mentioned when its label or a synonym occurs case-insensitively on
word boundaries; overlapping matches keep the longest. A sentence is covered when the
normalised anchor of some evidence from that source and section lies inside it.

Library code: returns a typed report, prints nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from mdm2kg.curation.anchors import normalise, section_starts
from mdm2kg.curation.model import Dataset, Publication
from mdm2kg.errors import UsageError

EXCLUSIONS_FILE = Path("coverage") / "exclusions.yml"
DEFAULT_THRESHOLD = 95.0
MIN_LABEL_LENGTH = 2
# end of a sentence: . ! or ? (optionally followed by a citation marker) then space and a capital
_SENTENCE_END = re.compile(r"(?<=[.!?])(\s?\[[\d,–\-\s]+\])?\s+(?=[A-Z(\[“\"])")


class Status(StrEnum):
    """Verdict on one sentence."""

    COVERED = "covered"
    EXCLUDED = "excluded"
    UNCOVERED = "uncovered"


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A sentence (identified by a verbatim fragment) or a whole section deliberately left out."""

    source: str
    locator: str
    reason: str
    text: str | None = None  # None: the whole section


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence that mentions two or more known entities."""

    source: str
    locator: str
    line: int
    text: str
    entities: tuple[str, ...]
    status: Status
    reason: str | None = None  # the exclusion's reason, or the citing anchor


@dataclass(frozen=True, slots=True)
class SectionCoverage:
    locator: str
    sentences: tuple[Sentence, ...]

    def count(self, status: Status) -> int:
        return sum(1 for s in self.sentences if s.status is status)


@dataclass(frozen=True, slots=True)
class DocumentCoverage:
    source: str
    document: str
    sections: tuple[SectionCoverage, ...]

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for sec in self.sections for s in sec.sentences)

    def count(self, status: Status) -> int:
        return sum(sec.count(status) for sec in self.sections)

    @property
    def total(self) -> int:
        return len(self.sentences)

    @property
    def percent(self) -> float:
        """Covered or explained, as a percentage of all multi-entity sentences (100 when none)."""
        if not self.total:
            return 100.0
        return 100.0 * (self.count(Status.COVERED) + self.count(Status.EXCLUDED)) / self.total


@dataclass(frozen=True, slots=True)
class CoverageReport:
    documents: tuple[DocumentCoverage, ...]
    threshold: float = DEFAULT_THRESHOLD
    unused_exclusions: tuple[Exclusion, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Every document reaches the threshold."""
        return all(d.percent >= self.threshold for d in self.documents)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        def sentence(s: Sentence) -> dict[str, Any]:
            return {"line": s.line, "text": s.text, "entities": list(s.entities), "status": s.status.value,
                    "reason": s.reason}

        return {
            "ok": self.ok,
            "threshold": self.threshold,
            "documents": [{
                "source": d.source, "document": d.document, "sentences": d.total,
                "covered": d.count(Status.COVERED), "excluded": d.count(Status.EXCLUDED),
                "uncovered": d.count(Status.UNCOVERED), "percent": round(d.percent, 1),
                "sections": [{
                    "locator": sec.locator, "sentences": len(sec.sentences),
                    "covered": sec.count(Status.COVERED), "excluded": sec.count(Status.EXCLUDED),
                    "uncovered": sec.count(Status.UNCOVERED),
                    "uncovered_sentences": [sentence(s) for s in sec.sentences if s.status is Status.UNCOVERED],
                } for sec in d.sections],
            } for d in self.documents],
            "unused_exclusions": [{"source": e.source, "locator": e.locator, "text": e.text, "reason": e.reason}
                                  for e in self.unused_exclusions],
        }


# ----------------------------------------------------------------------------- splitting


def section_lines(pub: Publication, text: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """(locator, [(1-based line number, line)]) per listed section found, in document order.
    Section starts are found as the anchor check finds them."""
    lines = text.splitlines()
    starts, _ = section_starts(pub, lines)
    out = []
    for n, (locator, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else len(lines)
        out.append((locator, [(i + 1, lines[i]) for i in range(start, end)]))
    return out


def split_sentences(line: str) -> list[str]:
    """Sentences of one line (normalised); a tab-separated table row is one sentence."""
    text = normalise(line)
    if not text:
        return []
    if "\t" in line:
        return [text]
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        cut = m.start() + len(m.group(1) or "")
        out.append(text[start:cut].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


# ----------------------------------------------------------------------------- entity mentions


class EntityMatcher:
    """Finds known entities by label or synonym: case-insensitive, on word boundaries, longest match wins."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        by_name: dict[str, set[str]] = {}
        for entity_id, name in names:
            key = normalise(name).casefold()
            if len(key) >= MIN_LABEL_LENGTH:
                by_name.setdefault(key, set()).add(entity_id)
        self._ids = {k: tuple(sorted(v)) for k, v in by_name.items()}
        ordered = sorted(self._ids, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(n) for n in ordered) + r")(?!\w)", re.IGNORECASE
        ) if ordered else None

    @classmethod
    def from_dataset(cls, ds: Dataset) -> EntityMatcher:
        return cls((e.id, name) for e in ds.entities for name in (e.label, *e.synonyms))

    def mentions(self, sentence: str) -> list[tuple[str, ...]]:
        """Distinct mentioned names, each as the ids of the entities that bear that name."""
        if self._pattern is None:
            return []
        seen: dict[str, tuple[str, ...]] = {}
        for m in self._pattern.finditer(sentence):
            key = m.group(0).casefold()
            seen.setdefault(key, self._ids[key])
        distinct: list[tuple[str, ...]] = []
        for ids in seen.values():
            if ids not in distinct:
                distinct.append(ids)
        return distinct


# ----------------------------------------------------------------------------- exclusions


_EXCLUSION_KEYS = {"source", "locator", "text", "reason"}


def load_exclusions(data_dirs: Sequence[Path]) -> list[Exclusion]:
    """The curated exclusions of each data directory (`coverage/exclusions.yml`, optional)."""
    import yaml

    out: list[Exclusion] = []
    for directory in data_dirs:
        path = directory / EXCLUSIONS_FILE
        if not path.is_file():
            continue
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise UsageError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(raw, dict) or set(raw) - {"exclusions"}:
            raise UsageError(f"{path}: expected one top-level key 'exclusions' (a list)")
        for n, item in enumerate(raw.get("exclusions") or [], start=1):
            if not isinstance(item, dict) or set(item) - _EXCLUSION_KEYS or not {"source", "locator", "reason"} <= set(item):
                raise UsageError(f"{path}: exclusion #{n} needs source, locator and reason (and optionally text), nothing else")
            text = item.get("text")
            out.append(Exclusion(source=str(item["source"]), locator=str(item["locator"]), reason=str(item["reason"]),
                                 text=normalise(str(text)) if text is not None else None))
    return out


# ----------------------------------------------------------------------------- the report


def coverage(ds: Dataset, sources_dir: Path, *, exclusions: Sequence[Exclusion] = (),
             threshold: float = DEFAULT_THRESHOLD) -> CoverageReport:
    """Coverage of every publication of `ds` whose `document` is a file in `sources_dir`."""
    if not sources_dir.is_dir():
        raise UsageError(f"source directory not found: {sources_dir}")
    matcher = EntityMatcher.from_dataset(ds)
    anchors: dict[tuple[str, str], set[str]] = {}
    for ev in ds.all_evidence():
        anchors.setdefault((ev.source, ev.locator), set()).add(normalise(ev.anchor))
    used: set[Exclusion] = set()
    documents = []
    for pub in ds.publications:
        if not pub.document or not (sources_dir / pub.document).is_file():
            continue
        text = (sources_dir / pub.document).read_text(encoding="utf-8")
        sections = []
        for locator, lines in section_lines(pub, text):
            cited = anchors.get((pub.id, locator), set())
            whole = [e for e in exclusions if e.source == pub.id and e.locator == locator and e.text is None]
            partial = [e for e in exclusions if e.source == pub.id and e.locator == locator and e.text is not None]
            found = []
            for line_no, line in lines:
                for sentence in split_sentences(line):
                    mentioned = matcher.mentions(sentence)
                    if len(mentioned) < 2:
                        continue
                    entities = tuple(sorted({i for ids in mentioned for i in ids}))
                    anchor = next((a for a in sorted(cited) if a in sentence), None)
                    excl = next((e for e in partial if e.text and normalise(e.text) in sentence), None) or (whole[0] if whole else None)
                    if anchor is not None:
                        status, reason = Status.COVERED, anchor
                    elif excl is not None:
                        status, reason = Status.EXCLUDED, excl.reason
                        used.add(excl)
                    else:
                        status, reason = Status.UNCOVERED, None
                    found.append(Sentence(pub.id, locator, line_no, sentence, entities, status, reason))
            if found:
                used.update(whole)
            sections.append(SectionCoverage(locator, tuple(found)))
        documents.append(DocumentCoverage(pub.id, pub.document, tuple(sections)))
    unused = tuple(e for e in exclusions if e not in used and any(d.source == e.source for d in documents))
    return CoverageReport(tuple(documents), threshold, unused)
