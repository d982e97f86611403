"""The shipped KGX export survives `kgx transform` and `kgx validate`, offline.

kgx (2.6) fetches its Biolink model, predicate map and JSON-LD context from GitHub at import
time. The `_offline_kgx` fixture points it at the `biolink-model` package instead: the schema
YAML for bmt's Toolkit, an empty predicate map (only used to map non-Biolink predicates) and
the package's prefix map as kgx's Biolink JSON-LD context. Nothing else of kgx is changed.

Documented (mdm2kg/export/kgx.py, README "Exports"), and asserted below:
- `kgx transform --stream` keeps every edge: statement ids in = ids out, with negation and
  the Biolink qualifiers.
- A default, non-stream `kgx transform` keeps exactly one edge per (subject, Biolink
  predicate, object): kgx's in-memory graph (GraphSink) keys edges on them, whatever the
  format. Its only other key, a `key` property, makes kgx 2.6 fail on every edge (TypeError:
  networkx's add_edge gets `key` twice); the canary test below says when that is fixed.
- `kgx validate` reports only the project's own `mdm2` prefix on node ids, subjects and
  objects; with `mdm2`/`mdm2kg` declared to the validator it reports nothing.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mdm2kg.export import ExportFormat, render

PROJECT_PREFIXES = {"mdm2", "mdm2kg"}


def _biolink_dir() -> Path:
    import biolink_model

    return Path(next(iter(biolink_model.__path__)))


@pytest.fixture(scope="module")
def _offline_kgx() -> Iterator[ModuleType]:
    import bmt.toolkit

    schema = str(_biolink_dir() / "schema" / "biolink_model.yaml")
    defaults = bmt.toolkit.Toolkit.__init__.__defaults__
    bmt.toolkit.Toolkit.__init__.__defaults__ = (schema, {"predicate mappings": []})
    import kgx.config

    context = json.loads((_biolink_dir() / "prefixmaps" / "biolink-model-prefix-map.json").read_text(encoding="utf-8"))
    kgx.config.jsonld_context_map["biolink"] = context
    import kgx.utils.kgx_utils as kgx_utils

    # `kgx validate` asks for the toolkit of a release by version: hand it the local one.
    kgx_utils._toolkit_versions[kgx_utils.tk.get_model_version()] = kgx_utils.tk
    yield kgx_utils
    bmt.toolkit.Toolkit.__init__.__defaults__ = defaults


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, shipped_kg: Any) -> Path:
    out = tmp_path_factory.mktemp("kgx")
    for name, data in render(shipped_kg, ExportFormat.KGX).items():
        (out / name).write_bytes(data)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _inputs(folder: Path) -> list[str]:
    return [str(folder / "nodes.tsv"), str(folder / "edges.tsv")]


def test_kgx_runs_offline_on_the_biolink_model_package(_offline_kgx: ModuleType) -> None:
    import yaml

    schema = yaml.safe_load((_biolink_dir() / "schema" / "biolink_model.yaml").read_text(encoding="utf-8"))
    assert _offline_kgx.tk.get_model_version() == schema["version"]


def test_every_statement_is_a_distinct_edge_id(exported: Path) -> None:
    ids = [e["id"] for e in _rows(exported / "edges.tsv")]
    assert len(ids) == len(set(ids)) > 700


def test_stream_transform_keeps_every_edge(_offline_kgx: ModuleType, exported: Path, tmp_path: Path) -> None:
    from kgx.cli.cli_utils import transform

    # jsonl: a streaming TSV sink writes only the core columns, jsonl writes every property
    transform(_inputs(exported), input_format="tsv", output=str(tmp_path / "out"), output_format="jsonl", stream=True)
    before = _rows(exported / "edges.tsv")
    after = [json.loads(line) for line in (tmp_path / "out_edges.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["id"] for e in after) == sorted(e["id"] for e in before)
    by_id = {e["id"]: e for e in after}
    for edge in before:  # negation and the Biolink qualifiers survive with the edge
        kept = by_id[edge["id"]]
        assert (kept.get("negated", False), kept.get("object_direction_qualifier", "")) == (
            edge["negated"] == "true", edge["object_direction_qualifier"]), edge["id"]
    nodes = (tmp_path / "out_nodes.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(nodes) == len(_rows(exported / "nodes.tsv"))


def test_default_transform_keeps_one_edge_per_subject_predicate_object(
    _offline_kgx: ModuleType, exported: Path, tmp_path: Path,
) -> None:
    from kgx.cli.cli_utils import transform

    transform(_inputs(exported), input_format="tsv", output=str(tmp_path / "out"), output_format="jsonl", stream=False)
    before = _rows(exported / "edges.tsv")
    after = [json.loads(line) for line in (tmp_path / "out_edges.jsonl").read_text(encoding="utf-8").splitlines()]
    triples = {(e["subject"], e["predicate"], e["object"]) for e in before}
    # the documented loss, exactly: one edge per triple, each one of the statements sharing it
    assert len(before) > len(triples)
    assert sorted((e["subject"], e["predicate"], e["object"]) for e in after) == sorted(triples)
    assert {e["id"] for e in after} <= {e["id"] for e in before}


def test_kgx_still_fails_on_a_key_column(_offline_kgx: ModuleType, exported: Path, tmp_path: Path) -> None:
    """Canary: KGX's documented edge key (a `key` property) would make the default transform
    keep every statement, but kgx's GraphSink passes `key` to networkx twice. When this test
    fails, kgx has fixed it: add a `key` column (the statement id) to the export."""
    from kgx.transformer import Transformer

    edges = (exported / "edges.tsv").read_text(encoding="utf-8").splitlines()
    keyed = [f"key\t{edges[0]}"] + [f"{line.split(chr(9), 1)[0]}\t{line}" for line in edges[1:]]
    (tmp_path / "edges.tsv").write_text("\n".join(keyed) + "\n", encoding="utf-8")
    (tmp_path / "nodes.tsv").write_bytes((exported / "nodes.tsv").read_bytes())
    with pytest.raises(TypeError, match="multiple values for keyword argument 'key'"):
        Transformer().transform({"filename": _inputs(tmp_path), "format": "tsv"})


def _messages(errors: dict[str, Any]) -> list[str]:
    return [message for by_type in errors.values() for messages in by_type.values() for message in messages]


def test_validate_reports_only_the_project_prefix(_offline_kgx: ModuleType, exported: Path) -> None:
    from kgx.cli.cli_utils import validate

    class Sink:
        def write(self, text: str) -> int:
            return len(text)

    stdout, sys.stdout = sys.stdout, Sink()  # type: ignore[assignment]
    try:
        errors = validate(_inputs(exported), "tsv", None, None, biolink_release=_offline_kgx.tk.get_model_version())
    finally:
        sys.stdout = stdout
    messages = _messages(errors)
    assert messages, "kgx validate should name the undeclared mdm2 prefix"
    assert [m for m in messages if "CURIE prefix 'mdm2'" not in m] == []


def test_validate_is_clean_with_the_project_prefixes_declared(_offline_kgx: ModuleType, exported: Path) -> None:
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    Validator.set_biolink_model(_offline_kgx.tk.get_model_version())
    validator = Validator()
    validator.prefixes |= PROJECT_PREFIXES
    Transformer(stream=True).transform(
        input_args={"filename": _inputs(exported), "format": "tsv"}, output_args={"format": "null"}, inspector=validator,
    )
    assert _messages(validator.get_errors()) == []
