"""Recall against a plain substring scan of the archive, on both databases.

A Chinese term finds exactly the documents that contain it (two characters, one character, a
name: no 3-character minimum); a word in Latin script finds at least every document with a
word that begins with it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from bot.search.service import search
from bot.search.tokenize import CJK_RE, normalize, pieces
from tests.search import archive as fixtures
from tests.search.conftest import Library

REGION_NAMES = {
    "us-china": "US-China 中美",
    "europe": "Europe 欧洲",
    "japan": "Japan 日本",
    "africa": "Africa 非洲",
    "russia": "Russia 俄罗斯",
}


def documents() -> dict[str, str]:
    """Every searchable text of every document of the test archive, normalized."""
    docs: dict[str, str] = {}
    november_regions: set[str] = set()
    for spec in fixtures.ENTRIES:
        people = " ".join(" ".join(filter(None, fixtures.PEOPLE[p])) for p in spec.people)
        regions = " ".join(REGION_NAMES[r] for r in spec.regions)
        fields = [spec.title, spec.title_zh, spec.summary, spec.text, spec.outlet, people, regions]
        docs[f"entry:{spec.key}"] = " | ".join(f for f in fields if f)
        if spec.date.month == 11:
            november_regions.update(spec.regions)
    for spec in fixtures.ITEMS:
        regions = " ".join(REGION_NAMES[r] for r in spec.regions)
        fields = [spec.headline, spec.title_zh, spec.summary_zh, spec.text, regions]
        docs[f"item:{spec.key}"] = " | ".join(fields)
    digest_regions = " ".join(REGION_NAMES[r] for r in sorted(november_regions))
    docs["digest:digest"] = " | ".join(
        [fixtures.DIGEST["title"], fixtures.DIGEST["summary"], digest_regions]
    )
    return {k: _fold(v) for k, v in docs.items()}


def _fold(text: str) -> str:
    return " ".join(p.text if p.cjk else f"\x00{p.text}" for p in pieces(text))


def chinese_terms(texts: list[str], count: int) -> list[str]:
    """Substrings of the archive's Chinese runs (1 to 4 characters) and a few absent ones."""
    runs = [run for text in texts for run in re.findall(f"(?:{CJK_RE.pattern})+", text)]
    every = sorted(
        {run[i : i + n] for run in runs for n in range(1, 5) for i in range(len(run) - n + 1)}
    )
    chosen = random.Random(20251119).sample(every, min(count, len(every)))
    return [*chosen, "稀土", "黄靖", "土", "潜", "曾志伟", "日本", "中美", "海豚", "鲸"]


def latin_terms(texts: list[str], count: int) -> list[str]:
    """Words of the archive and their beginnings (from 2 letters), and a few absent ones."""
    words = {w for text in texts for w in re.findall(r"\x00([0-9a-z]+)", text)}
    every = sorted({w[:n] for w in words for n in range(2, len(w) + 1)})
    chosen = random.Random(20251120).sample(every, min(count, len(every)))
    return [*chosen, "submarine", "zeng", "rare", "lu", "zz", "qwertyuiop"]


def scan(docs: dict[str, str], term: str) -> set[str]:
    """The documents a plain substring scan finds (Latin: at the start of a word)."""
    if CJK_RE.search(term):
        return {k for k, text in docs.items() if term in text}
    return {k for k, text in docs.items() if f"\x00{term}" in text}


DOCS = documents()
CHINESE = chinese_terms(list(DOCS.values()), 80)
LATIN = latin_terms(list(DOCS.values()), 60)


async def found(library: Library, term: str) -> set[str]:
    async with library.db.session_factory() as session:
        page = await search(session, term, limit=50)
    return {library.archive.key(r.type, r.id) for r in page.results}


def _batches(terms: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(terms), size):
        yield terms[start : start + size]


@pytest.mark.parametrize("batch", list(_batches(CHINESE, 40)), ids=lambda b: f"{b[0]}…")
async def test_a_chinese_term_finds_exactly_what_contains_it(
    library: Library, batch: list[str]
) -> None:
    for term in batch:
        # Quoted: the term itself, without its equivalents in English.
        assert await found(library, f'"{term}"') == scan(DOCS, normalize(term)), term


@pytest.mark.parametrize("batch", list(_batches(LATIN, 40)), ids=lambda b: f"{b[0]}…")
async def test_a_word_finds_everything_with_a_word_it_begins(
    library: Library, batch: list[str]
) -> None:
    for term in batch:
        assert await found(library, term) >= scan(DOCS, term), term


async def test_a_stem_finds_more_than_the_substring_does(library: Library) -> None:
    assert "submarines" not in DOCS["entry:zeng_submarine"]
    assert "entry:zeng_submarine" in await found(library, "submarines")
