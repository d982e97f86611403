"""Typed views of the built graph: what every consumer reads instead of re-deriving triples.

A `Statement` is one curated claim with its polarity, negation, qualifiers and evidence (the
curation layer's `Evidence` objects, not a copy). Trial results, adverse-event observations,
source conflicts and publications are the curation layer's own record types, read back from
the graph, so a number or a citation has one shape from YAML to every output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from mdm2kg.curation.model import Evidence, Scalar

SIGN_TEXT = {1: "+", -1: "−", 0: ""}


class Entity(NamedTuple):
    """A curated node: category (mdm2kg class), label, synonyms, external CURIEs, description."""

    id: str
    category: str
    label: str
    synonyms: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    description: str = ""
    biolink_category: str = "biolink:NamedThing"

    @property
    def curie(self) -> str:
        return f"mdm2:{self.id}"


class Predicate(NamedTuple):
    """A curated predicate as the ontology declares it."""

    name: str
    label: str
    polarity: int  # +1 activates/stabilises, -1 inhibits/degrades, 0 unsigned
    biolink: str  # e.g. "biolink:affects"
    kind: str  # "object" (entity object) or "data" (literal value)


class Statement(NamedTuple):
    """One curated statement: `subject predicate object` (or a literal `value`).

    `negated` statements are claims the source states as NOT holding; they are never facts
    (no direct triple), and every consumer that shows one says so.
    """

    id: str
    subject: str
    predicate: str
    object: str | None
    value: Scalar | None
    polarity: int
    negated: bool
    qualifiers: tuple[tuple[str, Scalar], ...]
    evidence: tuple[Evidence, ...]
    predicate_label: str
    biolink_predicate: str

    @property
    def is_fact(self) -> bool:
        """True when the statement may be read as a fact (it is not negated)."""
        return not self.negated

    @property
    def target(self) -> str:
        """The object id, or the literal value as text."""
        return self.object if self.object is not None else str(self.value)

    def qualifier(self, name: str) -> Scalar | None:
        for key, value in self.qualifiers:
            if key == name:
                return value
        return None

    @property
    def sources(self) -> tuple[str, ...]:
        """Source documents and the numbered references they cite, sorted, without repeats."""
        return tuple(sorted({e.source for e in self.evidence} | {r for e in self.evidence for r in e.cites}))

    @property
    def references(self) -> tuple[str, ...]:
        """Independent references behind the statement: cited references, else the source itself."""
        refs = {r for e in self.evidence for r in e.cites}
        refs |= {e.source for e in self.evidence if not e.cites}
        return tuple(sorted(refs))

    @property
    def locators(self) -> tuple[str, ...]:
        return tuple(sorted({f"{e.source} {e.locator}" for e in self.evidence}))

    @property
    def evidence_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({e.kind for e in self.evidence}))

    def verb(self) -> str:
        """The predicate as a verb phrase, saying "does not" for a negated statement.

        >>> st = Statement("s1", "A", "inhibits", "B", None, -1, True, (), (), "inhibits", "biolink:affects")
        >>> st.verb()
        'does not inhibit'
        """
        label = self.predicate_label or self.predicate.replace("_", " ")
        if not self.negated:
            return label
        first, _, rest = label.partition(" ")
        base = _base_form(first)
        return f"does not {base}{' ' + rest if rest else ''}"

    def sentence(self, labels: dict[str, str] | None = None) -> str:
        """`MDM2 ubiquitinates TP53`, or `MDM4 does not ubiquitinate TP53` when negated."""
        names = labels or {}
        obj = names.get(self.object, self.object) if self.object is not None else str(self.value)
        return f"{names.get(self.subject, self.subject)} {self.verb()} {obj}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "statement": self.id, "subject": self.subject, "predicate": self.predicate, "object": self.object,
            "value": None if self.value is None else str(self.value), "polarity": self.polarity,
            "negated": self.negated, "qualifiers": {k: str(v) for k, v in self.qualifiers},
            "evidence": [e.as_dict() for e in self.evidence],
        }


def _base_form(verb: str) -> str:
    """`inhibits` -> `inhibit`, `binds` -> `bind`, `is` -> `be` (enough for predicate labels)."""
    irregular = {"is": "be", "has": "have", "does": "do"}
    if verb in irregular:
        return irregular[verb]
    if verb.endswith(("sses", "shes", "ches", "xes", "zes")):
        return verb[:-2]
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith("s") and not verb.endswith("ss"):
        return verb[:-1]
    return verb


class EntityCard(NamedTuple):
    """An entity with every statement about it, out (as subject) and in (as object)."""

    entity: Entity
    outgoing: tuple[Statement, ...]
    incoming: tuple[Statement, ...]

    def by_predicate(self) -> dict[tuple[str, str], list[Statement]]:
        """Statements grouped by (direction, predicate), directions 'out' then 'in', sorted."""
        groups: dict[tuple[str, str], list[Statement]] = {}
        for direction, items in (("out", self.outgoing), ("in", self.incoming)):
            for st in items:
                groups.setdefault((direction, st.predicate), []).append(st)
        return dict(sorted(groups.items(), key=lambda kv: (kv[0][0] != "out", kv[0][1])))
