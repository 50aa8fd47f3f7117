"""What the public site reads: published content as plain records, newest first.

Only published rows are listed. A permalink loads its row whatever its status, so the page can
tell "withdrawn" (retracted) from "no such page" (drafts and scheduled content are not shown).

Lists merge entries and report items by publication time with a keyset cursor (publication
time, kind, id): each page is an index walk from the cursor, however deep the archive, and
items published together (a report's) never fall between two pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Digest,
    Entry,
    Region,
    ReportItem,
    entry_commentators,
    entry_regions,
    item_commentators,
    item_regions,
)

PUBLISHED = ContentStatus.PUBLISHED.value
RETRACTED = ContentStatus.RETRACTED.value
CARD_SUMMARY_CHARS = 400
# Sort rank of each kind among rows published at the same moment (higher first).
_RANK = {"e": 1, "i": 0}


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    name_zh: str | None


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    slug: str
    name_en: str
    name_zh: str


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a list page ends: the next page starts after this key."""

    published_at: dt.datetime
    kind: str  # e | i
    id: int

    def __str__(self) -> str:
        micros = int(self.published_at.timestamp() * 1_000_000)
        return f"{micros}-{self.kind}{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor a page link carries; None for anything malformed."""
        if not text or len(text) > 40:
            return None
        micros, _, ref = text.partition("-")
        if not micros.isdigit() or ref[:1] not in _RANK or not ref[1:].isdigit():
            return None
        try:
            moment = dt.datetime.fromtimestamp(int(micros) / 1_000_000, dt.UTC)
        except (OverflowError, ValueError, OSError):
            return None
        return cls(moment, ref[:1], int(ref[1:]))


@dataclass(frozen=True, slots=True)
class Card:
    """An entry or report item in a list or a feed (and on its own page, with `body`)."""

    kind: str  # e | i
    id: int
    title: str | None
    title_zh: str | None
    summary: str | None
    summary_zh: str | None
    outlet: str | None
    date: dt.date | None
    published_at: dt.datetime
    url: str | None
    status: str = PUBLISHED
    retracted_at: dt.datetime | None = None
    parent_id: int | None = None  # the digest of an entry, the report of an item
    affiliation: str | None = None
    commentators: tuple[Person, ...] = ()
    regions: tuple[Place, ...] = ()

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.published_at, self.kind, self.id)


@dataclass(frozen=True, slots=True)
class CardPage:
    cards: tuple[Card, ...]
    next: Cursor | None  # more below


@dataclass(frozen=True, slots=True)
class ReportCard:
    id: int
    date: dt.date
    title: str
    overview: str | None
    published_at: dt.datetime | None
    items: int
    status: str = PUBLISHED


@dataclass(frozen=True, slots=True)
class DigestCard:
    id: int
    title: str
    month: str | None
    summary: str | None
    link: str | None
    published_at: dt.datetime | None
    entries: int
    status: str = PUBLISHED
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Home:
    reports: tuple[ReportCard, ...]
    digests: tuple[DigestCard, ...]
    latest: CardPage


@dataclass(frozen=True, slots=True)
class ReportPage:
    report: ReportCard
    items: tuple[Card, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DigestPage:
    digest: DigestCard
    entries: tuple[Card, ...] = field(default=())


# --- regions and commentators --------------------------------------------------------------


async def regions(session: AsyncSession) -> tuple[Place, ...]:
    rows = await session.execute(
        select(Region.id, Region.slug, Region.name_en, Region.name_zh).order_by(
            Region.position, Region.id
        )
    )
    return tuple(Place(*row) for row in rows)


async def commentator(session: AsyncSession, commentator_id: int) -> Person | None:
    row = (
        await session.execute(
            select(Commentator.id, Commentator.name, Commentator.name_zh).where(
                Commentator.id == commentator_id
            )
        )
    ).first()
    return Person(*row) if row else None


async def commentators(session: AsyncSession) -> tuple[tuple[Person, int], ...]:
    """Every commentator with published entries or items, and how many, by name."""
    counts: dict[int, int] = {}
    for link, model, key in (
        (entry_commentators, Entry, "entry_id"),
        (item_commentators, ReportItem, "item_id"),
    ):
        rows = await session.execute(
            select(link.c.commentator_id, func.count())
            .join(model, model.id == link.c[key])
            .where(model.status == PUBLISHED)
            .group_by(link.c.commentator_id)
        )
        for cid, n in rows.tuples():
            counts[cid] = counts.get(cid, 0) + int(n)
    if not counts:
        return ()
    rows = await session.execute(
        select(Commentator.id, Commentator.name, Commentator.name_zh)
        .where(Commentator.id.in_(list(counts)))
        .order_by(Commentator.name, Commentator.id)
    )
    return tuple((Person(*row), counts[row[0]]) for row in rows)


# --- lists ---------------------------------------------------------------------------------


def _entry_columns() -> Select[Any]:
    return select(
        Entry.id,
        Entry.title,
        Entry.title_zh,
        Entry.summary,
        Entry.outlet,
        Entry.date,
        Entry.published_at,
        Entry.url,
        Entry.status,
        Entry.retracted_at,
        Entry.digest_id,
        Entry.affiliation,
    )


def _item_columns() -> Select[Any]:
    return select(
        ReportItem.id,
        ReportItem.headline,
        ReportItem.title_zh,
        ReportItem.summary_en,
        ReportItem.summary_zh,
        DailyReport.date,
        ReportItem.published_at,
        ReportItem.url,
        ReportItem.status,
        ReportItem.retracted_at,
        ReportItem.report_id,
    ).join(DailyReport, DailyReport.id == ReportItem.report_id)


def _entry_card(row: Any, *, clip: bool = True) -> Card:
    return Card(
        kind="e",
        id=row.id,
        title=row.title,
        title_zh=row.title_zh,
        summary=_clip(row.summary) if clip else row.summary,
        summary_zh=None,
        outlet=row.outlet,
        date=row.date or (row.published_at.date() if row.published_at else None),
        published_at=row.published_at or dt.datetime.min.replace(tzinfo=dt.UTC),
        url=row.url,
        status=row.status,
        retracted_at=row.retracted_at,
        parent_id=row.digest_id,
        affiliation=row.affiliation,
    )


def _item_card(row: Any, *, clip: bool = True) -> Card:
    return Card(
        kind="i",
        id=row.id,
        title=row.headline,
        title_zh=row.title_zh,
        summary=_clip(row.summary_en) if clip else row.summary_en,
        summary_zh=_clip(row.summary_zh) if clip else row.summary_zh,
        outlet=None,
        date=row.date,
        published_at=row.published_at or dt.datetime.min.replace(tzinfo=dt.UTC),
        url=row.url,
        status=row.status,
        retracted_at=row.retracted_at,
        parent_id=row.report_id,
    )


def _clip(text: str | None) -> str | None:
    if not text or len(text) <= CARD_SUMMARY_CHARS:
        return text
    return text[: CARD_SUMMARY_CHARS - 1].rstrip() + "…"


def _older_than(
    cursor: Cursor | None, kind: str, published_at: Any, row_id: Any
) -> ColumnElement[bool]:
    """Rows of `kind` that sort after `cursor` (newest first: time, kind rank, id)."""
    if cursor is None:
        return true()
    rank, cursor_rank = _RANK[kind], _RANK[cursor.kind]
    if rank < cursor_rank:
        same_moment: ColumnElement[bool] = true()
    elif rank == cursor_rank:
        same_moment = row_id < cursor.id
    else:
        same_moment = false()
    return or_(
        published_at < cursor.published_at,
        and_(published_at == cursor.published_at, same_moment),
    )


async def latest(
    session: AsyncSession,
    *,
    region_id: int | None = None,
    commentator_id: int | None = None,
    before: Cursor | None = None,
    limit: int = 30,
    kinds: Sequence[str] = ("e", "i"),
) -> CardPage:
    """Published entries and report items, newest first, optionally of one region or one
    commentator, starting after `before`."""
    cards: list[Card] = []
    if "e" in kinds:
        query = (
            _entry_columns()
            .where(
                Entry.status == PUBLISHED,
                _older_than(before, "e", Entry.published_at, Entry.id),
            )
            .order_by(Entry.published_at.desc(), Entry.id.desc())
            .limit(limit + 1)
        )
        if region_id is not None:
            # A region holds a good part of the archive: walk the newest first and keep its own.
            query = query.where(
                select(entry_regions.c.entry_id)
                .where(
                    entry_regions.c.entry_id == Entry.id,
                    entry_regions.c.region_id == region_id,
                )
                .exists()
            )
        if commentator_id is not None:
            # A commentator holds few entries: start from theirs.
            query = query.join(entry_commentators, entry_commentators.c.entry_id == Entry.id).where(
                entry_commentators.c.commentator_id == commentator_id
            )
        cards += [_entry_card(row) for row in await session.execute(query)]
    if "i" in kinds:
        query = (
            _item_columns()
            .where(
                ReportItem.status == PUBLISHED,
                _older_than(before, "i", ReportItem.published_at, ReportItem.id),
            )
            .order_by(ReportItem.published_at.desc(), ReportItem.id.desc())
            .limit(limit + 1)
        )
        if region_id is not None:
            query = query.where(
                select(item_regions.c.item_id)
                .where(item_regions.c.item_id == ReportItem.id, item_regions.c.region_id == region_id)
                .exists()
            )
        if commentator_id is not None:
            query = query.join(item_commentators, item_commentators.c.item_id == ReportItem.id).where(
                item_commentators.c.commentator_id == commentator_id
            )
        cards += [_item_card(row) for row in await session.execute(query)]
    cards.sort(key=lambda c: (c.published_at, _RANK[c.kind], c.id), reverse=True)
    shown = cards[:limit]
    more = len(cards) > limit
    return CardPage(await with_names(session, shown), shown[-1].cursor if more and shown else None)


async def with_names(session: AsyncSession, cards: Sequence[Card]) -> tuple[Card, ...]:
    """The cards with their commentators and regions filled in (a query per kind and link)."""
    places = {p.id: p for p in await regions(session)}
    by_kind: dict[str, list[int]] = {}
    for card in cards:
        by_kind.setdefault(card.kind, []).append(card.id)
    people: dict[tuple[str, int], list[Person]] = {}
    areas: dict[tuple[str, int], list[Place]] = {}
    for kind, ids in by_kind.items():
        if kind == "e":
            person_link, person_key, order = entry_commentators, "entry_id", [entry_commentators.c.position]
            region_link, region_key = entry_regions, "entry_id"
        else:
            person_link, person_key, order = item_commentators, "item_id", []
            region_link, region_key = item_regions, "item_id"
        rows = await session.execute(
            select(person_link.c[person_key], Commentator.id, Commentator.name, Commentator.name_zh)
            .join(Commentator, Commentator.id == person_link.c.commentator_id)
            .where(person_link.c[person_key].in_(ids))
            .order_by(person_link.c[person_key], *order, Commentator.id)
        )
        for owner, cid, name, name_zh in rows:
            people.setdefault((kind, owner), []).append(Person(cid, name, name_zh))
        rows = await session.execute(
            select(region_link.c[region_key], region_link.c.region_id).where(
                region_link.c[region_key].in_(ids)
            )
        )
        for owner, rid in rows:
            if rid in places:
                areas.setdefault((kind, owner), []).append(places[rid])
    order_of = {p.id: n for n, p in enumerate(places.values())}
    return tuple(
        replace(
            card,
            commentators=tuple(people.get((card.kind, card.id), ())),
            regions=tuple(
                sorted(areas.get((card.kind, card.id), ()), key=lambda p: order_of[p.id])
            ),
        )
        for card in cards
    )


async def home(session: AsyncSession, *, reports: int = 10, digests: int = 10) -> Home:
    return Home(
        await latest_reports(session, reports),
        await latest_digests(session, digests),
        await latest(session, limit=20),
    )


async def latest_reports(session: AsyncSession, limit: int) -> tuple[ReportCard, ...]:
    rows = (
        await session.execute(
            select(
                DailyReport.id,
                DailyReport.date,
                DailyReport.title,
                DailyReport.overview,
                DailyReport.published_at,
            )
            .where(DailyReport.status == PUBLISHED)
            .order_by(DailyReport.published_at.desc(), DailyReport.id.desc())
            .limit(limit)
        )
    ).all()
    counts = await _counts(session, ReportItem.report_id, [r.id for r in rows])
    return tuple(ReportCard(*row, items=counts.get(row.id, 0)) for row in rows)


async def latest_digests(session: AsyncSession, limit: int) -> tuple[DigestCard, ...]:
    rows = (
        await session.execute(
            _digest_columns()
            .where(Digest.status == PUBLISHED)
            .order_by(Digest.published_at.desc(), Digest.id.desc())
            .limit(limit)
        )
    ).all()
    counts = await _counts(session, Entry.digest_id, [r.id for r in rows])
    return tuple(_digest_card(row, counts.get(row.id, 0)) for row in rows)


def _digest_columns() -> Select[Any]:
    return select(
        Digest.id,
        Digest.title,
        Digest.month,
        Digest.summary,
        Digest.link,
        Digest.published_at,
        Digest.status,
        Digest.content_hash,
    )


def _digest_card(row: Any, entries: int) -> DigestCard:
    return DigestCard(
        row.id,
        row.title,
        row.month,
        row.summary,
        row.link,
        row.published_at,
        entries,
        row.status,
        row.content_hash,
    )


async def _counts(session: AsyncSession, parent: Any, ids: list[int]) -> dict[int, int]:
    """Published children (items of reports, entries of digests) per parent id."""
    if not ids:
        return {}
    model = parent.class_
    rows = await session.execute(
        select(parent, func.count())
        .where(parent.in_(ids), model.status == PUBLISHED)
        .group_by(parent)
    )
    return {int(k): int(n) for k, n in rows.tuples()}


# --- permalinks ------------------------------------------------------------------------------


async def entry(session: AsyncSession, entry_id: int) -> Card | None:
    row = (await session.execute(_entry_columns().where(Entry.id == entry_id))).first()
    if row is None:
        return None
    return (await with_names(session, [_entry_card(row, clip=False)]))[0]


async def item(session: AsyncSession, item_id: int) -> Card | None:
    row = (await session.execute(_item_columns().where(ReportItem.id == item_id))).first()
    if row is None:
        return None
    return (await with_names(session, [_item_card(row, clip=False)]))[0]


async def report(session: AsyncSession, report_id: int) -> ReportPage | None:
    row = (
        await session.execute(
            select(
                DailyReport.id,
                DailyReport.date,
                DailyReport.title,
                DailyReport.overview,
                DailyReport.published_at,
                DailyReport.status,
            ).where(DailyReport.id == report_id)
        )
    ).first()
    if row is None:
        return None
    rows = await session.execute(
        _item_columns()
        .where(ReportItem.report_id == report_id, ReportItem.status == PUBLISHED)
        .order_by(ReportItem.position, ReportItem.id)
    )
    items = await with_names(session, [_item_card(r, clip=False) for r in rows])
    card = ReportCard(row.id, row.date, row.title, row.overview, row.published_at, len(items))
    return ReportPage(replace(card, status=row.status), items)


async def digest(session: AsyncSession, digest_id: int) -> DigestPage | None:
    row = (await session.execute(_digest_columns().where(Digest.id == digest_id))).first()
    if row is None:
        return None
    rows = await session.execute(
        _entry_columns()
        .where(Entry.digest_id == digest_id, Entry.status == PUBLISHED)
        .order_by(Entry.position, Entry.id)
    )
    entries = await with_names(session, [_entry_card(r) for r in rows])
    return DigestPage(_digest_card(row, len(entries)), entries)
