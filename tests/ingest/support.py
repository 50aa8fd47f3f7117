"""Paths to the ingest fixtures (ours) and the seed documents (read-only, maybe absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "ingest"
# Next to the main checkout; a worktree under wt/ looks one level further up.
SEEDS = next(
    (
        p
        for p in (REPO.parent / "shared" / "seeds", REPO.parents[1] / "shared" / "seeds")
        if p.is_dir()
    ),
    REPO.parent / "shared" / "seeds",
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def seed(prefix: str) -> str:
    """The seed whose name starts with ``prefix`` ("000"); skips the test when it is absent."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed {prefix}_*.txt not found in {SEEDS}")
    return found[0].read_text(encoding="utf-8")
