"""Curated YAML -> typed records, gathering every problem with file:line:column and a fix hint.

Three steps per file: read it safely (`_read_text`), parse it with positions and limits
(`mdm2kg.curation.yamlpos`), check each record's fields (`mdm2kg.curation.fields`) and build the
record here. Then `mdm2kg.curation.references.check_references` checks ids across all files
(duplicates, unknown ids, domain/range, locators, citation cycles).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from mdm2kg.curation.fields import (
    CONFLICT_FIELDS,
    ENTITY_FIELDS,
    OBSERVATION_FIELDS,
    PUBLICATION_FIELDS,
    RESULT_FIELDS,
    STATEMENT_FIELDS,
    RecordParser,
    is_number,
    shown,
)
from mdm2kg.curation.files import yaml_files
from mdm2kg.curation.iri import ID_PATTERN
from mdm2kg.curation.model import (
    AdverseEventObservation,
    Dataset,
    Entity,
    Publication,
    SourceConflict,
    Statement,
    TrialResult,
)
from mdm2kg.curation.references import check_references
from mdm2kg.curation.schema import CONFLICT_KINDS, ENDPOINTS, MODALITIES, PUBLICATION_KINDS, UNITS, PredicateSpec, Schema
from mdm2kg.curation.yamlpos import MAX_FILE_BYTES, REFUSED, PosDict, PosList, load_yaml
from mdm2kg.errors import CurationError, Problem, ProblemKind, UsageError
from mdm2kg.fileio import read_regular_file
from mdm2kg.perf import gc_paused

__all__ = ["ID_PATTERN", "SECTIONS", "load", "load_dataset", "yaml_files"]

SECTIONS = ("publications", "entities", "statements", "results", "observations", "conflicts")
Pos = tuple[int, int]
Handler = Callable[[RecordParser, PosDict, Pos, Schema, Dataset], None]


# -- one file ------------------------------------------------------------------------------------


def _read_text(path: Path, display: str, problems: list[Problem]) -> str | None:
    """The file as text. A file that is not UTF-8 gets a located problem; one that cannot be
    read at all (not a regular file, unreadable, too large) raises UsageError naming it."""
    data = read_regular_file(path, max_bytes=MAX_FILE_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(Problem(ProblemKind.YAML_SYNTAX, f"byte 0x{data[exc.start]:02x} is not valid UTF-8", display, line, column,
                                "save the file as UTF-8 text"))
        return None


def _parse_file(path: Path, display: str, schema: Schema, dataset: Dataset, problems: list[Problem]) -> None:
    text = _read_text(path, display, problems)
    if text is None:
        return
    data, yaml_problems = load_yaml(text, display)
    problems.extend(yaml_problems)
    if data is None or data is REFUSED:
        return
    parser = RecordParser(display, problems)
    if not isinstance(data, PosDict):
        parser.problem(ProblemKind.WRONG_TYPE, "a curation file must be a mapping of record lists", (1, 1),
                       f"use top-level keys {', '.join(SECTIONS)}")
        return
    _check_sections(parser, data)
    for section, handler in HANDLERS.items():
        if data.get(section) is not None:
            for raw, pos in _records(parser, data[section], data.pos(section), section):
                handler(parser, raw, pos, schema, dataset)


def _check_sections(parser: RecordParser, data: PosDict) -> None:
    for key in data:
        if key not in SECTIONS:
            close = difflib.get_close_matches(key, SECTIONS, n=1)
            parser.problem(ProblemKind.UNKNOWN_FIELD, f"unknown top-level key '{shown(key)}'", data.pos(key),
                           f"did you mean '{close[0]}'?" if close else f"use {', '.join(SECTIONS)}")


def _records(parser: RecordParser, raw_list: Any, pos: Pos, section: str) -> Iterable[tuple[Any, Pos]]:
    if raw_list is REFUSED:
        return []
    if not isinstance(raw_list, PosList):
        parser.problem(ProblemKind.WRONG_TYPE, f"'{section}' must be a list of records", pos, "start each record with '- '")
        return []
    return zip(raw_list, raw_list.item_pos, strict=True)


# -- one record per section -----------------------------------------------------------------------


def _parse_publication(p: RecordParser, raw: PosDict, pos: Pos, schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, PUBLICATION_FIELDS, "publication", pos)
    if f is None or None in (f["id"], f["kind"], f["title"]):
        return
    p.enum(f["kind"], PUBLICATION_KINDS, "publication kind", raw, "kind")
    ds.publications.append(Publication(
        id=f["id"], kind=f["kind"], title=f["title"], authors=tuple(f["authors"] or ()), journal=f["journal"],
        year=f["year"], date=f["date"], publisher=f["publisher"], licence=f["licence"],
        identifiers=tuple(f["identifiers"] or ()), document=f["document"], sections=_sections(p, f["sections"]),
        referenced_by=f["referenced_by"], reference_number=f["reference_number"], loc=p.loc(raw),
    ))


def _sections(p: RecordParser, raw: PosDict | None) -> tuple[tuple[str, str], ...]:
    """locator -> heading pairs of a source document."""
    if raw is None:
        return ()
    out = []
    for locator, heading in raw.items():
        if isinstance(heading, (PosDict, PosList)) or heading is None:
            p.problem(ProblemKind.WRONG_TYPE, f"heading of section '{shown(locator)}' must be text", raw.pos(locator),
                      "write 'locator: heading text'")
        elif heading is not REFUSED:
            out.append((locator, str(heading)))
    return tuple(out)


def _parse_entity(p: RecordParser, raw: PosDict, pos: Pos, schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, ENTITY_FIELDS, "entity", pos)
    if f is None or None in (f["id"], f["category"], f["label"]):
        return
    p.enum(f["category"], schema.categories, "category", raw, "category")
    if f["category"] == "ClinicalTrial":
        for curie in f["identifiers"] or ():
            if not curie.startswith("clinicaltrials:"):
                p.problem(ProblemKind.BAD_IDENTIFIER, f"identifier '{shown(curie)}' of trial '{f['id']}' is not a registry number",
                          raw.pos("identifiers"), "a trial's identifier is its NCT number (clinicaltrials:NCT........)")
    ds.entities.append(Entity(
        id=f["id"], category=f["category"], label=f["label"], synonyms=tuple(f["synonyms"] or ()),
        identifiers=tuple(f["identifiers"] or ()), description=f["description"], loc=p.loc(raw),
    ))


def _parse_statement(p: RecordParser, raw: PosDict, pos: Pos, schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, STATEMENT_FIELDS, "statement", pos)
    if f is None or None in (f["subject"], f["predicate"]):
        return
    spec = schema.predicates.get(f["predicate"])
    if spec is None:
        p.enum(f["predicate"], frozenset(schema.predicates), "predicate", raw, "predicate")
        return
    if not _statement_target(p, raw, f, spec):
        return
    qualifiers = _qualifiers(p, f["qualifiers"], schema)
    if not f["evidence"]:
        return
    ds.statements.append(Statement(
        subject=f["subject"], predicate=f["predicate"], object=f["object"], value=f["value"],
        qualifiers=tuple(sorted(qualifiers)), evidence=f["evidence"], loc=p.loc(raw), negated=bool(f["negated"]),
    ))


def _statement_target(p: RecordParser, raw: PosDict, f: dict[str, Any], spec: PredicateSpec) -> bool:
    """Check the object (an entity, never the subject itself) or the literal value of a
    statement; a string value is normalised in `f`. False when the statement is unusable."""
    if spec.kind == "object":
        if f["object"] is None or f["value"] is not None:
            p.problem(ProblemKind.WRONG_TYPE, f"predicate '{spec.name}' links two entities: give 'object:' and no 'value:'", raw.pos())
            return False
        if f["object"] == f["subject"]:
            p.problem(ProblemKind.SELF_REFERENCE, f"statement links '{shown(f['subject'])}' to itself", raw.pos("object"),
                      "a statement needs two different entities")
            return False
        return True
    if f["value"] is None or f["object"] is not None:
        p.problem(ProblemKind.WRONG_TYPE, f"predicate '{spec.name}' takes a literal: give 'value:' and no 'object:'", raw.pos())
        return False
    rng = next(iter(spec.range))
    value = f["value"]
    if rng in ("integer", "decimal") and not is_number(value):
        p.problem(ProblemKind.NOT_A_NUMBER, f"value of '{spec.name}' must be a number, got '{shown(value)}'", raw.pos("value"),
                  "write the bare number")
        return False
    if rng == "integer" and isinstance(value, Decimal) and value != value.to_integral_value():
        p.problem(ProblemKind.NOT_A_NUMBER, f"value of '{spec.name}' must be a whole number", raw.pos("value"))
        return False
    if rng == "string":
        f["value"] = str(value)
    if spec.name == "modality":
        p.enum(str(value), MODALITIES, "modality", raw, "value")
    return True


def _qualifiers(p: RecordParser, raw: PosDict | None, schema: Schema) -> list[tuple[str, Any]]:
    """The typed qualifiers of a statement (problems for unknown names and wrong types)."""
    out: list[tuple[str, Any]] = []
    for key, value in (raw or {}).items():
        assert raw is not None
        qtype = schema.qualifiers.get(key)
        qpos = raw.pos(key)
        if value is REFUSED:
            continue
        if qtype is None:
            p.enum(key, frozenset(schema.qualifiers), "qualifier", raw, key)
        elif qtype == "decimal" and not is_number(value):
            p.problem(ProblemKind.NOT_A_NUMBER, f"qualifier '{key}' must be a number, got '{shown(value)}'", qpos, "write the bare number")
        elif qtype == "boolean" and not isinstance(value, bool):
            p.problem(ProblemKind.WRONG_TYPE, f"qualifier '{key}' must be true or false", qpos)
        elif qtype == "string" and (isinstance(value, (PosDict, PosList)) or value is None):
            p.problem(ProblemKind.WRONG_TYPE, f"qualifier '{key}' must be a single value", qpos)
        else:
            out.append((key, Decimal(value) if qtype == "decimal" else str(value) if qtype == "string" else value))
    return out


def _parse_result(p: RecordParser, raw: PosDict, pos: Pos, schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, RESULT_FIELDS, "result", pos)
    if f is None or None in (f["id"], f["trial"], f["endpoint"], f["value"], f["unit"]) or not f["evidence"]:
        return
    p.enum(f["endpoint"], ENDPOINTS, "endpoint", raw, "endpoint")
    p.enum(f["unit"], UNITS, "unit", raw, "unit")
    if f["ci_low"] is not None and f["ci_high"] is not None and f["ci_low"] > f["ci_high"]:
        p.problem(ProblemKind.OUT_OF_RANGE, f"ci_low {f['ci_low']} is above ci_high {f['ci_high']}", raw.pos("ci_low"),
                  "check the interval in the source; the lower bound comes first")
    ci_level = f["ci_level"]
    if ci_level is None and (f["ci_low"] is not None or f["ci_high"] is not None):
        ci_level = Decimal(95)
    ds.results.append(TrialResult(
        id=f["id"], trial=f["trial"], endpoint=f["endpoint"], value=f["value"], unit=f["unit"], evidence=f["evidence"],
        arm=f["arm"], comparator_arm=f["comparator_arm"], count=f["count"], denominator=f["denominator"],
        ci_low=f["ci_low"], ci_high=f["ci_high"], ci_level=ci_level, n=f["n"], p_value=f["p_value"],
        population=f["population"], loc=p.loc(raw),
    ))


def _parse_observation(p: RecordParser, raw: PosDict, pos: Pos, schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, OBSERVATION_FIELDS, "observation", pos)
    if f is None or None in (f["id"], f["trial"], f["event"], f["grade"], f["incidence"], f["unit"]) or not f["evidence"]:
        return
    p.enum(f["unit"], UNITS, "unit", raw, "unit")
    ds.observations.append(AdverseEventObservation(
        id=f["id"], trial=f["trial"], event=f["event"], grade=f["grade"], incidence=f["incidence"], unit=f["unit"],
        evidence=f["evidence"], arm=f["arm"], count=f["count"], n=f["n"], loc=p.loc(raw),
    ))


def _parse_conflict(p: RecordParser, raw: PosDict, pos: Pos, schema: Schema, ds: Dataset) -> None:
    f = p.fields(raw, CONFLICT_FIELDS, "conflict", pos)
    if f is None or None in (f["id"], f["kind"], f["topic"], f["resolution"]) or not f["claims"]:
        return
    p.enum(f["kind"], CONFLICT_KINDS, "conflict kind", raw, "kind")
    ds.conflicts.append(SourceConflict(
        id=f["id"], kind=f["kind"], topic=f["topic"], claims=f["claims"], resolution=f["resolution"],
        about=tuple(f["about"] or ()), loc=p.loc(raw),
    ))


HANDLERS: dict[str, Handler] = {
    "publications": _parse_publication, "entities": _parse_entity, "statements": _parse_statement,
    "results": _parse_result, "observations": _parse_observation, "conflicts": _parse_conflict,
}


# -- the whole dataset ----------------------------------------------------------------------------


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
    """Read every curation file; return the merged dataset and ALL problems found.

    Raises UsageError (naming the path) for what cannot be located in a file: no curation
    files, or a file that is not a regular file, cannot be read or is over the size limit."""
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
