"""`mdm2kg coverage`: how much of the source documents the curated graph cites."""

from __future__ import annotations

from mdm2kg.cli import EXIT_DATA
from mdm2kg.cli.args import Choice, Float, PathArg, command
from mdm2kg.cli.common import data_option, echo, handle_errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mdm2kg.cli.args import Parser


def _coverage_options(p: Parser) -> None:
    data_option(p)
    p.option("--sources", dest="sources", type=PathArg(file_okay=False, exists=True), required=True,
             help="Directory holding the source documents (the `document` files named in sources.yaml).")
    p.option("--format", dest="fmt", type=Choice(["text", "json"]), default="text")
    p.option("--threshold", type=Float(), default=95.0, show_default=True,
             help="Percentage of multi-entity sentences that must be covered or explained in every document.")
    p.option("--show", dest="show", type=Choice(["uncovered", "excluded", "covered", "none"]), default="uncovered",
             show_default=True, help="Which sentences to list in text output.")


@command(_coverage_options)
@handle_errors
def coverage(data: tuple[str, ...], sources: Path, fmt: str, threshold: float, show: str) -> None:
    """Sentences of the source documents that mention two or more known entities: which are
    cited by an evidence anchor, which are excluded with a reason, which are neither.

    Exit 0 when every document reaches the threshold, 1 otherwise.
    """
    from mdm2kg.artifact.cache import resolve_data_dirs
    from mdm2kg.curation.coverage import Status, load_exclusions
    from mdm2kg.curation.coverage import coverage as compute
    from mdm2kg.curation.loader import load
    from mdm2kg.rdf.ontology import load_schema

    dirs = resolve_data_dirs(list(data))
    report = compute(load(dirs, load_schema()), sources, exclusions=load_exclusions(dirs), threshold=threshold)
    if fmt == "json":
        import json

        echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for doc in report.documents:
            echo(f"{doc.source} ({doc.document}): {doc.percent:.1f}% covered or explained "
                       f"({doc.count(Status.COVERED)} covered, {doc.count(Status.EXCLUDED)} excluded, "
                       f"{doc.count(Status.UNCOVERED)} uncovered of {doc.total})")
            for sec in doc.sections:
                if not sec.sentences:
                    continue
                echo(f"  {sec.locator:<32} {sec.count(Status.COVERED):>3} covered {sec.count(Status.EXCLUDED):>3} excluded "
                           f"{sec.count(Status.UNCOVERED):>3} uncovered")
                for s in sec.sentences:
                    if s.status.value == show:
                        extra = f"  [{s.reason}]" if s.reason and s.status is not Status.UNCOVERED else ""
                        echo(f"      line {s.line}: {s.text}{extra}")
        for e in report.unused_exclusions:
            echo(f"unused exclusion: {e.source} {e.locator}: {e.text or '(whole section)'}")
        echo("ok" if report.ok else f"below {threshold:g}% in at least one document")
    if not report.ok:
        raise SystemExit(EXIT_DATA)
