"""The typed card of one entity and its text, markdown and JSON renderings."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import UsageError

if TYPE_CHECKING:
    from mdm2kg.curation.model import Evidence


CURATOR_INFERENCE = "curator_inference"


class CardFormat(StrEnum):
    TEXT = "text"
    MD = "md"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a line comes from: source, locator, verbatim anchor, evidence kind, cited references."""

    source: str
    locator: str
    anchor: str
    kind: str
    cites: tuple[str, ...] = ()

    @classmethod
    def of(cls, ev: Evidence) -> Citation:
        return cls(ev.source, ev.locator, ev.anchor, ev.kind, ev.cites)

    @property
    def curator_inference(self) -> bool:
        """True when the anchor does not itself state the fact (the curator inferred it)."""
        return self.kind == CURATOR_INFERENCE

    def __str__(self) -> str:
        refs = f" citing {', '.join(self.cites)}" if self.cites else ""
        mark = " [CURATOR INFERENCE]" if self.curator_inference else f" [{self.kind}]"
        return f'{self.source} {self.locator}: "{self.anchor}"{refs}{mark}'


@dataclass(frozen=True, slots=True)
class Identifier:
    curie: str
    url: str | None


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One statement about the entity, seen from the entity ('out': it is the subject)."""

    id: str
    direction: str  # out | in
    predicate: str
    sentence: str  # "MDM4 does not ubiquitinate TP53"
    other: str  # the other entity id, or the literal value
    other_label: str
    polarity: str  # "+", "−" or ""
    negated: bool
    qualifiers: tuple[tuple[str, str], ...]
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of the card (results, arms, partners ...); the last column is `citations`."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (needs the `pandas` extra)."""
        pandas = require_pandas()
        return pandas.DataFrame(list(self.rows), columns=list(self.columns))


@dataclass(frozen=True, slots=True)
class Card:
    """Everything the graph says about one entity."""

    id: str
    label: str
    category: str
    biolink_category: str
    synonyms: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    description: str
    statements: tuple[StatementLine, ...]
    tables: tuple[Table, ...] = field(default=())

    def groups(self) -> dict[tuple[str, str], list[StatementLine]]:
        """Statement lines by (direction, predicate), 'out' first."""
        out: dict[tuple[str, str], list[StatementLine]] = {}
        for line in self.statements:
            out.setdefault((line.direction, line.predicate), []).append(line)
        return out

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise UsageError(f"card of {self.id} has no table '{name}' (tables: {', '.join(t.name for t in self.tables)})")

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["statements"] = [
            {**asdict(line), "qualifiers": dict(line.qualifiers)} for line in self.statements]
        doc["tables"] = [{"name": t.name, "title": t.title, "note": t.note,
                          "rows": [dict(zip(t.columns, r, strict=True)) for r in t.rows]} for t in self.tables]
        return doc

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_pandas(self) -> dict[str, Any]:
        """Every table of the card as a pandas DataFrame, by name, plus `statements`."""
        pandas = require_pandas()
        frames = {"statements": pandas.DataFrame([
            {"direction": s.direction, "predicate": s.predicate, "sentence": s.sentence, "other": s.other,
             "polarity": s.polarity, "negated": s.negated,
             "qualifiers": "; ".join(f"{k}={v}" for k, v in s.qualifiers),
             "citations": " | ".join(str(c) for c in s.citations)} for s in self.statements])}
        frames.update({t.name: t.to_pandas() for t in self.tables})
        return frames

    def to_text(self) -> str:
        return _render(self, markdown=False)

    def to_markdown(self) -> str:
        return _render(self, markdown=True)

    def render(self, fmt: CardFormat | str = CardFormat.TEXT) -> str:
        fmt = CardFormat(fmt)
        if fmt is CardFormat.JSON:
            return self.to_json()
        return self.to_markdown() if fmt is CardFormat.MD else self.to_text()


def require_pandas() -> Any:
    """Import pandas lazily, or explain how to install it."""
    try:
        import pandas
    except ImportError as exc:
        raise UsageError("to_pandas() needs pandas: pip install 'mdm2kg[pandas]'") from exc
    return pandas


# ----------------------------------------------------------------------------- rendering


def _render(card: Card, *, markdown: bool) -> str:
    out: list[str] = []
    h1, h2 = ("# ", "## ") if markdown else ("", "")
    bullet = "- " if markdown else "  "
    out.append(f"{h1}{card.label} ({card.category}, {card.id})")
    if not markdown:
        out.append("=" * len(out[0]))
    if card.synonyms:
        out.append(f"{bullet}synonyms: {', '.join(card.synonyms)}")
    for ident in card.identifiers:
        link = f" <{ident.url}>" if ident.url else ""
        out.append(f"{bullet}identifier: {ident.curie}{link}")
    if card.description:
        out.append(f"{bullet}description: {card.description}")
    out.append("")
    out.append(f"{h2}Statements ({len(card.statements)})")
    for (direction, predicate), lines in card.groups().items():
        arrow = "out" if direction == "out" else "in"
        out.append(f"{'### ' if markdown else ''}[{arrow}] {predicate}")
        for line in lines:
            sign = f" ({line.polarity})" if line.polarity and not line.negated else ""
            neg = " [NEGATED: the source says this does not hold]" if line.negated else ""
            qual = f" {{{'; '.join(f'{k}={v}' for k, v in line.qualifiers)}}}" if line.qualifiers else ""
            out.append(f"{bullet}{line.sentence}{sign}{qual}{neg}")
            for cite in line.citations:
                out.append(f"{'  - ' if markdown else '      '}{cite}")
    for table in card.tables:
        out.append("")
        out.append(f"{h2}{table.title} ({len(table.rows)})")
        if table.note:
            out.append(f"{'' if markdown else '  '}({table.note})")
        if markdown:
            out.append("| " + " | ".join(table.columns) + " |")
            out.append("|" + "---|" * len(table.columns))
            out += ["| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |"
                    for row in table.rows]
        else:
            for row in table.rows:
                cells = [f"{col}: {val}" for col, val in zip(table.columns, row, strict=True)
                         if val and col != "citations"]
                out.append("  - " + "; ".join(cells))
                for cited in row[-1].split(" | "):
                    if cited:
                        out.append(f"      {cited}")
    return "\n".join(out) + "\n"

