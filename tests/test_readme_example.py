"""The README's notebook example runs as printed and says what it claims."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).parent.parent / "README.md"


def notebook_block() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    (block,) = [b for b in blocks if b.startswith("# notebook example")]
    return block


def test_readme_notebook_example_runs_and_answers() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(notebook_block(), str(README), "exec"), namespace)  # the README's own text
    card, results, phase3 = namespace["card"], namespace["results"], namespace["phase3"]
    assert card.category == "ClinicalTrial"
    assert "3.2" in set(results["value"])
    assert set(phase3["label"]) == {"Idasanutlin", "Brigimadlin", "Milademetan", "Navtemadlin"}
    assert all(phase3["citations"])  # every row cited
