"""Curated YAML -> typed records, gathering every problem with file:line:column and a fix hint.

Two passes: `_parse_*` here check each record's shape (fields, types, identifiers), then
`mdm2kg.curation.references.check_references` checks ids across all files (duplicates, unknown ids,
domain/range, locators).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from mdm2kg.curation.files import yaml_files
from mdm2kg.curation.model import (
    AdverseEventObservation,
    Claim,
    Dataset,
    Entity,
    Evidence,
    Location,
    Publication,
    SourceConflict,
    Statement,
    TrialResult,
)
from mdm2kg.curation.references import check_references
from mdm2kg.curation.schema import (
    CONFLICT_KINDS,
    ENDPOINTS,
    EVIDENCE_KINDS,
    MODALITIES,
    PUBLICATION_KINDS,
    UNITS,
    Schema,
)
from mdm2kg.curation.yamlpos import PosDict, PosList, load_yaml
from mdm2kg.errors import CurationError, Problem, ProblemKind, UsageError
from mdm2kg.perf import gc_paused
from mdm2kg.prefixes import check_curie

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
SECTIONS = ("publications", "entities", "statements", "results", "observations", "conflicts")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # id | str | int | number | bool | list | curies | evidence | mapping | claims
    required: bool = False


PUBLICATION_FIELDS = (
    Field("id", "id", True), Field("kind", "str", True), Field("title", "str", True),
    Field("authors", "list"), Field("journal", "str"), Field("year", "int"), Field("date", "str"),
    Field("publisher", "str"), Field("licence", "str"), Field("identifiers", "curies"),
    Field("document", "str"), Field("sections", "mapping"), Field("referenced_by", "str"),
    Field("reference_number", "int"),
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
    Field("unit", "str", True), Field("count", "int"), Field("denominator", "int"),
    Field("ci_low", "number"), Field("ci_high", "number"), Field("ci_level", "number"),
    Field("n", "int"), Field("p_value", "number"), Field("population", "str"),
    Field("evidence", "evidence", True),
)
OBSERVATION_FIELDS = (
    Field("id", "id", True), Field("trial", "str", True), Field("arm", "str"),
    Field("event", "str", True), Field("grade", "str", True), Field("incidence", "number", True),
    Field("unit", "str", True), Field("count", "int"), Field("n", "int"),
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


class _FileParser:
    """Parses one file's records, appending problems instead of raising."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def problem(self, kind: ProblemKind, message: str, pos: tuple[int, int], hint: str = "") -> None:
        self.problems.append(Problem(kind, message, self.file, pos[0], pos[1], hint))

    def fields(self, raw: Any, spec: Sequence[Field], what: str, pos: tuple[int, int]) -> dict[str, Any] | None:
        if not isinstance(raw, PosDict):
            self.problem(ProblemKind.WRONG_TYPE, f"a {what} must be a mapping", pos, f"write the {what} as 'key: value' lines")
            return None
        known = {f.name: f for f in spec}
        out: dict[str, Any] = {}
        for key in raw:
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed fields: {', '.join(known)}"
                self.problem(ProblemKind.UNKNOWN_FIELD, f"unknown field '{key}' in {what}", raw.pos(key), hint)
        for f in spec:
            value = raw.get(f.name)
            fpos = raw.pos(f.name)
            if value is None:
                if f.required and f.kind == "evidence":
                    self.problem(ProblemKind.NO_EVIDENCE, f"{what} has no evidence", raw.pos(),
                                 "add evidence: [{source, locator, anchor, kind}]")
                elif f.required:
                    self.problem(ProblemKind.MISSING_FIELD, f"{what} lacks required field '{f.name}'", raw.pos(), f"add '{f.name}:'")
                out[f.name] = None
                continue
            out[f.name] = self.typed(value, f, what, fpos)
        return out

    def typed(self, value: Any, f: Field, what: str, pos: tuple[int, int]) -> Any:
        kind = f.kind
        if kind in ("id", "str"):
            if isinstance(value, (PosDict, PosList)) or isinstance(value, bool):
                self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be text", pos, "write a single value")
                return None
            text = str(value)
            if kind == "id" and not ID_PATTERN.match(text):
                self.problem(ProblemKind.WRONG_TYPE, f"id '{text}' is not a valid id", pos, "use letters, digits, '_', '-', '.'")
                return None
            return text
        if kind in ("int", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
                self.problem(ProblemKind.NOT_A_NUMBER, f"'{f.name}' of {what} must be a number, got '{value}'", pos,
                             "write the bare number (no %, units or text)")
                return None
            if kind == "int" and isinstance(value, Decimal):
                if value != value.to_integral_value():
                    self.problem(ProblemKind.NOT_A_NUMBER, f"'{f.name}' of {what} must be a whole number, got {value}", pos)
                    return None
                return int(value)
            return Decimal(value) if kind == "number" else value
        if kind == "bool":
            if not isinstance(value, bool):
                self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' must be true or false", pos)
                return None
            return value
        if kind == "scalar":
            if isinstance(value, (PosDict, PosList)):
                self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be a single value", pos)
                return None
            return value
        if kind in ("list", "curies"):
            items = value if isinstance(value, PosList) else None
            if items is None:
                self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be a list", pos, "write [a, b] or '- a' lines")
                return ()
            out = tuple(str(v) for v in items)
            if kind == "curies":
                for curie, ipos in zip(out, items.item_pos, strict=True):
                    error = check_curie(curie)
                    if error:
                        self.problem(ProblemKind.BAD_IDENTIFIER, f"identifier '{curie}': {error}", ipos,
                                     "correct it, or leave it out when unsure")
            return out
        if kind == "mapping":
            if not isinstance(value, PosDict):
                self.problem(ProblemKind.WRONG_TYPE, f"'{f.name}' of {what} must be a mapping", pos)
                return None
            return value
        if kind == "evidence":
            return self.evidence_list(value, what, pos)
        if kind == "claims":
            if not isinstance(value, PosList) or len(value) < 2:
                self.problem(ProblemKind.WRONG_TYPE, f"'claims' of {what} must list at least two claims", pos,
                             "give each disagreeing passage its own claim")
                return ()
            claims = []
            for raw, cpos in zip(value, value.item_pos, strict=True):
                fields = self.fields(raw, CLAIM_FIELDS, "claim", cpos)
                if fields is None:
                    continue
                ev = self.evidence(fields["evidence"], fields["evidence"].pos() if fields["evidence"] else cpos) if fields["evidence"] else None
                if ev is not None and fields["says"] is not None:
                    claims.append(Claim(says=fields["says"], evidence=ev, preferred=fields["preferred"]))
            return tuple(claims)
        raise AssertionError(kind)  # pragma: no cover

    def evidence_list(self, value: Any, what: str, pos: tuple[int, int]) -> tuple[Evidence, ...]:
        if not isinstance(value, PosList) or not value:
            self.problem(ProblemKind.NO_EVIDENCE, f"{what} has no evidence", pos,
                         "add evidence: [{source, locator, anchor, kind}]")
            return ()
        out = []
        for raw, epos in zip(value, value.item_pos, strict=True):
            ev = self.evidence(raw, epos)
            if ev is not None:
                out.append(ev)
        return tuple(out)

    def evidence(self, raw: Any, pos: tuple[int, int]) -> Evidence | None:
        fields = self.fields(raw, EVIDENCE_FIELDS, "evidence", pos)
        if fields is None or None in (fields["source"], fields["locator"], fields["anchor"], fields["kind"]):
            return None
        if fields["kind"] not in EVIDENCE_KINDS:
            self.problem(ProblemKind.UNKNOWN_TERM, f"unknown evidence kind '{fields['kind']}'", raw.pos("kind"),
                         f"use one of {', '.join(sorted(EVIDENCE_KINDS))}")
        anchor = fields["anchor"]
        if len(anchor.split()) > 25:
            self.problem(ProblemKind.WRONG_TYPE, "anchor is longer than 25 words", raw.pos("anchor"),
                         "quote a few words that find the passage, not whole sentences")
        return Evidence(
            source=fields["source"], locator=fields["locator"], anchor=anchor, kind=fields["kind"],
            cites=tuple(fields["cites"] or ()), loc=Location(self.file, *raw.pos()),
        )

    def loc(self, raw: PosDict) -> Location:
        return Location(self.file, raw.line, raw.column)

    def enum(self, value: str | None, allowed: frozenset[str], what: str, raw: PosDict, key: str) -> None:
        if value is not None and value not in allowed:
            close = difflib.get_close_matches(value, sorted(allowed), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(sorted(allowed))}"
            self.problem(ProblemKind.UNKNOWN_TERM, f"unknown {what} '{value}'", raw.pos(key), hint)


def _records(parser: _FileParser, raw_list: Any, pos: tuple[int, int], section: str) -> Iterable[tuple[PosDict, tuple[int, int]]]:
    if not isinstance(raw_list, PosList):
        parser.problem(ProblemKind.WRONG_TYPE, f"'{section}' must be a list of records", pos, "start each record with '- '")
        return []
    return [(r, p) for r, p in zip(raw_list, raw_list.item_pos, strict=True)]


def _parse_file(path: Path, display: str, schema: Schema, dataset: Dataset, problems: list[Problem]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(ProblemKind.YAML_SYNTAX, f"cannot read file: {exc}", display, 0, 0, "save it as UTF-8 text"))
        return
    data, yaml_problems = load_yaml(text, display)
    problems.extend(yaml_problems)
    if data is None:
        return
    parser = _FileParser(display, problems)
    if not isinstance(data, PosDict):
        parser.problem(ProblemKind.WRONG_TYPE, "a curation file must be a mapping of record lists", (1, 1),
                       f"use top-level keys {', '.join(SECTIONS)}")
        return
    for key in data:
        if key not in SECTIONS:
            close = difflib.get_close_matches(key, SECTIONS, n=1)
            parser.problem(ProblemKind.UNKNOWN_FIELD, f"unknown top-level key '{key}'", data.pos(key),
                           f"did you mean '{close[0]}'?" if close else f"use {', '.join(SECTIONS)}")
    handlers: dict[str, Callable[[_FileParser, PosDict, tuple[int, int], Schema, Dataset], None]] = {
        "publications": _parse_publication, "entities": _parse_entity, "statements": _parse_statement,
        "results": _parse_result, "observations": _parse_observation, "conflicts": _parse_conflict,
    }
    for section, handler in handlers.items():
        if section in data and data[section] is not None:
            for raw, pos in _records(parser, data[section], data.pos(section), section):
                handler(parser, raw, pos, schema, dataset)


def _parse_publication(p: _FileParser, raw: PosDict, pos: tuple[int, int], schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, PUBLICATION_FIELDS, "publication", pos)
    if f is None or None in (f["id"], f["kind"], f["title"]):
        return
    p.enum(f["kind"], PUBLICATION_KINDS, "publication kind", raw, "kind")
    sections: tuple[tuple[str, str], ...] = ()
    if f["sections"] is not None:
        sections = tuple((str(k), str(v)) for k, v in f["sections"].items())
    ds.publications.append(Publication(
        id=f["id"], kind=f["kind"], title=f["title"], authors=tuple(f["authors"] or ()), journal=f["journal"],
        year=f["year"], date=f["date"], publisher=f["publisher"], licence=f["licence"],
        identifiers=tuple(f["identifiers"] or ()), document=f["document"], sections=sections,
        referenced_by=f["referenced_by"], reference_number=f["reference_number"], loc=p.loc(raw),
    ))


def _parse_entity(p: _FileParser, raw: PosDict, pos: tuple[int, int], schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, ENTITY_FIELDS, "entity", pos)
    if f is None or None in (f["id"], f["category"], f["label"]):
        return
    p.enum(f["category"], schema.categories, "category", raw, "category")
    ds.entities.append(Entity(
        id=f["id"], category=f["category"], label=f["label"], synonyms=tuple(f["synonyms"] or ()),
        identifiers=tuple(f["identifiers"] or ()), description=f["description"], loc=p.loc(raw),
    ))


def _parse_statement(p: _FileParser, raw: PosDict, pos: tuple[int, int], schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, STATEMENT_FIELDS, "statement", pos)
    if f is None or None in (f["subject"], f["predicate"]):
        return
    spec = schema.predicates.get(f["predicate"])
    if spec is None:
        p.enum(f["predicate"], frozenset(schema.predicates), "predicate", raw, "predicate")
        return
    if spec.kind == "object" and (f["object"] is None or f["value"] is not None):
        p.problem(ProblemKind.WRONG_TYPE, f"predicate '{spec.name}' links two entities: give 'object:' and no 'value:'", raw.pos(), "")
        return
    if spec.kind == "data":
        if f["value"] is None or f["object"] is not None:
            p.problem(ProblemKind.WRONG_TYPE, f"predicate '{spec.name}' takes a literal: give 'value:' and no 'object:'", raw.pos(), "")
            return
        rng = next(iter(spec.range))
        value = f["value"]
        if rng in ("integer", "decimal") and (isinstance(value, bool) or not isinstance(value, (int, Decimal))):
            p.problem(ProblemKind.NOT_A_NUMBER, f"value of '{spec.name}' must be a number, got '{value}'", raw.pos("value"),
                      "write the bare number")
            return
        if rng == "integer" and isinstance(value, Decimal) and value != value.to_integral_value():
            p.problem(ProblemKind.NOT_A_NUMBER, f"value of '{spec.name}' must be a whole number", raw.pos("value"))
            return
        if rng == "string":
            f["value"] = str(value)
        if spec.name == "modality":
            p.enum(str(value), MODALITIES, "modality", raw, "value")
    qualifiers: list[tuple[str, Any]] = []
    for key, value in (f["qualifiers"] or {}).items():
        qtype = schema.qualifiers.get(key)
        qpos = f["qualifiers"].pos(key)
        if qtype is None:
            p.enum(key, frozenset(schema.qualifiers), "qualifier", f["qualifiers"], key)
            continue
        if qtype == "decimal" and (isinstance(value, bool) or not isinstance(value, (int, Decimal))):
            p.problem(ProblemKind.NOT_A_NUMBER, f"qualifier '{key}' must be a number, got '{value}'", qpos, "write the bare number")
            continue
        if qtype == "boolean" and not isinstance(value, bool):
            p.problem(ProblemKind.WRONG_TYPE, f"qualifier '{key}' must be true or false", qpos)
            continue
        if qtype == "string":
            if isinstance(value, (PosDict, PosList)):
                p.problem(ProblemKind.WRONG_TYPE, f"qualifier '{key}' must be a single value", qpos)
                continue
            value = str(value)
        qualifiers.append((key, Decimal(value) if qtype == "decimal" else value))
    if not f["evidence"]:
        return
    ds.statements.append(Statement(
        subject=f["subject"], predicate=f["predicate"], object=f["object"], value=f["value"],
        qualifiers=tuple(sorted(qualifiers)), evidence=f["evidence"], loc=p.loc(raw), negated=bool(f["negated"]),
    ))


def _parse_result(p: _FileParser, raw: PosDict, pos: tuple[int, int], schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, RESULT_FIELDS, "result", pos)
    if f is None or None in (f["id"], f["trial"], f["endpoint"], f["value"], f["unit"]) or not f["evidence"]:
        return
    p.enum(f["endpoint"], ENDPOINTS, "endpoint", raw, "endpoint")
    p.enum(f["unit"], UNITS, "unit", raw, "unit")
    ci_level = f["ci_level"]
    if ci_level is None and (f["ci_low"] is not None or f["ci_high"] is not None):
        ci_level = Decimal(95)
    ds.results.append(TrialResult(
        id=f["id"], trial=f["trial"], endpoint=f["endpoint"], value=f["value"], unit=f["unit"], evidence=f["evidence"],
        arm=f["arm"], comparator_arm=f["comparator_arm"], count=f["count"], denominator=f["denominator"],
        ci_low=f["ci_low"], ci_high=f["ci_high"], ci_level=ci_level, n=f["n"], p_value=f["p_value"],
        population=f["population"], loc=p.loc(raw),
    ))


def _parse_observation(p: _FileParser, raw: PosDict, pos: tuple[int, int], schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, OBSERVATION_FIELDS, "observation", pos)
    if f is None or None in (f["id"], f["trial"], f["event"], f["grade"], f["incidence"], f["unit"]) or not f["evidence"]:
        return
    p.enum(f["unit"], UNITS, "unit", raw, "unit")
    ds.observations.append(AdverseEventObservation(
        id=f["id"], trial=f["trial"], event=f["event"], grade=f["grade"], incidence=f["incidence"], unit=f["unit"],
        evidence=f["evidence"], arm=f["arm"], count=f["count"], n=f["n"], loc=p.loc(raw),
    ))


def _parse_conflict(p: _FileParser, raw: PosDict, pos: tuple[int, int], schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, CONFLICT_FIELDS, "conflict", pos)
    if f is None or None in (f["id"], f["kind"], f["topic"], f["resolution"]) or not f["claims"]:
        return
    p.enum(f["kind"], CONFLICT_KINDS, "conflict kind", raw, "kind")
    ds.conflicts.append(SourceConflict(
        id=f["id"], kind=f["kind"], topic=f["topic"], claims=f["claims"], resolution=f["resolution"],
        about=tuple(f["about"] or ()), loc=p.loc(raw),
    ))


def _merge_statements(statements: list[Statement]) -> list[Statement]:
    merged: dict[tuple[str, ...], Statement] = {}
    for st in statements:
        prior = merged.get(st.key)
        if prior is None:
            merged[st.key] = st
            continue
        evidence = prior.evidence + tuple(e for e in st.evidence if e not in prior.evidence)
        merged[st.key] = Statement(st.subject, st.predicate, st.object, st.value, st.qualifiers, evidence, prior.loc, st.negated)
    return list(merged.values())


def load_dataset(data_dirs: Sequence[Path], schema: Schema) -> tuple[Dataset, list[Problem]]:
    """Read every curation file; return the merged dataset and ALL problems found."""
    problems: list[Problem] = []
    dataset = Dataset()
    files = yaml_files(data_dirs)
    if not files:
        raise UsageError(f"no *.yaml files in {', '.join(str(d) for d in data_dirs)}")
    with gc_paused():
        for path, display in files:
            _parse_file(path, display, schema, dataset, problems)
        dataset.statements = _merge_statements(dataset.statements)
        check_references(dataset, schema, problems)
    return dataset, problems


def load(data_dirs: Sequence[Path], schema: Schema) -> Dataset:
    """Like `load_dataset`, but raise `CurationError` listing every problem."""
    dataset, problems = load_dataset(data_dirs, schema)
    if problems:
        raise CurationError(problems)
    return dataset
