"""IRI parameters of our own (named) queries written into the query text as constants.

Oxigraph does not use a substitution (a variable bound before evaluation) when it plans
joins: ``compound_profile`` for one compound took 0.85 s with ``?compound`` substituted and
0.15 s with the compound's IRI in the text. So for the texts registered here (the shipped
named queries, `mdm2kg.query.named`) the embedded engine writes each IRI-valued binding into
the WHERE pattern in place of the variable, and keeps the variable in the answers with a
``BIND(<iri> AS ?var)`` at the end of the outer group (the result columns do not change).
Literal bindings stay substitutions; so does an IRI binding when the rewrite cannot be shown
to mean the same for that text:

- the query is not a ``SELECT`` with an explicit projection (``SELECT *`` would move the column);
- the variable is assigned (``AS ?var``: BIND or a projected expression), or the text has
  ``VALUES`` or ``MINUS`` (their variable scoping differs from a pre-bound variable);
- the variable occurs in a sub-select that does not project it plainly, or that has solution
  modifiers (GROUP BY, ORDER BY, LIMIT, ...): there it is another variable, or its
  value could change what the sub-select keeps. A sub-select that projects it plainly drops it
  from its projection (the outer BIND binds it).

Only IRIs made of IRI characters are written (every mdm2 IRI is: ids match
`mdm2kg.curation.iri.ID_PATTERN`); the text is tokenised with the limits tokenizer, so a
variable's name inside a string, IRI or comment is never touched. The rewritten text still
goes through the read-only guard and the limits (`mdm2kg.query.engine.run_query`).

>>> import pyoxigraph as ox
>>> register_text(q := "SELECT ?x ?y WHERE { ?x <p> ?y . FILTER(?y != '?x')} ORDER BY ?y")
>>> text, rest = inline_constants(q, {"x": ox.NamedNode("https://w3id.org/mdm2kg/id/a"), "y": 3})
>>> print(text)
SELECT ?x ?y WHERE { <https://w3id.org/mdm2kg/id/a> <p> ?y . FILTER(?y != '?x')
  BIND(<https://w3id.org/mdm2kg/id/a> AS ?x)
} ORDER BY ?y
>>> rest
{'y': 3}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from mdm2kg.query.limits import OPAQUE_TOKENS

# the limits tokenizer (strings, IRIs, comments, brackets) plus variables, words (keywords and
# prefixed names) and `*`; anything else (punctuation, operators) is skipped
_SCAN = re.compile(OPAQUE_TOKENS.pattern + r"|[?$]\w+|[\w:-]+|\*")
_IRI_CHARS = re.compile(r"[^<>\"{}|^`\\\x00-\x20]+")
_MODIFIERS = frozenset({"GROUP", "ORDER", "LIMIT", "OFFSET", "HAVING", "VALUES"})
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})

_registered: set[str] = set()


def register_text(text: str) -> None:
    """Mark `text` as one of ours (a shipped named query): its IRI bindings may be written into it."""
    _registered.add(text)


class _Token(NamedTuple):
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        return self.text.upper()


class _Plan(NamedTuple):
    """Where one variable goes: its occurrences to replace, sub-select projections to drop,
    and the offset where the outer group closes (the BIND goes there)."""

    replace: tuple[tuple[int, int], ...]
    drop: tuple[tuple[int, int], ...]
    close: int


def inline_constants(text: str, bindings: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """`text` with each IRI-valued binding written in (see the module doc) when `text` is
    registered and the rewrite is safe for it; and the bindings left to substitute."""
    import pyoxigraph as ox

    rest = dict(bindings)
    if not bindings or text not in _registered:
        return text, rest
    edits: list[tuple[int, int, str]] = []
    binds: list[str] = []
    close = -1
    for name in sorted(bindings):
        value = bindings[name]
        if not isinstance(value, ox.NamedNode) or not _IRI_CHARS.fullmatch(value.value):
            continue
        plan = _plan(text, name)
        if plan is None:
            continue
        iri = f"<{value.value}>"
        edits += [(start, end, iri) for start, end in plan.replace] + [(start, end, "") for start, end in plan.drop]
        binds.append(f"  BIND({iri} AS ?{name})\n")
        close = plan.close
        del rest[name]
    if not binds:
        return text, rest
    edits.append((close, close, "\n" + "".join(binds)))
    out: list[str] = []
    at = 0
    for start, end, new in sorted(edits):
        out += [text[at:start], new]
        at = end
    out.append(text[at:])
    return "".join(out), rest


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end()) for m in _SCAN.finditer(text) if not m.group().startswith("#")]


def _matching(tokens: list[_Token], open_index: int) -> int:
    """The index of the bracket closing the one at `open_index`."""
    depth = 0
    for i in range(open_index, len(tokens)):
        t = tokens[i].text
        if t in ("(", "{", "["):
            depth += 1
        elif t in (")", "}", "]"):
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced brackets")


@lru_cache(maxsize=256)
def _plan(text: str, name: str) -> _Plan | None:
    """How to write `?name` as a constant into `text`, or None when that is not shown safe."""
    try:
        return _plan_tokens(_tokens(text), name)
    except (ValueError, IndexError, StopIteration):  # unbalanced or truncated: not ours to rewrite
        return None


def _plan_tokens(tokens: list[_Token], name: str) -> _Plan | None:
    words = [t.word for t in tokens]
    form = next((i for i, w in enumerate(words) if w in _FORMS), None)
    if form is None or words[form] != "SELECT" or "VALUES" in words or "MINUS" in words:
        return None
    after = form + 1 + (words[form + 1] in ("DISTINCT", "REDUCED"))
    if tokens[after].text == "*":
        return None
    # the outer group: the first `{` outside brackets after SELECT
    depth, body = 0, None
    for i in range(form, len(tokens)):
        t = tokens[i].text
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
        elif t == "{" and depth == 0:
            body = i
            break
    if body is None:
        return None
    end = _matching(tokens, body)
    occurrences = [i for i, t in enumerate(tokens) if t.text[:1] in "?$" and t.text[1:] == name]
    if any(i > 0 and words[i - 1] == "AS" for i in occurrences):
        return None  # assigned by BIND or a projected expression
    # sub-selects inside the body: (SELECT index, end of its projection, index of the `}` enclosing it)
    subs = []
    for i in range(body + 1, end):
        if words[i] == "SELECT":
            enclosing = _enclosing_open(tokens, i)
            group = next(j for j in range(i, end) if tokens[j].text == "{")
            group_end = _matching(tokens, group)
            closing = _matching(tokens, enclosing)
            subs.append((i, group, group_end, closing))
    replace: list[tuple[int, int]] = []
    drop: list[tuple[int, int]] = []
    for i in occurrences:
        if not body < i < end:
            continue  # projection, GROUP BY, ORDER BY of the outer query: bound by the BIND
        for select, group, group_end, closing in subs:
            if not select < i < closing:
                continue
            if any(w in _MODIFIERS for w in words[group_end + 1:closing]):
                return None
            projection = tokens[select + 1:group]
            plain = [t for t in projection if t.word not in ("DISTINCT", "REDUCED", "WHERE")]
            if any(t.text[:1] not in "?$" for t in plain) or not any(t.text[1:] == name for t in plain):
                return None  # `*`, expressions, or a variable of its own
            if len({t.text[1:] for t in plain} - {name}) == 0:
                return None  # nothing else projected
        if any(select < i < group for select, group, _, _ in subs):
            drop.append((tokens[i].start, tokens[i].end))
        else:
            replace.append((tokens[i].start, tokens[i].end))
    if not replace:
        return None
    return _Plan(tuple(replace), tuple(drop), tokens[end].start)


def _enclosing_open(tokens: list[_Token], index: int) -> int:
    """The index of the innermost `{` that is still open at `index`."""
    stack: list[int] = []
    for i in range(index):
        t = tokens[i].text
        if t in ("(", "{", "["):
            stack.append(i)
        elif t in (")", "}", "]") and stack:
            stack.pop()
    while stack:
        i = stack.pop()
        if tokens[i].text == "{":
            return i
    raise ValueError("a sub-select outside any group")
