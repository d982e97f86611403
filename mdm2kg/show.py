"""Entity cards: everything the graph says about one entity, every line cited.

`show(kg, "MANTRA-2")` resolves the text (id, label, synonym, code, CURIE, NCT id or a label
without its parenthetical part) and returns a typed `Card` built only from the read model:
category, synonyms, identifiers with resolver links, description, every statement in and out
grouped by predicate (polarity, negation, qualifiers, citations) and, per category, tables of
trial results, adverse events, arms, resistance mechanisms, combinations, dosing schedules,
partners, compounds, trials and biomarkers. Render with `to_text`, `to_markdown` or `to_json`.

>>> from mdm2kg.artifact.graph import KnowledgeGraph
>>> card = show(KnowledgeGraph.build(["tests/fixtures/tiny", "tests/fixtures/negation"]), "G1")
>>> card.category
'Gene'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import UsageError
from mdm2kg.prefixes import resolver_url
from mdm2kg.read.model import ReadModel, read_model
from mdm2kg.read.views import SIGN_TEXT, Statement

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.curation.model import Evidence

CURATOR_INFERENCE = "curator_inference"
PARTNER_CATEGORIES = ("Gene", "Complex", "ProteinDomain", "Site", "SequenceVariant")
MECHANISM_PREDICATES = ("inhibits", "binds", "degrades", "stabilizes", "activates", "induces_expression_of")
COMPOUND_FIELDS = ("modality", "chemical_class", "route", "highest_phase", "status", "binding_affinity", "note")
TRIAL_FIELDS = ("phase", "design", "population", "line_of_therapy", "status", "endpoint")
TRIAL_LINKS = ("selects_by", "enrolls", "evaluates", "has_primary_endpoint", "has_secondary_endpoint",
               "reports_endpoint", "has_dosing_schedule")
SCHEDULE_FIELDS = ("dose_mg", "frequency", "dosing_days", "days_on", "days_off", "cycle_length_days",
                   "schedule_type", "route")


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


# ----------------------------------------------------------------------------- building


def show(kg: KnowledgeGraph, text: str) -> Card:
    """The card of the entity `text` names (raises NotFoundError with candidates)."""
    model = read_model(kg)
    return build_card(model, model.resolve(text))


def build_card(model: ReadModel, entity_id: str) -> Card:
    card = model.card(entity_id)
    entity = card.entity
    labels = model.labels
    lines = [_line(st, "out", entity_id, labels) for st in card.outgoing]
    lines += [_line(st, "in", entity_id, labels) for st in card.incoming]
    lines.sort(key=lambda ln: (ln.direction != "out", ln.predicate, ln.other_label, ln.id))
    builder = _TABLES.get(entity.category)
    tables = tuple(t for t in (builder(model, entity_id) if builder else ()) if t.rows)
    tables += tuple(t for t in (_conflicts(model, entity_id),) if t.rows)
    return Card(
        id=entity_id, label=entity.label, category=entity.category, biolink_category=entity.biolink_category,
        synonyms=entity.synonyms, identifiers=tuple(Identifier(c, resolver_url(c)) for c in entity.identifiers),
        description=entity.description, statements=tuple(lines), tables=tables,
    )


def _line(st: Statement, direction: str, me: str, labels: dict[str, str]) -> StatementLine:
    other = (st.object or "") if direction == "out" else st.subject
    if direction == "out" and st.object is None:
        other = str(st.value)
    return StatementLine(
        id=st.id, direction=direction, predicate=st.predicate, sentence=st.sentence(labels), other=other,
        other_label=labels.get(other, other), polarity=SIGN_TEXT.get(st.polarity, ""), negated=st.negated,
        qualifiers=tuple((k, str(v)) for k, v in st.qualifiers), citations=tuple(Citation.of(e) for e in st.evidence),
    )


def _cite(evidence: Iterable[Evidence]) -> str:
    return " | ".join(dict.fromkeys(str(Citation.of(e)) for e in evidence))


def _qual(st: Statement) -> str:
    return "; ".join(f"{k}={v}" for k, v in st.qualifiers)


def _text(st: Statement, labels: dict[str, str], *, of: str = "object") -> str:
    if of == "subject":
        who = labels.get(st.subject, st.subject)
    else:
        who = labels.get(st.object, st.object) if st.object is not None else str(st.value)
    return f"NOT {who}" if st.negated else who


def _out(model: ReadModel, entity_id: str, *predicates: str) -> list[Statement]:
    return [st for st in model.card(entity_id).outgoing if st.predicate in predicates]


def _in(model: ReadModel, entity_id: str, *predicates: str) -> list[Statement]:
    return [st for st in model.card(entity_id).incoming if st.predicate in predicates]


def _fmt(value: Any) -> str:
    return "" if value is None else str(value)


def _field_table(model: ReadModel, name: str, title: str, statements: Iterable[Statement]) -> Table:
    labels = model.labels
    rows = tuple((st.predicate, _text(st, labels), _qual(st), _cite(st.evidence)) for st in statements)
    return Table(name, title, ("field", "value", "qualifiers", "citations"), rows)


def _results_table(model: ReadModel, results: Iterable[Any]) -> Table:
    labels = model.labels
    rows = []
    for r in results:
        ci = f"{r.ci_low}–{r.ci_high}" if r.ci_low is not None or r.ci_high is not None else ""
        level = f" ({r.ci_level}% CI)" if ci and r.ci_level is not None else ""
        count = f"{r.count}/{r.denominator}" if r.count is not None or r.denominator is not None else ""
        rows.append((labels.get(r.trial, r.trial), r.endpoint, _fmt(r.value), r.unit, ci + level, count, _fmt(r.n),
                     _fmt(r.p_value), labels.get(r.arm, _fmt(r.arm)), labels.get(r.comparator_arm, _fmt(r.comparator_arm)),
                     _fmt(r.population), _cite(r.evidence)))
    return Table("results", "Results", ("trial", "endpoint", "value", "unit", "ci", "count", "n", "p_value", "arm",
                                        "comparator", "population", "citations"), tuple(rows))


def _observations_table(model: ReadModel, observations: Iterable[Any], statements: Iterable[Statement] = ()) -> Table:
    labels = model.labels
    rows = [(labels.get(o.trial, o.trial), labels.get(o.event, o.event), o.grade, _fmt(o.incidence), o.unit,
             labels.get(o.arm, _fmt(o.arm)), f"{o.count}/{o.n}" if o.count is not None else _fmt(o.n), _cite(o.evidence))
            for o in observations]
    for st in statements:  # adverse events the sources name without a number
        rows.append((labels.get(_fmt(st.qualifier("trial")), _fmt(st.qualifier("trial"))), _text(st, labels),
                     _fmt(st.qualifier("grade")), "", "", "", "", _cite(st.evidence)))
    return Table("adverse_events", "Adverse events", ("trial", "event", "grade", "incidence", "unit", "arm", "count_n",
                                                      "citations"), tuple(rows),
                 note="rows without an incidence are events the sources name without a number")


def _link_table(model: ReadModel, name: str, title: str, statements: Iterable[Statement], *, of: str) -> Table:
    labels = model.labels
    rows = tuple((st.predicate, _text(st, labels, of=of), _qual(st), _cite(st.evidence)) for st in statements)
    return Table(name, title, ("relation", "entity", "qualifiers", "citations"), rows)


def _conflicts(model: ReadModel, entity_id: str) -> Table:
    rows = []
    for c in model.conflicts:
        if entity_id in c.about:
            for claim in c.claims:
                pref = " (preferred)" if claim.preferred else ""
                rows.append((c.topic, c.kind, claim.says + pref, c.resolution, str(Citation.of(claim.evidence))))
    return Table("conflicts", "Source conflicts", ("topic", "kind", "claim", "resolution", "citations"), tuple(rows))


def _publications(model: ReadModel, entity_id: str) -> Table:
    rows = []
    for st in _out(model, entity_id, "described_in"):
        pid = st.target
        pub = model.publications.get(pid)
        rows.append((pid, pub.title if pub else "", _fmt(pub.year) if pub else "",
                     "; ".join(pub.identifiers) if pub else "", _cite(st.evidence)))
    return Table("publications", "Publications", ("publication", "title", "year", "identifiers", "citations"), tuple(rows))


def _trial_tables(model: ReadModel, tid: str) -> list[Table]:
    labels = model.labels
    arms = []
    for st in _out(model, tid, "has_arm"):
        arm = st.target
        parts = _out(model, arm, "evaluates", "arm_role", "enrollment", "line_of_therapy", "has_dosing_schedule")
        detail = "; ".join(f"{p.predicate}={_text(p, labels)}" for p in parts)
        arms.append((labels.get(arm, arm), detail, _cite([*st.evidence, *(e for p in parts for e in p.evidence)])))
    return [
        _field_table(model, "profile", "Trial profile (registry ids are the identifiers above)",
                     _out(model, tid, *TRIAL_FIELDS, *TRIAL_LINKS)),
        Table("arms", "Arms", ("arm", "details", "citations"), tuple(arms)),
        _results_table(model, [r for r in model.results if r.trial == tid]),
        _observations_table(model, [o for o in model.observations if o.trial == tid],
                            [st for st in model.statements if st.predicate == "has_adverse_event"
                             and st.qualifier("trial") == tid]),
        _publications(model, tid),
    ]


def _classes_of(model: ReadModel, entity_id: str) -> dict[str, str]:
    """Drug classes the entity belongs to (through member_of, then subtype_of) -> how."""
    labels = model.labels
    out: dict[str, str] = {}
    frontier = [(st.target, f"member of {labels.get(st.target, st.target)}")
                for st in _out(model, entity_id, "member_of") if not st.negated]
    while frontier:
        cls, how = frontier.pop()
        if cls in out:
            continue
        out[cls] = how
        frontier += [(st.target, f"{how} (subtype of {labels.get(st.target, st.target)})")
                     for st in _out(model, cls, "subtype_of") if not st.negated]
    return out


def _compound_trials(model: ReadModel, cid: str) -> dict[str, set[str | None]]:
    """Trial id -> arms that evaluate the compound (None: the trial itself evaluates it)."""
    trials: dict[str, set[str | None]] = {}
    for st in _in(model, cid, "evaluates"):
        if st.negated:
            continue
        if model.entities[st.subject].category == "ClinicalTrial":
            trials.setdefault(st.subject, set()).add(None)
        else:
            for arm_of in _in(model, st.subject, "has_arm"):
                trials.setdefault(arm_of.subject, set()).add(st.subject)
    return trials


def _compound_tables(model: ReadModel, cid: str) -> list[Table]:
    labels = model.labels
    trials = _compound_trials(model, cid)
    trial_rows = []
    for tid in sorted(trials):
        phases = _out(model, tid, "phase")
        arms = sorted(a for a in trials[tid] if a)
        trial_rows.append((tid, labels.get(tid, tid), " / ".join(sorted({str(p.value) for p in phases})),
                           "; ".join(labels.get(a, a) for a in arms),
                           _cite([e for st in _in(model, cid, "evaluates") if st.subject == tid or st.subject in arms
                                  for e in st.evidence] + [e for p in phases for e in p.evidence])))

    def mine(trial: str, arm: str | None) -> bool:
        return trial in trials and (arm in trials[trial] or (arm is None and None in trials[trial])
                                    or (None in trials[trial] and not any(trials[trial] - {None})))

    resistance = []
    for st in _in(model, cid, "confers_resistance_to"):
        resistance.append((_text(st, labels, of="subject"), "direct", _cite(st.evidence)))
    for cls, how in sorted(_classes_of(model, cid).items()):
        for st in _in(model, cls, "confers_resistance_to"):
            resistance.append((_text(st, labels, of="subject"), f"through its drug class: {how}", _cite(st.evidence)))
    combos = [(st.predicate, _text(st, labels, of="object" if st.subject == cid else "subject"), _qual(st),
               _cite(st.evidence))
              for st in [*_out(model, cid, "combined_with"), *_in(model, cid, "combined_with")]]
    schedules = []
    seen: set[str] = set()
    for st in [*_out(model, cid, "has_dosing_schedule"), *_in(model, cid, "schedule_of")]:
        sid = st.target if st.subject == cid else st.subject
        if sid in seen:
            continue
        seen.add(sid)
        parts = _out(model, sid, *SCHEDULE_FIELDS)
        schedules.append((labels.get(sid, sid), "; ".join(f"{p.predicate}={p.value}" for p in parts),
                          _cite([*st.evidence, *(e for p in parts for e in p.evidence)])))
    return [
        _field_table(model, "profile", "Compound profile (codes are the synonyms above)",
                     _out(model, cid, *COMPOUND_FIELDS)),
        _link_table(model, "mechanism", "Mechanism and targets", _out(model, cid, *MECHANISM_PREDICATES), of="object"),
        _link_table(model, "drug_classes", "Drug classes", _out(model, cid, "member_of"), of="object"),
        Table("trials", "Trials", ("trial", "name", "phases", "arms", "citations"), tuple(trial_rows)),
        _results_table(model, [r for r in model.results if mine(r.trial, r.arm)]),
        _observations_table(model, [o for o in model.observations if mine(o.trial, o.arm)],
                            _out(model, cid, "has_adverse_event")),
        Table("resistance", "Resistance mechanisms", ("mechanism", "via", "citations"), tuple(resistance)),
        Table("combinations", "Combinations", ("relation", "partner", "qualifiers", "citations"), tuple(combos)),
        Table("dosing_schedules", "Dosing schedules", ("schedule", "details", "citations"), tuple(schedules)),
    ]


def _gene_tables(model: ReadModel, gid: str) -> list[Table]:
    labels = model.labels
    card = model.card(gid)
    rows = []
    for direction, items in (("outgoing", card.outgoing), ("incoming", card.incoming)):
        for st in items:
            other = st.object if direction == "outgoing" else st.subject
            if other is None or model.entities.get(other) is None:
                continue
            if model.entities[other].category not in PARTNER_CATEGORIES:
                continue
            sign = "does not" if st.negated else (SIGN_TEXT.get(st.polarity, "") or "0")
            rows.append((labels.get(other, other), model.entities[other].category, direction, st.verb(), sign,
                         _qual(st), _cite(st.evidence)))
    return [Table("partners", "Partners (sign: + activates/stabilises, − inhibits/degrades, 0 unsigned)",
                  ("partner", "category", "direction", "predicate", "sign", "qualifiers", "citations"), tuple(rows))]


def _indication_tables(model: ReadModel, iid: str) -> list[Table]:
    def by_category(statements: list[Statement], *categories: str) -> list[Statement]:
        return [st for st in statements if model.entities.get(st.subject) and
                model.entities[st.subject].category in categories]

    incoming = list(model.card(iid).incoming)
    return [
        _link_table(model, "compounds", "Compounds and therapies",
                    by_category(incoming, "Compound", "DrugClass", "Therapy"), of="subject"),
        _link_table(model, "trials", "Trials", by_category(incoming, "ClinicalTrial"), of="subject"),
        _link_table(model, "biomarkers", "Biomarkers and altered genes", by_category(incoming, "Biomarker", "Gene"),
                    of="subject"),
    ]


_TABLES = {
    "ClinicalTrial": _trial_tables,
    "Compound": _compound_tables,
    "Gene": _gene_tables,
    "Indication": _indication_tables,
}


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
