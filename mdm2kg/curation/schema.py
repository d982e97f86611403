"""The curation schema as plain data: categories, predicates and controlled terms.

Built from the ontology by `mdm2kg.rdf.ontology.load_schema`; the loader only sees this module,
so it stays free of any RDF library.
"""

from __future__ import annotations

from dataclasses import dataclass

ENTITY_CLASS = "Entity"

EVIDENCE_KINDS = frozenset(
    {
        "review_statement",
        "clinical_trial_result",
        "preclinical_in_vitro",
        "preclinical_in_vivo",
        "structural",
        "method_protocol",
        "registry_record",
        "press_release",
        "curator_inference",
    }
)
PUBLICATION_KINDS = frozenset(
    {"review", "technical_guide", "primary_article", "review_article", "press_release", "web_page", "protocol"}
)
CONFLICT_KINDS = frozenset(
    {"numeric", "name", "identifier", "phase", "abbreviation", "citation", "design", "other"}
)
ENDPOINTS = frozenset(
    {
        "objective_response_rate",
        "objective_response_rate_confirmed",
        "best_overall_response_rate",
        "unconfirmed_partial_responses",
        "complete_response_rate",
        "disease_control_rate",
        "median_progression_free_survival",
        "median_event_free_survival",
        "median_overall_survival",
        "hazard_ratio_progression_free_survival",
        "dose_reduction_rate",
        "dose_interruption_rate",
        "discontinuation_due_to_ae_rate",
        "serious_adverse_event_rate",
        "median_neutrophil_recovery_time",
        "transcriptional_activity_fold_change",
        "patients_with_biomarker",
        "other",
    }
)
UNITS = frozenset({"percent", "months", "weeks", "days", "patients", "ratio", "fold"})
MODALITIES = frozenset(
    {
        "small_molecule",
        "stapled_peptide",
        "protac_degrader",
        "antibody",
        "cytotoxic_chemotherapy",
        "cell_therapy",
        "aptamer",
        "peptide",
    }
)


@dataclass(frozen=True, slots=True)
class PredicateSpec:
    """A predicate of the ontology. `kind` is 'object' (entity object) or 'data' (literal)."""

    name: str
    kind: str
    label: str
    domain: frozenset[str]
    range: frozenset[str]
    polarity: str = "none"
    symmetric: bool = False
    biolink: str | None = None

    @property
    def sign(self) -> int:
        """+1, -1 or 0 for unsigned predicates."""
        return {"+": 1, "-": -1}.get(self.polarity, 0)


@dataclass(frozen=True, slots=True)
class Schema:
    categories: frozenset[str]
    predicates: dict[str, PredicateSpec]
    qualifiers: dict[str, str]  # qualifier name -> xsd local type ("string", "decimal", "boolean")
    category_biolink: dict[str, str]

    def fits(self, category: str, allowed: frozenset[str]) -> bool:
        """Whether an entity of `category` satisfies a domain/range set."""
        return ENTITY_CLASS in allowed or category in allowed
