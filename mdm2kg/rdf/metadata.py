"""VoID/DCAT description of the dataset: version, release date, licence, sources and counts.

The description is computed from the graph itself, so it is deterministic (the release date
is the newest source document's date, never the clock) and its counts agree with
`mdm2kg stats` on the same graph: entities per curated class, records per record class,
statements per predicate, and the total number of triples *including* the description.

All description nodes live under ``https://w3id.org/mdm2kg/dataset`` (no blank nodes)::

    <https://w3id.org/mdm2kg/dataset> a void:Dataset, dcat:Dataset ;
        dcat:version "0.1.0" ; dcterms:issued "2025-12-22"^^xsd:date ;
        dcterms:license <https://spdx.org/licenses/MIT> ; dcterms:source mdm2:russano2025 ;
        void:triples 41234 ; void:entities 512 ;
        void:classPartition <https://w3id.org/mdm2kg/dataset/class/Gene> ;
        void:propertyPartition <https://w3id.org/mdm2kg/dataset/property/inhibits> .
    <https://w3id.org/mdm2kg/dataset/class/Gene> void:class mdm2kg:Gene ; void:entities 57 .
    <https://w3id.org/mdm2kg/dataset/statements/inhibits> void:class rdf:Statement ;
        dcterms:subject mdm2kg:inhibits ; void:entities 31 .

The published, version-pinned mapping tables that external identifiers were grounded against
(declared in ontology/grounding.yaml, read by `mdm2kg.rdf.grounding`; see scripts/ground.py)
are listed as `prov:wasDerivedFrom` sources, each with its title, publisher, version and licence::

    <https://w3id.org/mdm2kg/dataset> prov:wasDerivedFrom <https://w3id.org/mdm2kg/dataset/grounding/hgnc> .
    <https://w3id.org/mdm2kg/dataset/grounding/hgnc> a dcat:Dataset ; dcterms:title "HGNC ..." ;
        dcterms:publisher "HUGO Gene Nomenclature Committee" ; dcat:version "..." ;
        dcterms:license <https://spdx.org/licenses/CC0-1.0> ;
        dcterms:isPartOf <https://w3id.org/mdm2kg/dataset/grounding/package> .

Statement counts per predicate are given on `.../statements/<predicate>` subsets of the
`rdf:Statement` class partition (a statement is a reified node; two statements that differ
only in qualifiers share one direct triple, so `void:triples` of the property partition can be
smaller than the statement count).
"""

from __future__ import annotations

import importlib.metadata
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, VOID

from mdm2kg.prefixes import ID_BASE, VOCAB_BASE, local_name
from mdm2kg.rdf.grounding import GroundingPackage, GroundingSource, grounding_sources
from mdm2kg.resources import installed_version

DATASET_IRI = "https://w3id.org/mdm2kg/dataset"
DATASET = URIRef(DATASET_IRI)
DCAT = Namespace("http://www.w3.org/ns/dcat#")
MDM2KG = Namespace(VOCAB_BASE)
TITLE = "mdm2kg: a curated, cited knowledge graph of MDM2 biology and therapeutics"
DESCRIPTION = (
    "Entities, curated statements with evidence (source, locator, verbatim anchor, evidence kind), "
    "clinical trial results, adverse-event observations and source conflicts about MDM2, "
    "curated from the source documents listed as dcterms:source."
)
KEYWORDS = ("MDM2", "TP53", "p53", "MDM2 inhibitor", "knowledge graph", "oncology")

# Record classes counted by `mdm2kg stats` under "records", with the stats key.
RECORD_CLASSES: tuple[tuple[str, URIRef], ...] = (
    ("publications", MDM2KG.Publication),
    ("statements", RDF.Statement),
    ("evidence", MDM2KG.Evidence),
    ("trial results", MDM2KG.TrialResult),
    ("adverse-event observations", MDM2KG.AdverseEventObservation),
    ("source conflicts", MDM2KG.SourceConflict),
)


_SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+\-]*$")


def _licence_term(licence: str) -> URIRef | Literal:
    """An SPDX licence IRI for an SPDX id, else the licence text."""
    return URIRef(f"https://spdx.org/licenses/{licence}") if _SPDX_ID.match(licence) else Literal(licence)


def is_metadata_node(term: object) -> bool:
    """Whether `term` is the dataset node or one of its partitions.

    >>> is_metadata_node(URIRef("https://w3id.org/mdm2kg/dataset/class/Gene"))
    True
    >>> is_metadata_node(URIRef("https://w3id.org/mdm2kg/id/MDM2"))
    False
    """
    return isinstance(term, URIRef) and (str(term) == DATASET_IRI or str(term).startswith(DATASET_IRI + "/"))


def package_version() -> str:
    """The mdm2kg version (`mdm2kg.__version__`)."""
    return installed_version()


def package_licence() -> str:
    """SPDX identifier of the licence declared in the package metadata (default MIT)."""
    try:
        meta = importlib.metadata.metadata("mdm2kg")
    except importlib.metadata.PackageNotFoundError:
        return "MIT"
    declared = meta.get_all("License-Expression") or meta.get_all("License") or ["MIT"]
    return str(declared[0]).strip() or "MIT"


def _local(term: object, base: str) -> str:
    return local_name(str(term), base)


def _date_literal(text: str) -> Literal:
    kind = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(text))
    return Literal(text, datatype=kind) if kind else Literal(text)


@dataclass(slots=True)
class DatasetDescription:
    """Everything the VoID/DCAT description states, as plain data (see `describe`).

    `categories` and `predicates` use the same keys and numbers as `mdm2kg stats`.
    """

    version: str
    licence: str
    issued: str | None
    sources: list[tuple[str, str]]  # (publication id, title), sorted by id
    triples: int
    entities: int
    categories: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    predicates: dict[str, int] = field(default_factory=dict)
    predicate_triples: dict[str, int] = field(default_factory=dict)
    grounding: tuple[GroundingSource, ...] = ()
    grounding_package: GroundingPackage | None = None

    @property
    def licence_iri(self) -> str:
        return f"https://spdx.org/licenses/{self.licence}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by the non-RDF exports).

        >>> DatasetDescription("0.1.0", "MIT", None, [], 0, 0).as_dict()["licence"]
        'https://spdx.org/licenses/MIT'
        """
        return {
            "id": DATASET_IRI,
            "title": TITLE,
            "version": self.version,
            "issued": self.issued,
            "licence": self.licence_iri,
            "sources": [{"id": f"mdm2:{pid}", "title": title} for pid, title in self.sources],
            "triples": self.triples,
            "entities": self.entities,
            "categories": dict(self.categories),
            "records": dict(self.records),
            "predicates": dict(self.predicates),
            "grounding": [{"id": g.id, "title": g.title, "publisher": g.publisher, "version": g.version, "licence": g.licence}
                          for g in self.grounding],
        }

    def triples_list(self) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
        """The description as RDF triples, sorted."""
        ds = DATASET
        out: list[tuple[URIRef, URIRef, URIRef | Literal]] = [
            (ds, RDF.type, VOID.Dataset),
            (ds, RDF.type, DCAT.Dataset),
            (ds, DCTERMS.title, Literal(TITLE)),
            (ds, RDFS.label, Literal("mdm2kg")),
            (ds, DCTERMS.description, Literal(DESCRIPTION)),
            (ds, DCAT.version, Literal(self.version)),
            (ds, OWL.versionInfo, Literal(self.version)),
            (ds, DCTERMS.license, URIRef(self.licence_iri)),
            (ds, VOID.uriSpace, Literal(ID_BASE)),
            (ds, VOID.vocabulary, URIRef(VOCAB_BASE)),
            (ds, VOID.triples, Literal(self.triples, datatype=XSD.integer)),
            (ds, VOID.entities, Literal(self.entities, datatype=XSD.integer)),
        ]
        out += [(ds, DCAT.keyword, Literal(word)) for word in KEYWORDS]
        if self.issued:
            out.append((ds, DCTERMS.issued, _date_literal(self.issued)))
        out += [(ds, DCTERMS.source, URIRef(ID_BASE + pid)) for pid, _ in self.sources]

        def class_partition(name: str, cls: URIRef, count: int) -> URIRef:
            node = URIRef(f"{DATASET_IRI}/class/{name}")
            out.extend([(ds, VOID.classPartition, node), (node, RDF.type, VOID.Dataset),
                        (node, VOID["class"], cls), (node, VOID.entities, Literal(count, datatype=XSD.integer))])
            return node

        for name, count in self.categories.items():
            class_partition(name, MDM2KG[name], count)
        statements_node = DATASET
        for key, cls in RECORD_CLASSES:
            node = class_partition(_local(cls, VOCAB_BASE).rsplit("#", 1)[-1], cls, self.records.get(key, 0))
            if cls == RDF.Statement:
                statements_node = node
        for name, count in self.predicates.items():
            subset = URIRef(f"{DATASET_IRI}/statements/{name}")
            out += [(statements_node, VOID.subset, subset), (subset, RDF.type, VOID.Dataset),
                    (subset, VOID["class"], RDF.Statement), (subset, DCTERMS.subject, MDM2KG[name]),
                    (subset, VOID.entities, Literal(count, datatype=XSD.integer))]
        for name, count in self.predicate_triples.items():
            node = URIRef(f"{DATASET_IRI}/property/{name}")
            out += [(ds, VOID.propertyPartition, node), (node, RDF.type, VOID.Dataset),
                    (node, VOID.property, MDM2KG[name]), (node, VOID.triples, Literal(count, datatype=XSD.integer))]
        out += self._grounding_triples()
        return sorted(out)

    def _grounding_triples(self) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
        out: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
        package = URIRef(f"{DATASET_IRI}/grounding/package")
        pkg = self.grounding_package
        if pkg is not None and self.grounding:
            out += [(package, RDF.type, DCAT.Distribution), (package, DCTERMS.title, Literal(f"{pkg.name} {pkg.version} (PyPI wheel)")),
                    (package, DCAT.version, Literal(pkg.version)), (package, DCTERMS.license, _licence_term(pkg.licence)),
                    (package, DCTERMS.identifier, Literal(f"{pkg.file} sha256:{pkg.sha256}"))]
        for g in self.grounding:
            node = URIRef(f"{DATASET_IRI}/grounding/{g.id}")
            out += [(DATASET, PROV.wasDerivedFrom, node), (node, RDF.type, DCAT.Dataset), (node, DCTERMS.title, Literal(g.title)),
                    (node, DCTERMS.publisher, Literal(g.publisher)), (node, DCAT.version, Literal(g.version)),
                    (node, DCTERMS.license, _licence_term(g.licence)), (node, DCAT.landingPage, URIRef(g.homepage)),
                    (node, RDFS.comment, Literal("External identifiers of the entities were grounded against this table (scripts/ground.py)."
                                                 + (f" {g.note[0].upper()}{g.note[1:]}." if g.note else "")))]
            if pkg is not None:
                out.append((node, DCTERMS.isPartOf, package))
                if g.path:
                    out.append((node, DCTERMS.source, Literal(f"{pkg.file}:{g.path}")))
        return out


def _curated_classes(graph: Graph) -> set[URIRef]:
    from mdm2kg.rdf.ontology import ontology_graph

    found: set[URIRef] = set()
    for source in (graph, ontology_graph()):
        found.update(c for c in source.subjects(MDM2KG.curated, Literal(True)) if isinstance(c, URIRef))
    return found


def describe(graph: Graph, *, version: str | None = None, licence: str | None = None) -> DatasetDescription:
    """Compute the dataset description of `graph` (any existing description is ignored).

    >>> from rdflib import Graph
    >>> d = describe(Graph(), version="1.2.3")
    >>> (d.version, d.entities, d.triples > 0)
    ('1.2.3', 0, True)
    """
    curated = _curated_classes(graph)
    categories: Counter[str] = Counter()
    entities: set[URIRef] = set()
    records: dict[str, set[Any]] = {key: set() for key, _ in RECORD_CLASSES}
    record_of = {cls: key for key, cls in RECORD_CLASSES}
    for node, _, cls in graph.triples((None, RDF.type, None)):
        if is_metadata_node(node):
            continue
        if cls in curated:
            categories[_local(cls, VOCAB_BASE)] += 1
            entities.add(node)  # type: ignore[arg-type]
        key = record_of.get(cls)  # type: ignore[call-overload]
        if key is not None:
            records[key].add(node)
    statement_predicates: Counter[str] = Counter()
    for st in records["statements"]:
        for pred in graph.objects(st, RDF.predicate):
            statement_predicates[_local(pred, VOCAB_BASE)] += 1
    predicate_triples = {
        name: sum(1 for _ in graph.triples((None, MDM2KG[name], None))) for name in statement_predicates
    }
    sources: list[tuple[str, str]] = []
    dates: list[str] = []
    for pub in records["publications"]:
        if (pub, MDM2KG.referencedBy, None) in graph or not str(pub).startswith(ID_BASE):
            continue
        sources.append((str(pub)[len(ID_BASE):], str(graph.value(pub, DCTERMS.title) or graph.value(pub, RDFS.label) or "")))
        stamp = graph.value(pub, DCTERMS.date) or graph.value(pub, DCTERMS.issued)
        if stamp is not None:
            dates.append(str(stamp))
    base = sum(1 for s, _, _ in graph if not is_metadata_node(s))
    package, grounding = grounding_sources()
    description = DatasetDescription(
        version=version or package_version(),
        licence=licence or package_licence(),
        issued=max(dates) if dates else None,
        sources=sorted(sources),
        triples=0,
        entities=len(entities),
        categories=dict(sorted(categories.items())),
        records={key: len(nodes) for key, nodes in records.items()},
        predicates=dict(sorted(statement_predicates.items())),
        predicate_triples=dict(sorted(predicate_triples.items())),
        grounding=grounding,
        grounding_package=package,
    )
    # The total counts the description too; its size does not depend on the number it states.
    description.triples = base + len(description.triples_list())
    return description


def metadata_triples(graph: Graph, **options: str) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The VoID/DCAT triples describing `graph` (sorted); `options` go to `describe`."""
    return describe(graph, **options).triples_list()


def strip_metadata(graph: Graph) -> Graph:
    """Remove any dataset description from `graph` in place; returns `graph`."""
    for triple in [t for t in graph if is_metadata_node(t[0])]:
        graph.remove(triple)
    return graph


def add_metadata(graph: Graph, **options: str) -> Graph:
    """Replace the dataset description of `graph` (in place) by a freshly computed one.

    Idempotent: calling it twice gives the same graph. Call it last in the build, after the
    ontology is merged, so the stated triple count covers everything.

    >>> from rdflib import Graph
    >>> g = add_metadata(Graph(), version="0.0.1")
    >>> len(add_metadata(g, version="0.0.1")) == len(g)
    True
    """
    strip_metadata(graph)
    graph.bind("void", str(VOID))
    graph.bind("dcat", str(DCAT))
    graph.bind("prov", str(PROV))
    for triple in metadata_triples(graph, **options):
        graph.add(triple)
    return graph


def has_metadata(graph: Graph) -> bool:
    """Whether `graph` already carries a dataset description."""
    return (DATASET, RDF.type, VOID.Dataset) in graph


def read_description(graph: Graph) -> dict[str, Any]:
    """Read the stated description back from a graph (for checks and `diff`).

    >>> read_description(add_metadata(Graph(), version="9.9"))["version"]
    '9.9'
    """
    def value(node: URIRef, pred: URIRef) -> Any:
        obj = graph.value(node, pred)
        return obj.toPython() if isinstance(obj, Literal) else (str(obj) if obj is not None else None)

    categories: dict[str, int] = {}
    records: dict[str, int] = {}
    record_key = {cls: key for key, cls in RECORD_CLASSES}
    for part in graph.objects(DATASET, VOID.classPartition):
        cls = graph.value(part, VOID["class"])
        count = int(value(part, VOID.entities) or 0)  # type: ignore[arg-type]
        if cls in record_key:
            records[record_key[cls]] = count  # type: ignore[index]
        elif cls is not None:
            categories[_local(cls, VOCAB_BASE)] = count
    predicates: dict[str, int] = {}
    for subset in graph.subjects(VOID["class"], RDF.Statement):
        subject = graph.value(subset, DCTERMS.subject)
        if is_metadata_node(subset) and subject is not None:
            predicates[_local(subject, VOCAB_BASE)] = int(value(subset, VOID.entities) or 0)  # type: ignore[arg-type]
    issued = graph.value(DATASET, DCTERMS.issued)
    return {
        "version": value(DATASET, DCAT.version),
        "issued": str(issued) if issued is not None else None,
        "licence": value(DATASET, DCTERMS.license),
        "sources": sorted(_local(s, ID_BASE) for s in graph.objects(DATASET, DCTERMS.source)),
        "triples": value(DATASET, VOID.triples),
        "entities": value(DATASET, VOID.entities),
        "categories": dict(sorted(categories.items())),
        "records": records,
        "predicates": dict(sorted(predicates.items())),
        "grounding": sorted(_local(g, f"{DATASET_IRI}/grounding/") for g in graph.objects(DATASET, PROV.wasDerivedFrom)),
    }
