"""One exception root for mdm2kg, and the located `Problem` record curation checks gather."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class ProblemKind(StrEnum):
    """Kinds of curation problems; each has one invalid fixture in the tests."""

    YAML_SYNTAX = "yaml-syntax"
    DUPLICATE_KEY = "duplicate-key"
    UNKNOWN_FIELD = "unknown-field"
    MISSING_FIELD = "missing-field"
    WRONG_TYPE = "wrong-type"
    DUPLICATE_ID = "duplicate-id"
    UNKNOWN_REFERENCE = "unknown-reference"
    NO_EVIDENCE = "no-evidence"
    BAD_IDENTIFIER = "bad-identifier"
    NOT_A_NUMBER = "not-a-number"
    UNKNOWN_TERM = "unknown-term"
    DOMAIN_RANGE = "domain-range"
    ANCHOR_NOT_FOUND = "anchor-not-found"
    CONTROL_CHARACTER = "control-character"
    LIMIT = "limit-exceeded"
    OUT_OF_RANGE = "out-of-range"
    SELF_REFERENCE = "self-reference"
    SHACL = "shacl"


class Problem(NamedTuple):
    """One curation problem, located in a file (line and column are 1-based; 0 = unknown)."""

    kind: ProblemKind
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: " if self.file else ""
        hint = f" (fix: {self.hint})" if self.hint else ""
        return f"{where}{self.kind.value}: {self.message}{hint}"


class Mdm2kgError(Exception):
    """Root of every error mdm2kg raises."""


class UsageError(Mdm2kgError, ValueError):
    """The caller asked for something that cannot be done (bad option, missing directory)."""


class CurationError(Mdm2kgError, ValueError):
    """Curated input is invalid; `problems` holds every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} curation problem(s):\n{lines}{more}")


class RuntimeFailure(Mdm2kgError, RuntimeError):
    """Something outside the user's data or request failed: a server that crashed, an HTTP 5xx,
    a damaged installation. The CLI exits with 3 for these."""


class QueryError(Mdm2kgError, ValueError):
    """A SPARQL query or its parameters are invalid."""


class NotFoundError(Mdm2kgError, LookupError):
    """A named thing (entity, query, path) does not exist; `candidates` lists near misses."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        self.candidates = candidates or []
        super().__init__(message)


def notice(message: str) -> None:
    """Tell the user about something recovered from (a damaged cache being rebuilt), on the
    `mdm2kg` logger: WARNING level, shown on stderr unless logging is configured otherwise.
    `logging` is imported only when there is something to say."""
    import logging

    logging.getLogger("mdm2kg").warning("%s", message)
