from __future__ import annotations

import pytest

from bot.editorial.refs import BadRef, ContentRef


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("12", ContentRef("e", 12)),
        ("#12", ContentRef("e", 12)),
        ("e12", ContentRef("e", 12)),
        ("I45", ContentRef("i", 45)),
        ("r7", ContentRef("r", 7)),
        ("d3", ContentRef("d", 3)),
    ],
)
def test_ids_editors_type(text: str, ref: ContentRef) -> None:
    assert ContentRef.parse(text) == ref
    assert ContentRef.parse(str(ref)) == ref


@pytest.mark.parametrize("text", ["", "x1", "e", "e-1", "1e", "e1.5", "9" * 13])
def test_bad_ids(text: str) -> None:
    with pytest.raises(BadRef):
        ContentRef.parse(text)
