"""Biolink alignment, checked offline against the Biolink Model YAML shipped by the PyPI
`biolink-model` package (never `kgx`, which needs the network).

Checked for the ontology mappings and for every row actually written to KGX (tiny fixture
and shipped data): categories and predicates exist; categories are instantiable classes
(not mixins, not abstract, descendants of `named thing`); predicates descend from
`related to` and are not mixins or abstract; each edge's subject and object categories fit
the predicate's domain and range (following `is_a` and `mixins` up the class hierarchy, and
inheriting domain/range from parent predicates); `knowledge_level` and `agent_type` are
values of their Biolink enums; every standard KGX column is a Biolink slot.

`KNOWN_MAPPING_PROBLEMS` is where a deliberate, documented misfit would be listed; it is
empty: every mapping of the ontology fits Biolink.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.export import ExportFormat, render
from mdm2kg.export.kgx import (
    BIOLINK_XREF_PREFIXES,
    EDGE_COLUMNS,
    NODE_COLUMNS,
    NOT_IN_BIOLINK,
    OBJECT_ASPECT,
    AgentType,
    KnowledgeLevel,
)
from mdm2kg.prefixes import prefix_map
from mdm2kg.rdf.ontology import load_schema

TINY = Path(__file__).parent / "fixtures" / "tiny"

# (kind, mdm2kg term, detail) for mappings the current ontology gets wrong for Biolink.
KNOWN_MAPPING_PROBLEMS: frozenset[tuple[str, str, str]] = frozenset()


def _yaml_path() -> Path:
    try:
        files = importlib.metadata.files("biolink-model") or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for f in files:
        if f.name == "biolink_model.yaml":
            return Path(str(f.locate()))
    if os.environ.get("CI"):
        pytest.fail("the biolink-model package (test dependency) is not installed")
    pytest.skip("biolink-model is not installed")


def _camel(name: str) -> str:
    return "".join(word[0].upper() + word[1:] for word in name.split(" "))


@dataclass(frozen=True)
class Biolink:
    """The parts of the Biolink Model YAML the checks need."""

    version: str
    classes: dict[str, dict[str, Any]]
    slots: dict[str, dict[str, Any]]
    enums: dict[str, dict[str, Any]]

    @functools.cached_property
    def class_by_curie(self) -> dict[str, str]:
        return {f"biolink:{_camel(name)}": name for name in self.classes}

    def predicate_name(self, curie: str) -> str:
        return curie.removeprefix("biolink:").replace("_", " ")

    def ancestors(self, name: str) -> set[str]:
        """The class, its `is_a` chain and every mixin, transitively."""
        seen = {name}
        spec = self.classes[name]
        for parent in ([spec["is_a"]] if spec.get("is_a") else []) + list(spec.get("mixins") or []):
            seen |= self.ancestors(parent)
        return seen

    def slot_chain(self, name: str) -> list[str]:
        chain = [name]
        while self.slots[chain[-1]].get("is_a"):
            chain.append(self.slots[chain[-1]]["is_a"])
        return chain

    def inherited(self, slot: str, key: str) -> str | None:
        """Domain or range of a predicate, inherited from the nearest ancestor that sets it."""
        return next((self.slots[s][key] for s in self.slot_chain(slot) if self.slots[s].get(key)), None)

    def category_problems(self, curie: str) -> list[str]:
        name = self.class_by_curie.get(curie)
        if name is None:
            return ["missing category"]
        spec = self.classes[name]
        problems = []
        if spec.get("mixin"):
            problems.append("mixin category")
        if spec.get("abstract"):
            problems.append("abstract category")
        if "named thing" not in self.ancestors(name):
            problems.append("not a named thing")
        return problems

    def predicate_problems(self, curie: str) -> list[str]:
        name = self.predicate_name(curie)
        if name not in self.slots:
            return ["missing predicate"]
        problems = []
        if "related to" not in self.slot_chain(name):
            problems.append("not a predicate")
        if self.slots[name].get("mixin") or self.slots[name].get("abstract"):
            problems.append("mixin or abstract predicate")
        return problems

    def fits(self, category_curie: str, required: str | None) -> bool:
        return required is None or required in self.ancestors(self.class_by_curie[category_curie])


@pytest.fixture(scope="module")
def biolink() -> Biolink:
    with _yaml_path().open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return Biolink(version=str(raw["version"]), classes=raw["classes"], slots=raw["slots"], enums=raw["enums"])


def _ontology_problems(biolink: Biolink) -> set[tuple[str, str, str]]:
    schema = load_schema()
    written = set(schema.categories) | {"Publication"}  # the categories KGX nodes can have
    found: set[tuple[str, str, str]] = set()
    for category in sorted(written):
        curie = f"biolink:{schema.category_biolink[category]}"
        found |= {(problem, category, curie) for problem in biolink.category_problems(curie)}
    for name, spec in schema.predicates.items():
        if spec.kind != "object":
            continue
        curie = f"biolink:{spec.biolink}"
        problems = biolink.predicate_problems(curie)
        found |= {(problem, name, curie) for problem in problems}
        if problems:
            continue
        slot = biolink.predicate_name(curie)
        for side, allowed in (("domain", spec.domain), ("range", spec.range)):
            required = biolink.inherited(slot, side)
            for category in sorted(allowed - {"Entity"}):
                cat_curie = f"biolink:{schema.category_biolink[category]}"
                if not biolink.fits(cat_curie, required):
                    found.add((side, name, f"{category} ({cat_curie}) is not a biolink:{_camel(str(required))}"))
    return found


def test_biolink_yaml_is_version_4(biolink: Biolink) -> None:
    assert biolink.version.startswith("4.")


def test_ontology_mappings_have_only_the_known_problems(biolink: Biolink) -> None:
    found = _ontology_problems(biolink)
    assert found - KNOWN_MAPPING_PROBLEMS == set(), "new Biolink mapping problems in ontology/mdm2kg.ttl"


def test_ontology_mappings_are_fully_biolink_valid(biolink: Biolink) -> None:
    assert _ontology_problems(biolink) == set()


def test_knowledge_level_and_agent_type_are_biolink_enum_values(biolink: Biolink) -> None:
    levels = biolink.enums["KnowledgeLevelEnum"]["permissible_values"]
    agents = biolink.enums["AgentTypeEnum"]["permissible_values"]
    assert {k.value for k in KnowledgeLevel} <= set(levels)
    assert {a.value for a in AgentType} <= set(agents)


def test_standard_kgx_columns_are_biolink_slots(biolink: Biolink) -> None:
    for column in NODE_COLUMNS + EDGE_COLUMNS:
        if not column.startswith("mdm2kg_"):
            assert column.replace("_", " ") in biolink.slots, column


@pytest.fixture(scope="module", params=["tiny", "shipped"])
def kgx(request: pytest.FixtureRequest) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    kg = KnowledgeGraph.build([TINY]) if request.param == "tiny" else request.getfixturevalue("shipped_kg")
    files = render(kg, ExportFormat.KGX)

    def rows(data: bytes) -> list[dict[str, str]]:
        lines = data.decode("utf-8").splitlines()
        header = lines[0].split("\t")
        return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]

    return rows(files["nodes.tsv"]), rows(files["edges.tsv"])


def _known(kind: str, term: str) -> bool:
    return any(k == kind and t == term for k, t, _ in KNOWN_MAPPING_PROBLEMS)


def test_every_kgx_category_is_a_valid_biolink_class(biolink: Biolink, kgx: Any) -> None:
    nodes, _ = kgx
    for node in nodes:
        for curie in node["category"].split("|"):
            mdm2kg_category = node["mdm2kg_category"].removeprefix("mdm2kg:")
            problems = [p for p in biolink.category_problems(curie) if not _known(p, mdm2kg_category)]
            assert problems == [], (node["id"], curie, problems)


def test_every_kgx_edge_fits_its_biolink_predicate(biolink: Biolink, kgx: Any) -> None:
    nodes, edges = kgx
    category = {n["id"]: n["category"] for n in nodes}
    mdm2kg_category = {n["id"]: n["mdm2kg_category"].removeprefix("mdm2kg:") for n in nodes}
    bad = []
    for edge in edges:
        predicate = edge["predicate"]
        assert biolink.predicate_problems(predicate) == [], (edge["id"], predicate)
        slot = biolink.predicate_name(predicate)
        name = edge["mdm2kg_predicate"].removeprefix("mdm2kg:")
        for side, node in (("domain", edge["subject"]), ("range", edge["object"])):
            cats = category[node].split("|")
            if any(biolink.fits(c, biolink.inherited(slot, side)) for c in cats):
                continue
            known = f"{mdm2kg_category[node]} ({cats[0]}) is not a biolink:{_camel(str(biolink.inherited(slot, side)))}"
            if (side, name, known) not in KNOWN_MAPPING_PROBLEMS:
                bad.append((edge["id"], side, name, known))
    assert bad == []


def test_the_checker_catches_a_bad_edge(biolink: Biolink) -> None:
    # has_adverse_event: domain chemical or drug or treatment, range disease or phenotypic feature
    slot = "has adverse event"
    assert biolink.fits("biolink:MolecularEntity", biolink.inherited(slot, "domain"))
    assert not biolink.fits("biolink:Gene", biolink.inherited(slot, "domain"))
    assert biolink.fits("biolink:PhenotypicFeature", biolink.inherited(slot, "range"))
    assert biolink.category_problems("biolink:NoSuchClass") == ["missing category"]
    assert "abstract category" in biolink.category_problems("biolink:BiologicalEntity")
    assert biolink.predicate_problems("biolink:interacts_with") == ["mixin or abstract predicate"]


def _biolink_prefix_map() -> dict[str, str]:
    path = _yaml_path().parent.parent / "prefixmaps" / "biolink-model-prefix-map.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_kgx_xref_prefixes_are_spelled_as_in_biolinks_prefix_map() -> None:
    biolink = _biolink_prefix_map()
    assert set(BIOLINK_XREF_PREFIXES) <= set(biolink)
    assert not set(NOT_IN_BIOLINK) & {p.casefold() for p in biolink}
    ours = {p for p in prefix_map() if p not in ("mdm2", "mdm2kg")}
    spelled = {p.casefold() for p in BIOLINK_XREF_PREFIXES} | {p.casefold() for p in NOT_IN_BIOLINK}
    assert {p.casefold() for p in ours} <= spelled, "a project prefix has no Biolink spelling"


def test_every_kgx_xref_prefix_is_biolinks(kgx: Any) -> None:
    nodes, _ = kgx
    allowed = set(_biolink_prefix_map()) | set(NOT_IN_BIOLINK)
    used = {x.partition(":")[0] for n in nodes for x in n["xref"].split("|") if x}
    assert used <= allowed, used - allowed


def test_kgx_qualifier_values_are_biolink_enum_values(biolink: Biolink, kgx: Any) -> None:
    _, edges = kgx
    directions = set(biolink.enums["DirectionQualifierEnum"]["permissible_values"])
    aspects = set(biolink.enums["GeneOrGeneProductOrChemicalEntityAspectEnum"]["permissible_values"])
    assert set(OBJECT_ASPECT.values()) <= aspects
    for edge in edges:
        assert edge["negated"] in {"true", ""}
        if edge["object_direction_qualifier"]:
            assert edge["predicate"] == "biolink:affects" and edge["qualified_predicate"] == "biolink:causes"
            assert edge["object_direction_qualifier"] in directions
        assert edge["object_aspect_qualifier"] in aspects | {""}
