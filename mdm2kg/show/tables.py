"""The per-category tables of a card (trial, compound, gene, indication), every row cited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mdm2kg.read.model import ReadModel
from mdm2kg.read.views import SIGN_TEXT, Statement

if TYPE_CHECKING:
    from mdm2kg.curation.model import Evidence
from mdm2kg.show.card import Citation, Table

PARTNER_CATEGORIES = ("Gene", "Complex", "ProteinDomain", "Site", "SequenceVariant")
MECHANISM_PREDICATES = ("inhibits", "binds", "degrades", "stabilizes", "activates", "induces_expression_of")
COMPOUND_FIELDS = ("modality", "chemical_class", "route", "highest_phase", "status", "binding_affinity", "note")
TRIAL_FIELDS = ("phase", "design", "population", "line_of_therapy", "status", "endpoint")
TRIAL_LINKS = ("selects_by", "enrolls", "evaluates", "has_primary_endpoint", "has_secondary_endpoint",
               "reports_endpoint", "has_dosing_schedule")
SCHEDULE_FIELDS = ("dose_mg", "frequency", "dosing_days", "days_on", "days_off", "cycle_length_days",
                   "schedule_type", "route")

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
                     _fmt(r.population), _questioned(model, r.id), _cite(r.evidence)))
    return Table("results", "Results", ("trial", "endpoint", "value", "unit", "ci", "count", "n", "p_value", "arm",
                                        "comparator", "population", "conflicts", "citations"), tuple(rows),
                 note=_CONFLICTS_NOTE)


_CONFLICTS_NOTE = "conflicts: recorded source conflicts that question the number, listed under Source conflicts"


def _questioned(model: ReadModel, record_id: str) -> str:
    """The ids of the recorded conflicts about a result or observation, for its row."""
    return "; ".join(model.conflicts_about.get(record_id, ()))


def _observations_table(model: ReadModel, observations: Iterable[Any], statements: Iterable[Statement] = ()) -> Table:
    labels = model.labels
    rows = [(labels.get(o.trial, o.trial), labels.get(o.event, o.event), o.grade, _fmt(o.incidence), o.unit,
             labels.get(o.arm, _fmt(o.arm)), f"{o.count}/{o.n}" if o.count is not None else _fmt(o.n),
             _questioned(model, o.id), _cite(o.evidence))
            for o in observations]
    for st in statements:  # adverse events the sources name without a number
        rows.append((labels.get(_fmt(st.qualifier("trial")), _fmt(st.qualifier("trial"))), _text(st, labels),
                     _fmt(st.qualifier("grade")), "", "", "", "", "", _cite(st.evidence)))
    return Table("adverse_events", "Adverse events", ("trial", "event", "grade", "incidence", "unit", "arm", "count_n",
                                                      "conflicts", "citations"), tuple(rows),
                 note=f"rows without an incidence are events the sources name without a number; {_CONFLICTS_NOTE}")


def _link_table(model: ReadModel, name: str, title: str, statements: Iterable[Statement], *, of: str) -> Table:
    labels = model.labels
    rows = tuple((st.predicate, _text(st, labels, of=of), _qual(st), _cite(st.evidence)) for st in statements)
    return Table(name, title, ("relation", "entity", "qualifiers", "citations"), rows)


def conflicts_table(model: ReadModel, entity_id: str) -> Table:
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


TABLES = {
    "ClinicalTrial": _trial_tables,
    "Compound": _compound_tables,
    "Gene": _gene_tables,
    "Indication": _indication_tables,
}


