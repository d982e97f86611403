"""Identifiers checked against the IRI grammar at load time, so that whatever `validate`
accepts, `build` can write: every pattern is anchored at both ends (`\\Z` or fullmatch, never
`$`, which also admits a trailing newline)."""

from __future__ import annotations

import re

from mdm2kg.prefixes import check_curie, expand, prefix_map

# Curated record ids (they become IRIs under the mdm2 namespace and appear in file names).
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*\Z")
# A plain file name (a source document in the seeds directory): no directories, no '..'.
FILE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*\Z")

# N-Triples/Turtle IRIREF: no space, control, or <>"{}|^`\ characters; '%' starts an escape.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|^`\\\x7f-\x9f]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def iri_problem(iri: str) -> str | None:
    """None when `iri` is an absolute IRI that N-Triples can write, else what is wrong.

    >>> iri_problem("https://doi.org/10.1000/x") is None
    True
    >>> iri_problem("https://doi.org/10.1000/a>b")
    "character '>' is not allowed in an IRI"
    """
    if not _SCHEME.match(iri):
        return "not an absolute IRI (no scheme)"
    bad = _IRI_FORBIDDEN.search(iri)
    if bad is not None:
        char = bad.group()
        shown = repr(char)[1:-1] if not char.isprintable() or char == " " else char
        return f"character '{shown}' is not allowed in an IRI"
    if _BAD_PERCENT.search(iri):
        return "'%' must start an escape of two hex digits"
    return None


def identifier_problem(curie: str) -> str | None:
    """None when `curie` has a known prefix, its whole local id matches the prefix pattern and
    its expansion is a valid IRI; else what is wrong.

    >>> identifier_problem("HGNC:6973") is None
    True
    >>> identifier_problem("HGNC:6973\\n")
    "local id '6973\\\\n' does not match HGNC pattern ^\\\\d{1,6}$"
    >>> identifier_problem('doi:10.1000/a"b')
    'character \\'"\\' is not allowed in an IRI'
    """
    error = check_curie(curie)
    if error:
        return error
    prefix, _, local = curie.partition(":")
    spec = prefix_map()[prefix]
    if spec.pattern is not None and not spec.pattern.fullmatch(local):
        return f"local id '{_visible(local)}' does not match {prefix} pattern {spec.pattern.pattern}"
    return iri_problem(expand(curie))


def _visible(text: str) -> str:
    """Text with invisible characters spelled out (a trailing newline shows as \\n)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
