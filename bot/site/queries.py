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
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
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
        literal("e", String).label("kind"),
        Entry.id,
        Entry.title,
        Entry.title_zh,
        Entry.summary,
        cast(null(), Text).label("summary_zh"),
        Entry.outlet,
        Entry.date,
        Entry.published_at,
        Entry.url,
        Entry.status,
        Entry.retracted_at,
        Entry.digest_id.label("parent_id"),
        Entry.affiliation,
    )


def _item_columns() -> Select[Any]:
    return select(
        literal("i", String).label("kind"),
        ReportItem.id,
        ReportItem.headline.label("title"),
        ReportItem.title_zh,
        ReportItem.summary_en.label("summary"),
        ReportItem.summary_zh,
        cast(null(), String).label("outlet"),
        DailyReport.date,
        ReportItem.published_at,
        ReportItem.url,
        ReportItem.status,
        ReportItem.retracted_at,
        ReportItem.report_id.label("parent_id"),
        cast(null(), Text).label("affiliation"),
    ).join(DailyReport, DailyReport.id == ReportItem.report_id)


def _card(row: Any, *, clip: bool = True) -> Card:
    """A card from a row of `_entry_columns` or `_item_columns`."""
    return Card(
        kind=row.kind,
        id=row.id,
        title=row.title,
        title_zh=row.title_zh,
        summary=_clip(row.summary) if clip else row.summary,
        summary_zh=_clip(row.summary_zh) if clip else row.summary_zh,
        outlet=row.outlet,
        date=row.date or (row.published_at.date() if row.published_at else None),
        published_at=row.published_at or dt.datetime.min.replace(tzinfo=dt.UTC),
        url=row.url,
        status=row.status,
        retracted_at=row.retracted_at,
        parent_id=row.parent_id,
        affiliation=row.affiliation,
    )


def _clip(text: str | None) -> str | None:
    if not text or len(text) <= CARD_SUMMARY_CHARS:
        return text
    return text[: CARD_SUMMARY_CHARS - 1].rstrip() + "…"


# Statements are built once per shape and run with parameters: building a select costs more
# CPU than running it on an indexed table.
_AT = bindparam("before_at", type_=Entry.__table__.c.published_at.type)
_RANK_AT = bindparam("before_rank", type_=Integer)
_ID_AT = bindparam("before_id", type_=Integer)
_TARGET = bindparam("target", type_=Integer)
_LIMIT = bindparam("limit", type_=Integer)


def _older_than(kind: str, published_at: Any, row_id: Any) -> ColumnElement[bool]:
    """Rows of `kind` that sort after the cursor (newest first: time, kind rank, id)."""
    rank = literal_column(str(_RANK[kind]), Integer)
    same_moment = or_(rank < _RANK_AT, and_(rank == _RANK_AT, row_id < _ID_AT))
    # The outer `<=` bounds an index range scan; the OR alone would not.
    return and_(published_at <= _AT, or_(published_at < _AT, same_moment))


@lru_cache(maxsize=8)
def _latest_statement(of: str | None, paged: bool) -> CompoundSelect:
    """Newest published entries and items (`of`: None, "region" or "commentator" `target`)."""
    entry_status: SQLColumnExpression[str] = Entry.status
    item_status: SQLColumnExpression[str] = ReportItem.status
    if of == "commentator":
        # A commentator holds few rows: start from their ids and sort those. `status || ''`
        # keeps SQLite (which keeps no statistics to know better) from walking the whole
        # archive by publication time instead, checking each row against the list.
        entry_status, item_status = Entry.status.concat(""), ReportItem.status.concat("")
    entries = _entry_columns().where(entry_status == PUBLISHED)
    items = _item_columns().where(item_status == PUBLISHED)
    if paged:
        entries = entries.where(_older_than("e", Entry.published_at, Entry.id))
        items = items.where(_older_than("i", ReportItem.published_at, ReportItem.id))
    if of == "region":
        # A region holds a good part of the archive: walk the newest first and keep its own.
        entries = entries.where(
            select(entry_regions.c.entry_id)
            .where(entry_regions.c.entry_id == Entry.id, entry_regions.c.region_id == _TARGET)
            .exists()
        )
        items = items.where(
            select(item_regions.c.item_id)
            .where(item_regions.c.item_id == ReportItem.id, item_regions.c.region_id == _TARGET)
            .exists()
        )
    elif of == "commentator":
        entries = entries.where(
            Entry.id.in_(
                select(entry_commentators.c.entry_id).where(
                    entry_commentators.c.commentator_id == _TARGET
                )
            )
        )
        items = items.where(
            ReportItem.id.in_(
                select(item_commentators.c.item_id).where(
                    item_commentators.c.commentator_id == _TARGET
                )
            )
        )
    entries = entries.order_by(Entry.published_at.desc(), Entry.id.desc()).limit(_LIMIT)
    items = items.order_by(ReportItem.published_at.desc(), ReportItem.id.desc()).limit(_LIMIT)
    return union_all(select(entries.subquery()), select(items.subquery()))


async def latest(
    session: AsyncSession,
    *,
    region_id: int | None = None,
    commentator_id: int | None = None,
    before: Cursor | None = None,
    limit: int = 30,
) -> CardPage:
    """Published entries and report items, newest first, optionally of one region or one
    commentator, starting after `before`. One query for the rows, one for their names."""
    of = "region" if region_id is not None else "commentator" if commentator_id else None
    values: dict[str, Any] = {"limit": limit + 1, "target": region_id or commentator_id}
    if before is not None:
        values |= {
            "before_at": before.published_at,
            "before_rank": _RANK[before.kind],
            "before_id": before.id,
        }
    statement = _latest_statement(of, before is not None)
    cards = [_card(row) for row in await session.execute(statement, values)]
    cards.sort(key=lambda c: (c.published_at, _RANK[c.kind], c.id), reverse=True)
    shown = cards[:limit]
    more = len(cards) > limit
    return CardPage(await with_names(session, shown), shown[-1].cursor if more and shown else None)


@lru_cache(maxsize=4)
def _names_statement(kinds: tuple[str, ...]) -> CompoundSelect:
    """Commentators ("p") and regions ("r") of the entries and items whose ids are bound as
    `e_ids` and `i_ids`."""
    parts: list[Select[Any]] = []
    for kind in kinds:
        ids: BindParameter[list[int]] = bindparam(f"{kind}_ids", expanding=True)
        order: ColumnElement[Any]
        if kind == "e":
            people, owner = entry_commentators, entry_commentators.c.entry_id
            order = entry_commentators.c.position
            places, place_owner = entry_regions, entry_regions.c.entry_id
        else:
            people, owner = item_commentators, item_commentators.c.item_id
            order = literal_column("0", Integer)
            places, place_owner = item_regions, item_regions.c.item_id
        parts.append(
            select(
                literal_column(f"'{kind}'", String).label("kind"),
                literal_column("'p'", String).label("role"),
                owner.label("owner"),
                Commentator.id,
                Commentator.name,
                Commentator.name_zh,
                cast(null(), String).label("slug"),
                order.label("sort"),
            )
            .join(Commentator, Commentator.id == people.c.commentator_id)
            .where(owner.in_(ids))
        )
        parts.append(
            select(
                literal_column(f"'{kind}'", String),
                literal_column("'r'", String),
                place_owner,
                Region.id,
                Region.name_en,
                Region.name_zh,
                Region.slug,
                Region.position,
            )
            .join(Region, Region.id == places.c.region_id)
            .where(place_owner.in_(ids))
        )
    return union_all(*parts)


async def with_names(session: AsyncSession, cards: Sequence[Card]) -> tuple[Card, ...]:
    """The cards with their commentators and regions filled in, in one query."""
    ids: dict[str, list[int]] = {}
    for card in cards:
        ids.setdefault(card.kind, []).append(card.id)
    people: dict[tuple[str, int], list[tuple[int, int, Person]]] = {}
    places: dict[tuple[str, int], list[tuple[int, int, Place]]] = {}
    if ids:
        kinds = tuple(sorted(ids))
        values = {f"{kind}_ids": ids[kind] for kind in kinds}
        rows = await session.execute(_names_statement(kinds), values)
        for kind, role, owner, number, name, name_zh, slug, sort in rows.tuples():
            if role == "p":
                people.setdefault((kind, owner), []).append(
                    (sort, number, Person(number, name, name_zh))
                )
            else:
                places.setdefault((kind, owner), []).append(
                    (sort, number, Place(number, slug, name, name_zh))
                )
    return tuple(
        replace(
            card,
            commentators=tuple(p for *_, p in sorted(people.get((card.kind, card.id), ()))),
            regions=tuple(p for *_, p in sorted(places.get((card.kind, card.id), ()))),
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
    items = (
        select(func.count())
        .where(ReportItem.report_id == DailyReport.id, ReportItem.status == PUBLISHED)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            DailyReport.id,
            DailyReport.date,
            DailyReport.title,
            DailyReport.overview,
            DailyReport.published_at,
            items,
        )
        .where(DailyReport.status == PUBLISHED)
        .order_by(DailyReport.published_at.desc(), DailyReport.id.desc())
        .limit(limit)
    )
    return tuple(
        ReportCard(row.id, row.date, row.title, row.overview, row.published_at, int(row[5] or 0))
        for row in rows
    )


async def latest_digests(session: AsyncSession, limit: int) -> tuple[DigestCard, ...]:
    entries = (
        select(func.count())
        .where(Entry.digest_id == Digest.id, Entry.status == PUBLISHED)
        .scalar_subquery()
    )
    rows = await session.execute(
        _digest_columns()
        .add_columns(entries)
        .where(Digest.status == PUBLISHED)
        .order_by(Digest.published_at.desc(), Digest.id.desc())
        .limit(limit)
    )
    return tuple(_digest_card(row, int(row[-1] or 0)) for row in rows)


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


# --- permalinks ------------------------------------------------------------------------------


async def entry(session: AsyncSession, entry_id: int) -> Card | None:
    row = (await session.execute(_entry_columns().where(Entry.id == entry_id))).first()
    if row is None:
        return None
    return (await with_names(session, [_card(row, clip=False)]))[0]


async def item(session: AsyncSession, item_id: int) -> Card | None:
    row = (await session.execute(_item_columns().where(ReportItem.id == item_id))).first()
    if row is None:
        return None
    return (await with_names(session, [_card(row, clip=False)]))[0]


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
    items = await with_names(session, [_card(r, clip=False) for r in rows])
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
    entries = await with_names(session, [_card(r) for r in rows])
    return DigestPage(_digest_card(row, len(entries)), entries)
