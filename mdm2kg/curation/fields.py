"""The fields of each kind of curated record, and the parser that checks one record's fields
(shape, type, range, identifiers) and appends a located problem for each fault."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mdm2kg.curation.iri import FILE_NAME_PATTERN, ID_PATTERN, identifier_problem
from mdm2kg.curation.model import Claim, Evidence, Location
from mdm2kg.curation.schema import EVIDENCE_KINDS
from mdm2kg.curation.yamlpos import REFUSED, PosDict, PosList
from mdm2kg.errors import Problem, ProblemKind

Pos = tuple[int, int]
MAX_ANCHOR_WORDS = 25


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record. `kind`: id | str | file | int | number | bool | scalar | list |
    curies | mapping | evidence | claims. Numbers may carry an inclusive range."""

    name: str
    kind: str
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None


PUBLICATION_FIELDS = (
    Field("id", "id", True), Field("kind", "str", True), Field("title", "str", True),
    Field("authors", "list"), Field("journal", "str"), Field("year", "int", minimum=1, maximum=9999), Field("date", "str"),
    Field("publisher", "str"), Field("licence", "str"), Field("identifiers", "curies"),
    Field("document", "file"), Field("sections", "mapping"), Field("referenced_by", "str"),
    Field("reference_number", "int", minimum=1),
)
ENTITY_FIELDS = (
    Field("id", "id", True), Field("category", "str", True), Field("label", "str", True),
    Field("synonyms", "list"), Field("identifiers", "curies"), Field("description", "str"),
)
STATEMENT_FIELDS = (
    Field("subject", "str", True), Field("predicate", "str", True), Field("object", "str"),
    Field("value", "scalar"), Field("qualifiers", "mapping"), Field("negated", "bool"),
    Field("evidence", "evidence", True),
)
RESULT_FIELDS = (
    Field("id", "id", True), Field("trial", "str", True), Field("arm", "str"),
    Field("comparator_arm", "str"), Field("endpoint", "str", True), Field("value", "number", True),
    Field("unit", "str", True), Field("count", "int", minimum=0), Field("denominator", "int", minimum=1),
    Field("ci_low", "number"), Field("ci_high", "number"), Field("ci_level", "number", minimum=0, maximum=100),
    Field("n", "int", minimum=0), Field("p_value", "number", minimum=0, maximum=1), Field("population", "str"),
    Field("evidence", "evidence", True),
)
OBSERVATION_FIELDS = (
    Field("id", "id", True), Field("trial", "str", True), Field("arm", "str"),
    Field("event", "str", True), Field("grade", "str", True), Field("incidence", "number", True, minimum=0),
    Field("unit", "str", True), Field("count", "int", minimum=0), Field("n", "int", minimum=0),
    Field("evidence", "evidence", True),
)
CONFLICT_FIELDS = (
    Field("id", "id", True), Field("kind", "str", True), Field("topic", "str", True),
    Field("about", "list"), Field("claims", "claims", True), Field("resolution", "str", True),
)
EVIDENCE_FIELDS = (
    Field("source", "str", True), Field("locator", "str", True), Field("anchor", "str", True),
    Field("kind", "str", True), Field("cites", "list"),
)
CLAIM_FIELDS = (Field("says", "str", True), Field("evidence", "mapping", True), Field("preferred", "bool"))


def shown(value: Any, limit: int = 60) -> str:
    """A value as it appears in a message: invisible characters spelled out, long text cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value)[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, Decimal))


class RecordParser:
    """Checks the records of one file, appending problems instead of raising."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self._typers: dict[str, Callable[[Any, Field, str, Pos], Any]] = {
            "id": self._text, "str": self._text, "file": self._text, "int": self._number, "number": self._number,
            "bool": self._bool, "scalar": self._scalar, "list": self._list, "curies": self._list,
            "mapping": self._mapping, "evidence": self._evidence_field, "claims": self._claims,
        }

    # -- reporting ----------------------------------------------------------------------------

    def problem(self, kind: ProblemKind, message: str, pos: Pos, hint: str = "") -> None:
        self.problems.append(Problem(kind, message, self.file, pos[0], pos[1], hint))

    def loc(self, raw: PosDict) -> Location:
        return Location(self.file, raw.line, raw.column)

    def enum(self, value: str | None, allowed: frozenset[str], what: str, raw: PosDict, key: str) -> None:
        """A problem when `value` is not one of `allowed`, with the nearest term as a hint."""
        if value is not None and value not in allowed:
            close = difflib.get_close_matches(value, sorted(allowed), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(sorted(allowed))}"
            self.problem(ProblemKind.UNKNOWN_TERM, f"unknown {what} '{shown(value)}'", raw.pos(key), hint)

    # -- a record: its fields -----------------------------------------------------------------

    def fields(self, raw: Any, spec: Sequence[Field], what: str, pos: Pos) -> dict[str, Any] | None:
        """The typed fields of a record (None for a missing or invalid field), or None when the
        record is not a mapping at all."""
        if not isinstance(raw, PosDict):
            if raw is not REFUSED:
                self.problem(ProblemKind.WRONG_TYPE, f"a {what} must be a mapping", pos, f"write the {what} as 'key: value' lines")
            return None
        self._unknown_fields(raw, spec, what)
        return {f.name: self._field(raw, f, what) for f in spec}

    def _unknown_fields(self, raw: PosDict, spec: Sequence[Field], what: str) -> None:
        known = [f.name for f in spec]
        for key in raw:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed fields: {', '.join(known)}"
                self.problem(ProblemKind.UNKNOWN_FIELD, f"unknown field '{shown(key)}' in {what}", raw.pos(key), hint)

    def _field(self, raw: PosDict, f: Field, what: str) -> Any:
        value = raw.get(f.name)
        if value is REFUSED:  # already reported by the YAML reader
            return None
        if value is None:
            self._missing(raw, f, what)
            return None
        return self._typers[f.kind](value, f, what, raw.pos(f.name))

    def _missing(self, raw: PosDict, f: Field, what: str) -> None:
        if f.required and f.kind == "evidence":
            self.problem(ProblemKind.NO_EVIDENCE, f"{what} has no evidence", raw.pos(), "add evidence: [{source, locator, anchor, kind}]")
        elif f.required:
            self.problem(ProblemKind.MISSING_FIELD, f"{what} lacks required field '{f.name}'", raw.pos(), f"add '{f.name}:'")

    # -- one value per kind of field ------------------------------------------------------------

    def _text(self, value: Any, f: Field, what: str, pos: Pos) -> str | None:
        if isinstance(value, (PosDict, PosList, bool)):
            self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be text", pos, "write a single value")
            return None
        text = str(value)
        if f.kind == "id" and not ID_PATTERN.match(text):
            self.problem(ProblemKind.WRONG_TYPE, f"id '{shown(text)}' is not a valid id", pos, "use letters, digits, '_', '-', '.'")
            return None
        if f.kind == "file" and not FILE_NAME_PATTERN.match(text):
            self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' '{shown(text)}' is not a plain file name", pos,
                         "give the name of a file in the seeds directory, without directories")
            return None
        if f.required and not text.strip():
            self.problem(ProblemKind.MISSING_FIELD, f"'{f.name}' of {what} is empty", pos, f"write the {f.name}")
            return None
        return text

    def _number(self, value: Any, f: Field, what: str, pos: Pos) -> int | Decimal | None:
        if not is_number(value):
            self.problem(ProblemKind.NOT_A_NUMBER, f"'{f.name}' of {what} must be a number, got '{shown(value)}'", pos,
                         "write the bare number (no %, units or text)")
            return None
        number: int | Decimal = value
        if f.kind == "int":
            if isinstance(number, Decimal):
                if number != number.to_integral_value():
                    self.problem(ProblemKind.NOT_A_NUMBER, f"'{f.name}' of {what} must be a whole number, got {number}", pos)
                    return None
                number = int(number)
        else:
            number = Decimal(number)
        if (f.minimum is not None and number < f.minimum) or (f.maximum is not None and number > f.maximum):
            low = "" if f.minimum is None else f"at least {f.minimum}"
            high = "" if f.maximum is None else f"at most {f.maximum}"
            self.problem(ProblemKind.OUT_OF_RANGE, f"'{f.name}' of {what} is {number}; it must be {' and '.join(filter(None, (low, high)))}",
                         pos, "check the value in the source")
            return None
        return number

    def _bool(self, value: Any, f: Field, what: str, pos: Pos) -> bool | None:
        if not isinstance(value, bool):
            self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' must be true or false", pos)
            return None
        return value

    def _scalar(self, value: Any, f: Field, what: str, pos: Pos) -> Any:
        if isinstance(value, (PosDict, PosList)):
            self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be a single value", pos)
            return None
        return value

    def _list(self, value: Any, f: Field, what: str, pos: Pos) -> tuple[str, ...]:
        if not isinstance(value, PosList):
            self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be a list", pos, "write [a, b] or '- a' lines")
            return ()
        out: list[str] = []
        for item, ipos in zip(value, value.item_pos, strict=True):
            if item is REFUSED:
                continue
            if isinstance(item, (PosDict, PosList)) or item is None:
                self.problem(ProblemKind.WRONG_TYPE, f"items of '{f.name}' must be single values", ipos, "write one value per item")
                continue
            text = str(item)
            if f.kind == "curies":
                error = identifier_problem(text)
                if error:
                    self.problem(ProblemKind.BAD_IDENTIFIER, f"identifier '{shown(text)}': {error}", ipos,
                                 "correct it, or leave it out when unsure")
                    continue
            out.append(text)
        return tuple(out)

    def _mapping(self, value: Any, f: Field, what: str, pos: Pos) -> PosDict | None:
        if not isinstance(value, PosDict):
            self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be a mapping", pos)
            return None
        return value

    def _evidence_field(self, value: Any, f: Field, what: str, pos: Pos) -> tuple[Evidence, ...]:
        return self.evidence_list(value, what, pos)

    def _claims(self, value: Any, f: Field, what: str, pos: Pos) -> tuple[Claim, ...]:
        if not isinstance(value, PosList) or len(value) < 2:
            self.problem(ProblemKind.WRONG_TYPE, f"'claims' of {what} must list at least two claims", pos,
                         "give each disagreeing passage its own claim")
            return ()
        claims = (self.claim(raw, cpos) for raw, cpos in zip(value, value.item_pos, strict=True))
        return tuple(c for c in claims if c is not None)

    # -- evidence and claims ------------------------------------------------------------------

    def claim(self, raw: Any, pos: Pos) -> Claim | None:
        fields = self.fields(raw, CLAIM_FIELDS, "claim", pos)
        if fields is None or fields["evidence"] is None:
            return None
        ev = self.evidence(fields["evidence"], fields["evidence"].pos())
        if ev is None or fields["says"] is None:
            return None
        return Claim(says=fields["says"], evidence=ev, preferred=fields["preferred"])

    def evidence_list(self, value: Any, what: str, pos: Pos) -> tuple[Evidence, ...]:
        if not isinstance(value, PosList) or not value:
            self.problem(ProblemKind.NO_EVIDENCE, f"{what} has no evidence", pos, "add evidence: [{source, locator, anchor, kind}]")
            return ()
        evidence = (self.evidence(raw, epos) for raw, epos in zip(value, value.item_pos, strict=True))
        return tuple(ev for ev in evidence if ev is not None)

    def evidence(self, raw: Any, pos: Pos) -> Evidence | None:
        fields = self.fields(raw, EVIDENCE_FIELDS, "evidence", pos)
        if fields is None or None in (fields["source"], fields["locator"], fields["anchor"], fields["kind"]):
            return None
        assert isinstance(raw, PosDict)
        self.enum(fields["kind"], EVIDENCE_KINDS, "evidence kind", raw, "kind")
        anchor = fields["anchor"]
        if len(anchor.split()) > MAX_ANCHOR_WORDS:
            self.problem(ProblemKind.WRONG_TYPE, f"anchor is longer than {MAX_ANCHOR_WORDS} words", raw.pos("anchor"),
                         "quote a few words that find the passage, not whole sentences")
        return Evidence(
            source=fields["source"], locator=fields["locator"], anchor=anchor, kind=fields["kind"],
            cites=tuple(fields["cites"] or ()), loc=Location(self.file, *raw.pos()),
        )
