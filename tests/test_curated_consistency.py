"""Facts of the shipped graph that must agree with each other (a disagreement the sources carry is a
recorded conflict, and the graph's facts follow its resolution)."""

from __future__ import annotations

from typing import Any

from mdm2kg.query.named import phase_levels
from mdm2kg.read import read_model


def _highest(values: list[Any]) -> int:
    return max((level for value in values for level in phase_levels(str(value))), default=0)


def test_a_compounds_stated_phase_is_not_below_its_trials(shipped_kg: Any) -> None:
    """"Which compounds reached phase 3?" (compounds_by_phase) reads the stated highest phase: it
    must not leave out a compound that a Phase 3 trial of the graph evaluates."""
    model = read_model(shipped_kg)
    stated: dict[str, list[Any]] = {}
    trial_phase: dict[str, list[Any]] = {}
    evaluates: list[tuple[str, str]] = []
    for s in model.facts:
        if s.predicate == "highest_phase":
            stated.setdefault(s.subject, []).append(s.value)
        elif s.predicate == "phase":
            trial_phase.setdefault(s.subject, []).append(s.value)
        elif s.predicate == "evaluates" and s.object is not None:
            evaluates.append((s.subject, s.object))
    assert stated and trial_phase and evaluates
    behind = sorted((compound, stated[compound], trial, trial_phase[trial]) for trial, compound in evaluates
                    if compound in stated and trial in trial_phase
                    and _highest(stated[compound]) < _highest(trial_phase[trial]))
    assert not behind, f"compounds whose stated highest phase is below a trial evaluating them: {behind}"


# a stated field -> the conflict kinds that dispute it (a "name" conflict about a row is no phase dispute)
AS_STATED = {"phase": {"phase"}, "highest_phase": {"phase"}, "status": {"phase", "other"}}


def _same_passage(a: Any, b: Any) -> bool:
    """Two pieces of evidence that cite the same words (one anchor inside the other)."""
    return a.source == b.source and a.locator == b.locator and (a.anchor in b.anchor or b.anchor in a.anchor)


def test_a_resolved_conflict_is_followed_by_the_facts(shipped_kg: Any) -> None:
    """Where a recorded conflict prefers one side, a phase, highest phase or status the graph states
    as fact for an entity the conflict is about does not rest only on a passage of the side it
    rejected (that side stays a cited claim)."""
    model = read_model(shipped_kg)
    rejected: dict[str, list[tuple[str, str, Any]]] = {}
    for c in model.conflicts:
        if any(claim.preferred for claim in c.claims):
            for claim in c.claims:
                if not claim.preferred:
                    for about in c.about:
                        rejected.setdefault(about, []).append((c.id, c.kind, claim.evidence))
    assert rejected
    contradicting = sorted(
        (s.subject, s.predicate, str(s.value), cid) for s in model.facts if s.predicate in AS_STATED
        for cid, kind, evidence in rejected.get(s.subject, ())
        if kind in AS_STATED[s.predicate] and all(_same_passage(e, evidence) for e in s.evidence))
    assert not contradicting, f"facts that repeat a side their conflict rejected: {contradicting}"
