"""Help pages laid out as the CLI has always shown them: a usage line, the docstring rewrapped
paragraph by paragraph (a paragraph whose first line is a lone \\b is kept as written), then
two-column lists of options or commands. Needs only textwrap and shutil, imported on use, so
`mdm2kg --help` loads no parser at all.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

COLUMN_MAX = 30  # widest first column of a definition list
COLUMN_GAP = 2


def page_width() -> int:
    """The width help is wrapped to: the terminal's, at most 78 and at least 50 columns."""
    import shutil

    return max(min(shutil.get_terminal_size().columns, 80) - 2, 50)


def cleandoc(doc: str | None) -> str:
    """`doc` without the indentation its lines share or blank lines around it (as inspect.cleandoc).

    >>> cleandoc('''First line.
    ...
    ...     Indented body.
    ...     ''')
    'First line.\\n\\nIndented body.'
    """
    lines = (doc or "").expandtabs().split("\n")
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
    lines = [lines[0].lstrip(), *(line[margin:] for line in lines[1:])]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def wrap(text: str, width: int, *, indent: str = "") -> str:
    """`text` rewrapped to `width` paragraph by paragraph (paragraphs are separated by an empty
    line and keep their own indentation; one opening with a lone \\b line is kept as written).

    >>> print(wrap("one two three four\\n\\n\\b\\n  kept   as is", 12, indent="  "))
      one two
      three four
    <BLANKLINE>
        kept   as is
    """
    import textwrap

    paragraphs: list[tuple[int, bool, str]] = []
    lines: list[str] = []
    margin: int | None = None

    def close() -> None:
        if lines:
            raw = lines[0].strip() == "\b"
            paragraphs.append((margin or 0, raw, "\n".join(lines[1:]) if raw else " ".join(lines)))
            lines.clear()

    for line in text.expandtabs().splitlines():
        if not line:
            close()
            margin = None
            continue
        if margin is None:
            stripped = line.lstrip()
            margin, line = len(line) - len(stripped), stripped
        lines.append(line)
    close()

    out = []
    for extra, raw, body in paragraphs:
        pad = indent + " " * extra
        if raw:
            out.append("\n".join(pad + line for line in body.splitlines()))
        else:
            out.append(textwrap.TextWrapper(width, initial_indent=pad, subsequent_indent=pad,
                                            replace_whitespace=False).fill(body))
    return "\n\n".join(out)


def definition_list(rows: Sequence[tuple[str, str]], width: int, *, indent: int = 2) -> list[str]:
    """Terms in a first column (at most COLUMN_MAX wide; a longer term puts its text on the next
    line) and their text wrapped beside them."""
    if not rows:
        return []
    first = min(max(len(term) for term, _ in rows), COLUMN_MAX) + COLUMN_GAP
    text_width = max(width - first - 2, 10)
    out: list[str] = []
    for term, text in rows:
        head = " " * indent + term
        if not text:
            out.append(head)
            continue
        if len(term) <= first - COLUMN_GAP:
            head += " " * (first - len(term))
        else:
            out.append(head)
            head = " " * (first + indent)
        body = wrap(text, text_width).splitlines() or [""]
        out.append(head + body[0])
        out.extend(" " * (first + indent) + line for line in body[1:])
    return out


def first_sentence(doc: str | None) -> str:
    """The first sentence of the first paragraph of `doc`, on one line (a period ends a sentence
    unless a lowercase word follows it).

    >>> first_sentence('''Count things, e.g. genes. Then more.
    ...
    ...     Second paragraph.''')
    'Count things, e.g. genes.'
    """
    words = cleandoc(doc).partition("\n\n")[0].split()
    if words and words[0] == "\b":
        words = words[1:]
    for i, word in enumerate(words):
        if word.endswith(".") and (i == len(words) - 1 or not words[i + 1][0].islower()):
            return " ".join(words[: i + 1])
    return " ".join(words)


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word to at most `limit` characters, ending in '...' when cut."""
    if len(text) <= limit:
        return text
    import textwrap

    return textwrap.shorten(text, max(limit, 3), placeholder="...", break_on_hyphens=False)


def page(usage: str, doc: str | None, sections: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> str:
    """A whole help page: 'Usage: ...', the rewrapped docstring, then each titled section."""
    width = page_width()
    parts = [f"Usage: {usage}"]
    text = cleandoc(doc)
    if text:
        parts.append(wrap(text, width, indent="  "))
    for title, rows in sections:
        if rows:
            parts.append("\n".join([f"{title}:", *definition_list(rows, width)]))
    return "\n\n".join(parts) + "\n"
