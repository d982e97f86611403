"""A number a recorded source conflict questions is never shown as an unquestioned figure: the
conflict names the result or observation in `about`, and every result and adverse-event query and
card prints the conflict's id beside the number."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mdm2kg.curation.loader import load
from mdm2kg.errors import CurationError, ProblemKind
from mdm2kg.query import run_named
from mdm2kg.rdf.ontology import load_schema
from mdm2kg.read import read_model
from mdm2kg.show import show

from .conftest import FIXTURES

OBSERVATION_QUERIES = ("adverse_events_of_trial", "severe_adverse_events_of_trial")


def _conflicts(row: dict[str, Any]) -> set[str]:
    return {c for c in str(row["conflicts"] or "").split("; ") if c}


def test_a_questioned_result_carries_its_conflict_in_the_tiny_graph(tiny_kg: Any) -> None:
    rows = run_named(tiny_kg, "trial_results", {"trial": "NCT00000001"}).values()
    assert [(r["result"].rsplit("/", 1)[-1], _conflicts(r)) for r in rows] == [("NCT00000001_orr", {"conflict_orr"})]
    (by_endpoint,) = run_named(tiny_kg, "results_by_endpoint", {"endpoint": "objective_response_rate"}).values()
    assert _conflicts(by_endpoint) == {"conflict_orr"}
    for row in run_named(tiny_kg, "adverse_events_of_trial", {"trial": "NCT00000001"}).values():
        assert _conflicts(row) == set(), row  # the observation is not questioned


def test_shipped_questioned_numbers_show_their_conflicts(shipped_kg: Any) -> None:
    model = read_model(shipped_kg)
    results = {r.id: r for r in model.results}
    observations = {o.id: o for o in model.observations}
    questioned = {rid: set(ids) for rid, ids in model.conflicts_about.items() if rid in results or rid in observations}
    assert questioned, "no shipped conflict names a result or an observation"
    seen: dict[str, set[str]] = {}
    for trial in sorted({r.trial for r in model.results} | {o.trial for o in model.observations}):
        for name in ("trial_results", *OBSERVATION_QUERIES):
            for row in run_named(shipped_kg, name, {"trial": trial}).values():
                record = row.get("result")
                if record is not None:
                    seen[record.rsplit("/", 1)[-1]] = _conflicts(row)
                elif row.get("scope", "observed") != "observed":
                    assert _conflicts(row) == set(), row  # events named without a number are no numbers
    for rid, ids in questioned.items():
        if rid in results:
            assert seen[rid] == ids, rid
    # observation rows have no id column: each questioned observation's row carries its conflicts
    for rid, ids in questioned.items():
        if rid in observations:
            o = observations[rid]
            rows = [r for r in run_named(shipped_kg, "adverse_events_of_trial", {"trial": o.trial}).values()
                    if r["scope"] == "observed" and r["incidence"] == o.incidence and r["grade"] == o.grade
                    and str(r["event"]) == model.labels.get(o.event, o.event)]
            assert rows and all(ids <= _conflicts(r) for r in rows), rid
    # the queries without a result id column: the rows of a questioned number carry its conflicts
    for rid, ids in questioned.items():
        if rid not in results:
            continue
        r = results[rid]
        same = [row for row in run_named(shipped_kg, "results_by_endpoint", {"endpoint": r.endpoint}).values()
                if row["trial"].rsplit("/", 1)[-1] == r.trial and row["value"] == r.value
                and (row["arm"] or "").rsplit("/", 1)[-1] == (r.arm or "") and row.get("population") == r.population]
        if r.population is not None:
            same += [row for row in run_named(shipped_kg, "results_with_population", {"trial": r.trial}).values()
                     if row["endpoint"] == r.endpoint and row["value"] == r.value
                     and (row["arm"] or "").rsplit("/", 1)[-1] == (r.arm or "") and row.get("population") == r.population]
        assert same and all(ids <= _conflicts(row) for row in same), rid
    for rid, ids in questioned.items():
        if rid in observations and re.search("[3-5]", observations[rid].grade):  # the query's severe grades
            o = observations[rid]
            rows = [row for row in run_named(shipped_kg, "severe_adverse_events_of_trial", {"trial": o.trial}).values()
                    if row["incidence"] == o.incidence and str(row["event"]) == model.labels.get(o.event, o.event)]
            assert rows and all(ids <= _conflicts(row) for row in rows), rid
    # by compound: observed rows carry their observation's conflicts, rows without a number none
    flagged = {(o.trial, o.incidence): ids for rid, ids in questioned.items() if rid in observations
               for o in (observations[rid],)}
    for compound in ("alrizomadlin", "milademetan", "idasanutlin"):
        for row in run_named(shipped_kg, "severe_adverse_events_of_compound", {"compound": compound}).values():
            if row.get("incidence") is None:
                assert _conflicts(row) == set(), row
            elif row.get("arm") and (key := ((row.get("trial") or "").rsplit("/", 1)[-1], row["incidence"])) in flagged:
                assert flagged[key] <= _conflicts(row), row
    # and unquestioned numbers carry none
    assert any(not ids for rid, ids in seen.items() if rid not in questioned)
    assert all(not ids for rid, ids in seen.items() if rid in results and rid not in questioned)


def test_the_card_shows_the_conflict_beside_the_number(shipped_kg: Any) -> None:
    model = read_model(shipped_kg)
    questioned = [r for r in model.results if r.id in model.conflicts_about]
    assert questioned
    card = show(shipped_kg, questioned[0].trial)
    table = card.table("results")
    column = table.columns.index("conflicts")
    flagged = {row[column] for row in table.rows if row[column]}
    assert "; ".join(model.conflicts_about[questioned[0].id]) in flagged


def test_a_conflict_about_an_unknown_record_is_a_located_error(tmp_path: Path) -> None:
    text = (FIXTURES / "tiny" / "tiny.yaml").read_text(encoding="utf-8")
    (tmp_path / "tiny.yaml").write_text(text.replace("about: [NCT00000001, NCT00000001_orr]",
                                                     "about: [NCT00000001, NCT00000001_orx]"), encoding="utf-8")
    with pytest.raises(CurationError) as info:
        load([tmp_path], load_schema())
    (problem,) = [p for p in info.value.problems if p.kind is ProblemKind.UNKNOWN_REFERENCE]
    assert "result or observation 'NCT00000001_orx'" in str(problem) and "NCT00000001_orr" in str(problem)
    assert problem.line > 0
