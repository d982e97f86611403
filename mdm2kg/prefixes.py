"""The project's one prefix map: CURIE <-> IRI, identifier patterns, human resolvers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
SPARQL_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in SPARQL_PREFIXES.items())


@dataclass(frozen=True, slots=True)
class Prefix:
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
    """IRI -> CURIE (longest matching prefix); the IRI itself when no prefix matches."""
    best = ""
    best_name = ""
    for name, spec in prefix_map().items():
        if iri.startswith(spec.iri) and len(spec.iri) > len(best):
            best, best_name = spec.iri, name
    return f"{best_name}:{iri[len(best):]}" if best else iri


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
