"""A research question set about both source documents: each question names the one command that
answers it and the facts (values, entity labels, a citation locator) the answer must contain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli_runner import invoke

QUESTIONS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text(encoding="utf-8"))


def test_the_set_is_large_and_covers_both_documents() -> None:
    assert len(QUESTIONS) >= 30
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    facts = " ".join(str(f) for q in QUESTIONS for f in q["facts"])
    assert "russano2025" in facts and "benchchem2025" in facts
    assert all(q["command"][0] in ("show", "query", "path") for q in QUESTIONS)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_question_is_answered_by_one_command(shipped_kg: Any, question: dict[str, Any]) -> None:
    result = invoke([str(arg) for arg in question["command"]])
    assert result.exit_code == 0, f"{question['question']}\n{result.output}"
    missing = [fact for fact in question["facts"] if str(fact) not in result.output]
    assert not missing, f"{question['question']}: missing {missing}"
