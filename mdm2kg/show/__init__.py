"""Entity cards: `show(kg, text)` -> a typed `Card`, every line cited (see `mdm2kg.show.build`)."""

from mdm2kg.show.build import build_card, show
from mdm2kg.show.card import Card, CardFormat, Citation, Identifier, StatementLine, Table, require_pandas

__all__ = ["Card", "CardFormat", "Citation", "Identifier", "StatementLine", "Table", "build_card", "require_pandas", "show"]
