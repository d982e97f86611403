"""The project's one prefix map: CURIE <-> IRI, identifier patterns, human resolvers."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from mdm2kg.resources import ontology_dir

ID_BASE = "https://w3id.org/mdm2kg/id/"
VOCAB_BASE = "https://w3id.org/mdm2kg/vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Prefixes predeclared in every SPARQL query mdm2kg runs or sends.
SPARQL_PREFIXES = {
    "mdm2kg": VOCAB_BASE,
    "mdm2": ID_BASE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": XSD,
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
}
# Standard vocabularies the graph and its exports use (the project prefix map adds the rest).
STANDARD_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "biolink": "https://w3id.org/biolink/vocab/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
}
SPARQL_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in SPARQL_PREFIXES.items())


class Prefix(NamedTuple):
    name: str
    iri: str
    pattern: re.Pattern[str] | None
    resolver: str | None


@lru_cache(maxsize=1)
def prefix_map() -> dict[str, Prefix]:
    """Prefix name -> Prefix, read once from ontology/prefixes.yaml."""
    import yaml  # here, not at module level: commands that never need the map do not load PyYAML

    raw = yaml.safe_load((ontology_dir() / "prefixes.yaml").read_text(encoding="utf-8"))
    return {
        name: Prefix(
            name=name,
            iri=spec["iri"],
            pattern=re.compile(spec["pattern"]) if spec.get("pattern") else None,
            resolver=spec.get("resolver"),
        )
        for name, spec in raw.items()
    }


def check_curie(curie: str) -> str | None:
    """Return None when `curie` is well formed for a known prefix, else what is wrong.

    >>> check_curie("HGNC:6973") is None
    True
    >>> check_curie("clinicaltrials:NCT123").startswith("local id")
    True
    """
    prefix, sep, local = curie.partition(":")
    if not sep:
        return "not a CURIE (expected PREFIX:ID)"
    spec = prefix_map().get(prefix)
    if spec is None or prefix in ("mdm2", "mdm2kg"):
        known = ", ".join(sorted(p for p in prefix_map() if p not in ("mdm2", "mdm2kg")))
        return f"unknown prefix '{prefix}' (known: {known})"
    if spec.pattern is not None and not spec.pattern.match(local):
        return f"local id '{local}' does not match {prefix} pattern {spec.pattern.pattern}"
    return None


def expand(curie: str) -> str:
    """CURIE -> IRI with the project prefix map."""
    prefix, _, local = curie.partition(":")
    return prefix_map()[prefix].iri + local


def contract(iri: str) -> str:
    """IRI -> CURIE (longest matching prefix of `all_prefixes`); the IRI itself when none matches.

    >>> contract("https://w3id.org/mdm2kg/id/MDM2"), contract("http://www.w3.org/2000/01/rdf-schema#label")
    ('mdm2:MDM2', 'rdfs:label')
    """
    for name, base in _by_length():
        if iri.startswith(base):
            local = iri[len(base):]
            if not local.startswith("//"):
                return f"{name}:{local}"
    return iri


@lru_cache(maxsize=1)
def _by_length() -> list[tuple[str, str]]:
    return sorted(all_prefixes().items(), key=lambda item: (-len(item[1]), item[0]))


def local_name(iri: str | None, *bases: str) -> str:
    """The part of `iri` after the first matching base (mdm2kg's id and vocabulary bases by
    default); any other IRI unchanged.

    >>> local_name("https://w3id.org/mdm2kg/id/MDM2"), local_name("https://w3id.org/mdm2kg/vocab/inhibits")
    ('MDM2', 'inhibits')
    """
    text = iri or ""
    for base in bases or (ID_BASE, VOCAB_BASE):
        if text.startswith(base):
            return text[len(base):]
    return text


def resolver_url(curie: str) -> str | None:
    """Human-facing URL for a CURIE, or None."""
    prefix, _, local = curie.partition(":")
    spec = prefix_map().get(prefix)
    if spec is None or spec.resolver is None:
        return None
    return spec.resolver + local


def entity_iri(entity_id: str) -> str:
    return ID_BASE + entity_id


def vocab_iri(term: str) -> str:
    return VOCAB_BASE + term


def all_prefixes() -> dict[str, str]:
    """Project prefix map plus the standard vocabularies the graph uses, sorted by name."""
    merged = dict(STANDARD_PREFIXES)
    merged.update({name: spec.iri for name, spec in prefix_map().items()})
    return dict(sorted(merged.items()))
