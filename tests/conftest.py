"""Shared fixtures: a private build cache per session, the tiny graph, the shipped graph."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parent
SEEDS = Path(os.environ.get("MDM2KG_SEEDS", REPO.parent / "shared" / "seeds"))


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["MDM2KG_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def tiny_kg():  # type: ignore[no-untyped-def]
    from mdm2kg.artifact.graph import KnowledgeGraph

    return KnowledgeGraph.build([FIXTURES / "tiny"])


@pytest.fixture(scope="session")
def shipped_kg():  # type: ignore[no-untyped-def]
    from mdm2kg.artifact.graph import KnowledgeGraph

    return KnowledgeGraph.build()


def require_seeds() -> Path:
    """The source documents: present in CI (../shared/seeds); a local checkout without them skips."""
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"source documents missing at {SEEDS}")
        pytest.skip("source documents not available")
    return SEEDS
