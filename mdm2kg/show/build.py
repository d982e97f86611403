"""Entity cards: everything the graph says about one entity, every line cited.

`show(kg, "MANTRA-2")` resolves the text (id, label, synonym, code, CURIE, NCT id or a label
without its parenthetical part) and returns a typed `Card` built only from the read model:
category, synonyms, identifiers with resolver links, description, every statement in and out
grouped by predicate (polarity, negation, qualifiers, citations) and, per category, tables of
trial results, adverse events, arms, resistance mechanisms, combinations, dosing schedules,
partners, compounds, trials and biomarkers. Render with `to_text`, `to_markdown` or `to_json`.

>>> from mdm2kg.artifact.graph import KnowledgeGraph
>>> card = show(KnowledgeGraph.build(["tests/fixtures/tiny", "tests/fixtures/negation"]), "G1")
>>> card.category
'Gene'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdm2kg.prefixes import resolver_url
from mdm2kg.read.model import ReadModel, read_model
from mdm2kg.read.views import SIGN_TEXT, Statement

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.show.card import Card, Citation, Identifier, StatementLine
from mdm2kg.show.tables import TABLES, conflicts_table

# ----------------------------------------------------------------------------- building


def show(kg: KnowledgeGraph, text: str) -> Card:
    """The card of the entity `text` names (raises NotFoundError with candidates)."""
    model = read_model(kg)
    return build_card(model, model.resolve(text))


def build_card(model: ReadModel, entity_id: str) -> Card:
    card = model.card(entity_id)
    entity = card.entity
    labels = model.labels
    lines = [_line(st, "out", entity_id, labels) for st in card.outgoing]
    lines += [_line(st, "in", entity_id, labels) for st in card.incoming]
    lines.sort(key=lambda ln: (ln.direction != "out", ln.predicate, ln.other_label, ln.id))
    builder = TABLES.get(entity.category)
    tables = tuple(t for t in (builder(model, entity_id) if builder else ()) if t.rows)
    tables += tuple(t for t in (conflicts_table(model, entity_id),) if t.rows)
    return Card(
        id=entity_id, label=entity.label, category=entity.category, biolink_category=entity.biolink_category,
        synonyms=entity.synonyms, identifiers=tuple(Identifier(c, resolver_url(c)) for c in entity.identifiers),
        description=entity.description, statements=tuple(lines), tables=tables,
    )


def _line(st: Statement, direction: str, me: str, labels: dict[str, str]) -> StatementLine:
    other = (st.object or "") if direction == "out" else st.subject
    if direction == "out" and st.object is None:
        other = str(st.value)
    return StatementLine(
        id=st.id, direction=direction, predicate=st.predicate, sentence=st.sentence(labels), other=other,
        other_label=labels.get(other, other), polarity=SIGN_TEXT.get(st.polarity, ""), negated=st.negated,
        qualifiers=tuple((k, str(v)) for k, v in st.qualifiers), citations=tuple(Citation.of(e) for e in st.evidence),
    )


