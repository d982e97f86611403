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
