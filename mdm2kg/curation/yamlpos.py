"""YAML with positions and limits.

The text is parsed by libyaml (the C parser) into events, and `_Composer` turns the events
into mappings and lists that remember line and column, one event at a time with an explicit
stack (no recursion, so no nesting can exhaust Python's stack; no node tree is built first).
Duplicate keys are rejected, numbers are kept exactly (floats become Decimal), and hostile
input is refused with its position before it can cost memory or time.

Limits (the MAX_* constants below, documented in graph_data/README.md): file size, nesting
depth, values per file, alias uses and their expanded size, text length, number magnitude and
decimals; control characters, NaN and infinities are refused.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.resolver import Resolver

from mdm2kg.errors import Problem, ProblemKind

MAX_FILE_BYTES = 32 * 1024 * 1024  # one curated file
MAX_DEPTH = 64  # mappings and lists nested in one another
MAX_NODES = 1_000_000  # values (mappings, lists, scalars) in one file
MAX_ALIASES = 1_000  # uses of `*alias` in one file
MAX_ALIAS_NODES = 100_000  # values reached through aliases in one file (their expanded size)
MAX_STRING_CHARS = 10_000  # one text value or key
MAX_INTEGER_DIGITS = 15  # numbers must be below 10**15 in magnitude ...
MAX_FRACTION_DIGITS = 30  # ... with at most 30 digits after the point; NaN and infinities are refused
_REPORTED_CONTROL_CHARACTERS = 10

try:  # the C parser is several times faster; both give events with marks
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the libyaml build
    _Loader = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("str", "null", "bool", "int", "float"))
_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})
_resolve = Resolver().resolve
_SCALAR_EVENT, _ALIAS_EVENT = yaml.ScalarEvent, yaml.AliasEvent
_MAP_START, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQ_START, _SEQ_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_DOCUMENT_START, _STREAM_END = yaml.DocumentStartEvent, yaml.StreamEndEvent
_NUMBER_LIMIT = 10**MAX_INTEGER_DIGITS

# In the file: C0 controls except tab, newline and carriage return (line ends); DEL; C1 controls
# (NEL included). In a value spelled with escapes ("\r", "\e", "\x9b"): the same, and carriage return.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_VALUE_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL"}


class _Refused:
    """Marks a value that was refused (a problem is already recorded for it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<refused>"

    __str__ = __repr__


REFUSED: Any = _Refused()


class PosDict(dict[str, Any]):
    """A mapping that remembers where it and each of its keys start (1-based)."""

    __slots__ = ("column", "keypos", "line")

    def __init__(self, line: int = 0, column: int = 0) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.keypos: dict[str, Any] = {}  # key -> libyaml mark of the key

    def pos(self, key: str | None = None) -> tuple[int, int]:
        """Where `key` starts, or the mapping itself when `key` is None or absent."""
        if key is not None:
            mark = self.keypos.get(key)
            if mark is not None:
                return (mark.line + 1, mark.column + 1)
        return (self.line, self.column)


class PosList(list[Any]):
    """A list that remembers where it and each of its items start (1-based)."""

    __slots__ = ("column", "item_pos", "line")

    def __init__(self, line: int = 0, column: int = 0) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.item_pos: list[tuple[int, int]] = []


class _Abort(Exception):
    """A limit was hit; the problem is recorded and the rest of the file is not read."""


def _describe(char: str) -> str:
    code = ord(char)
    name = _CONTROL_NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character `index` of `text`."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def control_character_problems(text: str, file: str) -> list[Problem]:
    """A located problem for each control character in the raw text (at most a few)."""
    problems: list[Problem] = []
    for match in CONTROL_CHARACTERS.finditer(text):
        line, column = line_column(text, match.start())
        problems.append(Problem(ProblemKind.CONTROL_CHARACTER, f"control character {_describe(match.group())} in the file",
                                file, line, column, "delete it (only tab, newline and carriage return are allowed)"))
        if len(problems) >= _REPORTED_CONTROL_CHARACTERS:
            break
    return problems


class _Composer:
    """Events -> PosDict/PosList/scalars, enforcing the limits."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.aliases = 0
        self.alias_nodes = 0

    def problem(self, kind: ProblemKind, message: str, mark: Any, hint: str = "") -> None:
        self.problems.append(Problem(kind, message, self.file, mark.line + 1, mark.column + 1, hint))

    def abort(self, kind: ProblemKind, message: str, mark: Any, hint: str) -> _Abort:
        self.problem(kind, message, mark, hint)
        return _Abort()

    def scalar(self, event: Any) -> Any:
        """The value of a scalar: str, None, bool, int or Decimal (or REFUSED)."""
        text: str = event.value
        if len(text) > MAX_STRING_CHARS:
            self.problem(ProblemKind.LIMIT, f"text of {len(text):,} characters is longer than the limit of {MAX_STRING_CHARS:,}",
                         event.start_mark, "shorten it")
            return REFUSED
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:  # quoted: text, but escapes can spell control characters
                bad = _VALUE_CONTROL_CHARACTERS.search(text) if event.style == '"' else None
                if bad is not None:
                    self.problem(ProblemKind.CONTROL_CHARACTER, f"control character {_describe(bad.group())} in a quoted value",
                                 event.start_mark, "remove the escape sequence (\\x.., \\e, \\a, \\0 ...)")
                    return REFUSED
                return text
            tag = _resolve(yaml.ScalarNode, text, (True, False))
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            lowered = text.lower()
            return True if lowered in _TRUE else False if lowered in _FALSE else text
        if tag == _INT:
            return self.integer(text, event)
        if tag == _FLOAT:
            return self.decimal(text, event)
        return text  # timestamps and any other tag stay text

    def integer(self, text: str, event: Any) -> Any:
        try:
            number = int(text.replace("_", ""), 0)
        except ValueError:
            return text  # e.g. 012 or 1:30; a number field reports it
        if abs(number) >= _NUMBER_LIMIT:
            self.problem(ProblemKind.LIMIT, f"number {_short(text)} is too large (limit: below 10^{MAX_INTEGER_DIGITS})",
                         event.start_mark, "check the value; quote it if it is meant as text")
            return REFUSED
        return number

    def decimal(self, text: str, event: Any) -> Any:
        try:
            number = Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text  # e.g. .inf or .nan; a number field reports it
        if not number.is_finite():
            self.problem(ProblemKind.NOT_A_NUMBER, f"'{_short(text)}' is not a finite number", event.start_mark,
                         "write a plain number; NaN and infinities are not allowed")
            return REFUSED
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if number.adjusted() >= MAX_INTEGER_DIGITS or exponent < -MAX_FRACTION_DIGITS:
            self.problem(ProblemKind.LIMIT, f"number {_short(text)} is out of range (limit: below 10^{MAX_INTEGER_DIGITS}, "
                         f"at most {MAX_FRACTION_DIGITS} decimals)", event.start_mark,
                         "check the value; quote it if it is meant as text")
            return REFUSED
        return number

    def run(self, parser: Any) -> Any:
        """Read every event of `parser`; return the document's value (None for an empty file)."""
        self.stack: list[Any] = []  # open containers
        self.keys: list[Any] = []  # per open container: the mapping key awaiting its value, or None
        self.sizes: list[int] = []  # values inside each open container, aliases expanded
        self.opened: list[str | None] = []  # anchor of each open container
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.root: Any = None
        self.nodes = 0
        documents = 0
        while True:
            event = parser.get_event()
            kind = event.__class__
            if kind is _SCALAR_EVENT:
                self.on_scalar(event)
            elif kind is _MAP_START or kind is _SEQ_START:
                self.open(event, PosDict if kind is _MAP_START else PosList)
            elif kind is _MAP_END or kind is _SEQ_END:
                self.close()
            elif kind is _ALIAS_EVENT:
                value, size = self.alias(event)
                self.attach(value, size, event.start_mark)
            elif kind is _DOCUMENT_START:
                documents += 1
                if documents > 1:
                    raise self.abort(ProblemKind.YAML_SYNTAX, "a second YAML document ('---') in one file",
                                     event.start_mark, "keep one document per file")
            elif kind is _STREAM_END:
                return self.root

    def on_scalar(self, event: Any) -> None:
        """A mapping key (kept as written) or a value."""
        if self.stack and self.keys[-1] is None and self.stack[-1].__class__ is PosDict:
            if len(event.value) > MAX_STRING_CHARS:
                raise self.abort(ProblemKind.LIMIT, "key longer than the limit", event.start_mark, "shorten it")
            self.keys[-1] = (event.value, event.start_mark)
            return
        value = self.scalar(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self.attach(value, 1, event.start_mark)

    def open(self, event: Any, container_type: type[PosDict] | type[PosList]) -> None:
        """A mapping or list starts: it is attached to its parent when it ends."""
        mark = event.start_mark
        if len(self.stack) >= MAX_DEPTH:
            raise self.abort(ProblemKind.LIMIT, f"nesting deeper than the limit of {MAX_DEPTH} levels", mark, "flatten the structure")
        self.stack.append(container_type(mark.line + 1, mark.column + 1))
        self.keys.append(None)
        self.sizes.append(1)
        self.opened.append(event.anchor)
        if event.anchor is not None:
            self.anchors.pop(event.anchor, None)  # a redefined anchor: aliases inside refer to the open one

    def close(self) -> None:
        value = self.stack.pop()
        self.keys.pop()
        size = self.sizes.pop()
        anchor = self.opened.pop()
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        self.attach(value, size, _Mark(value.line, value.column), counted=True)

    def attach(self, value: Any, size: int, mark: Any, *, counted: bool = False) -> None:
        """Add a finished value to the open container (or make it the document)."""
        self.nodes += 1 if counted else size
        if self.nodes > MAX_NODES:
            raise self.abort(ProblemKind.LIMIT, f"more than {MAX_NODES:,} values in one file", mark, "split the file into several files")
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        self.sizes[-1] += size
        if top.__class__ is PosList:
            top.append(value)
            top.item_pos.append((mark.line + 1, mark.column + 1))
        else:
            self.attach_to_mapping(top, value, mark)

    def attach_to_mapping(self, top: PosDict, value: Any, mark: Any) -> None:
        """The value completes a key (an alias or a collection used as key) or a key: value pair."""
        key = self.keys[-1]
        if key is None:
            if value.__class__ in (PosDict, PosList) or value is REFUSED:
                self.problem(ProblemKind.WRONG_TYPE, "a key must be plain text", mark, "write 'name: value'")
                self.keys[-1] = (None, mark)  # the value that follows is dropped
            else:
                self.keys[-1] = (str(value), mark)  # an alias to a scalar used as a key
            return
        self.keys[-1] = None
        name, key_mark = key
        if name is None:
            return
        if name in top:
            self.problem(ProblemKind.DUPLICATE_KEY, f"key '{_short(name)}' appears twice in one mapping (first at line {top.pos(name)[0]})",
                         key_mark, "keep one of the two entries")
            return
        top[name] = value
        top.keypos[name] = key_mark

    def alias(self, event: Any) -> tuple[Any, int]:
        """The value an alias refers to (shared, not copied), within the alias limits."""
        mark = event.start_mark
        entry = self.anchors.get(event.anchor)
        if entry is None:
            if event.anchor in self.opened:
                raise self.abort(ProblemKind.YAML_SYNTAX, f"alias '*{_short(event.anchor)}' refers to a value that contains it",
                                 mark, "recursive aliases are not allowed; write the value out")
            raise self.abort(ProblemKind.YAML_SYNTAX, f"alias '*{_short(event.anchor)}' has no anchor '&{_short(event.anchor)}' before it",
                             mark, "define the anchor first, or write the value out")
        value, size = entry
        self.aliases += 1
        self.alias_nodes += size
        if self.aliases > MAX_ALIASES:
            raise self.abort(ProblemKind.LIMIT, f"more than {MAX_ALIASES:,} aliases in one file", mark, "write the values out")
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise self.abort(ProblemKind.LIMIT, f"aliases expand to more than {MAX_ALIAS_NODES:,} values", mark,
                             "write the values out instead of nesting aliases")
        return value, size


class _Mark:
    """A 0-based position, like libyaml's marks, for a container that just ended."""

    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line - 1
        self.column = column - 1


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def load_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; return (data or None, problems).

    Data is None (and problems say why) when the text has control characters, is not YAML or
    exceeds a limit; otherwise problems may hold duplicate keys or refused values, each
    replaced by REFUSED in the data."""
    problems = control_character_problems(text, file)
    if problems:
        return None, problems
    parser = _Loader(text)
    try:
        return _Composer(file, problems).run(parser), problems
    except _Abort:
        return None, problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.append(Problem(
            ProblemKind.YAML_SYNTAX,
            f"{exc.problem or 'invalid YAML'}" + (f" ({exc.context})" if exc.context else ""),
            file, line, column, hint="check indentation, quoting and colons near this position",
        ))
        return None, problems
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = getattr(exc, "position", 0) or 0
        line, column = line_column(text, position)
        reason = getattr(exc, "reason", "") or "character not allowed in YAML"
        problems.append(Problem(ProblemKind.CONTROL_CHARACTER, f"{reason}", file, line, column, "delete the character"))
        return None, problems
    finally:
        parser.dispose()
