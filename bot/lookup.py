"""Resolving what a user typed ("japan", "日本", "Huang Jin", "huang jing") to a region or a
commentator.

`LookupIndex` is a pure function of plain records (testable without a database); `load_index`
is the thin query layer. Every name is reduced to comparison keys: casefolded, accents and
punctuation removed, spaces dropped (so "Wang Jisi", "wang ji si" and "wangjisi" agree). A
commentator's Chinese name also yields its toneless pinyin in every reading of every character,
because pypinyin's first guess misreads surnames (曾 ceng for Zeng, 单 dan for Shan).
"""

from __future__ import annotations

import itertools
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pypinyin import Style, pinyin
from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Commentator, Region

Kind = Literal["region", "commentator"]

EXACT = 100.0
# A whole word of a name ("jing" for Huang Jing): a real hint, weaker than a misspelling.
TOKEN_SCORE = 86.0
# Same sound, other characters (黄晶 for 黄靖): likely a typing slip in an input method.
HOMOPHONE_SCORE = 92.0
ACCEPT = 84.0  # tolerated misspelling: one or two letters in a name
SUGGEST = 50.0
CLEAR_LEAD = 4.0  # a best match this far ahead of the next is not ambiguous
MAX_READINGS = 64  # heteronym combinations per Chinese name, bounded

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEPARATORS_RE = re.compile(r"[\s\-_.·・,'’/&()（）]+")


@dataclass(frozen=True)
class RegionRecord:
    id: int
    slug: str
    name_en: str
    name_zh: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentatorRecord:
    id: int
    name: str
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    kind: Kind
    id: int
    score: float
    record: RegionRecord | CommentatorRecord = field(compare=False)


@dataclass(frozen=True)
class Resolution:
    """`found`: exactly one thing; `ambiguous`: several equally good (offer buttons);
    `unknown`: nothing close enough (`matches` then holds suggestions, best first)."""

    status: Literal["found", "ambiguous", "unknown"]
    matches: tuple[Candidate, ...] = ()

    @property
    def best(self) -> Candidate | None:
        return self.matches[0] if self.matches else None


def fold(text: str) -> str:
    """Casefolded, accents removed, separators collapsed to single spaces."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_SEPARATORS_RE.sub(" ", text.casefold()).split())


def compact(text: str) -> str:
    return fold(text).replace(" ", "")


@lru_cache(maxsize=8192)
def pinyin_readings(chinese: str) -> tuple[str, ...]:
    """Toneless pinyin of a Chinese name, one string per combination of character readings
    (surname first, e.g. "huang jing"); bounded to MAX_READINGS."""
    hanzi = "".join(_CJK_RE.findall(chinese))
    if not hanzi:
        return ()
    # Character by character: pypinyin's phrase dictionary would pick one reading for a
    # name it mistakes for a word.
    readings = [pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")[0] for ch in hanzi]
    combos = itertools.islice(itertools.product(*readings), MAX_READINGS)
    return tuple(" ".join(parts) for parts in combos)


@lru_cache(maxsize=8192)
def _commentator_keys(record: CommentatorRecord) -> tuple[frozenset[str], frozenset[str]]:
    """(whole-name keys, single-word keys) for a commentator."""
    names = [record.name, *record.aliases]
    if record.name_zh:
        names.append(record.name_zh)
        for reading in pinyin_readings(record.name_zh):
            names.append(reading)
            surname, _, given = reading.partition(" ")
            if given:  # Western order: "Jing Huang", "Jisi Wang"
                names.append(f"{given} {surname}")
    keys = {compact(n) for n in names if compact(n)}
    tokens = {
        tok for n in [record.name, *record.aliases] for tok in fold(n).split() if len(tok) >= 3
    }
    return frozenset(keys), frozenset(tokens - keys)


def _region_keys(record: RegionRecord) -> frozenset[str]:
    names = [record.slug, record.name_en, record.name_zh, *record.aliases]
    return frozenset(k for k in (compact(n) for n in names) if k)


class LookupIndex:
    """Regions and commentators, ready to resolve user input against."""

    def __init__(
        self, regions: Iterable[RegionRecord], commentators: Iterable[CommentatorRecord]
    ) -> None:
        self.regions = list(regions)
        self.commentators = list(commentators)
        self._owners: list[tuple[Kind, RegionRecord | CommentatorRecord]] = []
        self._keys: list[str] = []
        self._key_owner: list[int] = []
        self._tokens: dict[str, list[int]] = {}
        self._exact: dict[str, list[int]] = {}
        for record in self.regions:
            self._add("region", record, _region_keys(record), frozenset())
        for c in self.commentators:
            keys, tokens = _commentator_keys(c)
            self._add("commentator", c, keys, tokens)

    def _add(
        self,
        kind: Kind,
        record: RegionRecord | CommentatorRecord,
        keys: frozenset[str],
        tokens: frozenset[str],
    ) -> None:
        owner = len(self._owners)
        self._owners.append((kind, record))
        for key in keys:
            self._exact.setdefault(key, []).append(len(self._keys))
            self._keys.append(key)
            self._key_owner.append(owner)
        for token in tokens:
            self._tokens.setdefault(token, []).append(owner)

    def resolve(self, query: str, kinds: Sequence[Kind] = ("region", "commentator")) -> Resolution:
        key = compact(query)
        if not key:
            return Resolution("unknown")
        scores: dict[int, float] = {}

        def offer(owner: int, score: float) -> None:
            if self._owners[owner][0] in kinds and score > scores.get(owner, 0.0):
                scores[owner] = score

        for index in self._exact.get(key, ()):
            offer(self._key_owner[index], EXACT)
        for owner in self._tokens.get(key, ()):
            offer(owner, TOKEN_SCORE)
        if _CJK_RE.search(query):
            for reading in pinyin_readings(query)[:8]:
                for index in self._exact.get(compact(reading), ()):
                    offer(self._key_owner[index], HOMOPHONE_SCORE)
        if not any(s >= EXACT for s in scores.values()):
            for _, score, index in process.extract(
                key, self._keys, scorer=fuzz.ratio, score_cutoff=SUGGEST, limit=40
            ):
                offer(self._key_owner[index], float(score))

        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        candidates = tuple(
            Candidate(self._owners[o][0], self._owners[o][1].id, s, self._owners[o][1])
            for o, s in ranked
        )
        if not candidates:
            return Resolution("unknown")
        top = candidates[0].score
        if top < ACCEPT:
            return Resolution("unknown", candidates[:3])
        if top >= EXACT:
            tied = tuple(c for c in candidates if c.score >= EXACT)
        else:
            tied = tuple(c for c in candidates if c.score >= ACCEPT and top - c.score < CLEAR_LEAD)
        if len(tied) == 1:
            return Resolution("found", tied)
        return Resolution("ambiguous", tied[:8])


# --- the thin query layer ---------------------------------------------------------------


def region_record(row: Region) -> RegionRecord:
    return RegionRecord(row.id, row.slug, row.name_en, row.name_zh, tuple(row.aliases or ()))


def commentator_record(row: Commentator) -> CommentatorRecord:
    return CommentatorRecord(row.id, row.name, row.name_zh, tuple(row.aliases or ()))


async def load_index(session: AsyncSession) -> LookupIndex:
    """The index over the current regions and commentators (keys are cached per record, so
    rebuilding it per request costs a query and a few dictionary inserts)."""
    regions = (await session.execute(select(Region).order_by(Region.position, Region.id))).scalars()
    commentators = (
        await session.execute(
            select(Commentator.id, Commentator.name, Commentator.name_zh, Commentator.aliases)
        )
    ).all()
    return LookupIndex(
        [region_record(r) for r in regions],
        [CommentatorRecord(i, n, z, tuple(a or ())) for i, n, z, a in commentators],
    )


class IndexCache:
    """The index, kept between requests: rebuilding it costs a query over every commentator.

    It is rebuilt when commentators or regions are added or removed (a one-row query checks,
    so content ingested by another process is seen at once) and at least every `max_age`
    seconds, which catches renamed commentators and edited aliases.
    """

    def __init__(self, max_age: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self.clock = clock
        self._index: LookupIndex | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self._built_at = 0.0

    async def get(self, session: AsyncSession) -> LookupIndex:
        fingerprint = tuple(
            (
                await session.execute(
                    select(
                        select(func.count()).select_from(Commentator).scalar_subquery(),
                        select(func.max(Commentator.id)).scalar_subquery(),
                        select(func.count()).select_from(Region).scalar_subquery(),
                        select(func.max(Region.id)).scalar_subquery(),
                    )
                )
            ).one()
        )
        now = self.clock()
        if (
            self._index is None
            or fingerprint != self._fingerprint
            or now - self._built_at > self.max_age
        ):
            self._index = await load_index(session)
            self._fingerprint, self._built_at = fingerprint, now
        return self._index


async def resolve(
    session: AsyncSession,
    query: str,
    kinds: Sequence[Kind] = ("region", "commentator"),
    *,
    cache: IndexCache | None = None,
) -> Resolution:
    index = await cache.get(session) if cache is not None else await load_index(session)
    return index.resolve(query, kinds)


async def list_regions(session: AsyncSession) -> list[Region]:
    return list(await session.scalars(select(Region).order_by(Region.position, Region.id)))


async def get_region(session: AsyncSession, region_id: int) -> Region | None:
    return await session.get(Region, region_id)


async def get_region_by_slug(session: AsyncSession, slug: str) -> Region | None:
    return await session.scalar(select(Region).where(Region.slug == slug))


async def get_commentator(session: AsyncSession, commentator_id: int) -> Commentator | None:
    return await session.get(Commentator, commentator_id)


async def list_commentators(
    session: AsyncSession, offset: int = 0, limit: int = 8
) -> tuple[list[Commentator], int]:
    """A page of commentators by name, and how many there are."""
    total = int(await session.scalar(select(func.count()).select_from(Commentator)) or 0)
    rows = await session.scalars(
        select(Commentator).order_by(Commentator.name, Commentator.id).offset(offset).limit(limit)
    )
    return list(rows), total
