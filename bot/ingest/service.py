"""Store what a parser returned: a digest and its entries, a report and its items, an article.

Everything happens in the caller's transaction (one unit of work per ingest). Re-ingesting a
document stores nothing new: digests and reports are recognised by their content hash or by
their identity (month and part; date and title), entries by their content hash, report items
by URL or headline, articles also by URL. Publishing goes through :func:`bot.publishing.publish`,
which only flips statuses; the running bot fans published content out to subscribers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import publishing
from bot.ingest.detect import Known
from bot.ingest.model import (
    CutOff,
    Kind,
    ParsedCommentator,
    ParsedDocument,
    ParsedEntry,
    Skipped,
)
from bot.ingest.tagging import DEFAULT_REGIONS, KnownCommentator, RegionSpec
from bot.ingest.textutil import has_cjk
from bot.search.index import reindex
from storage import audit
from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Digest,
    Entry,
    Region,
    ReportItem,
    entry_commentators,
    utcnow,
)


class IngestError(Exception):
    """A parsed document that cannot be stored as it is (e.g. a report without a date)."""


@dataclass(frozen=True, slots=True)
class IngestResult:
    kind: Kind
    title: str
    # True when the document was stored before and nothing new was added.
    duplicate: bool
    digest_id: int | None = None
    report_id: int | None = None
    # What this run created.
    entry_ids: tuple[int, ...] = ()
    item_ids: tuple[int, ...] = ()
    # Entries or items found already stored and left alone.
    unchanged: int = 0
    # The stored entries this document matched (new and old): what --publish publishes.
    matched_entry_ids: tuple[int, ...] = ()
    new_commentators: tuple[str, ...] = ()
    # What this run published (empty unless publish=True): the hook for fan-out.
    published_entry_ids: tuple[int, ...] = ()
    published_item_ids: tuple[int, ...] = ()
    published_digest_ids: tuple[int, ...] = ()
    published_report_ids: tuple[int, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # The document seems to stop before its end (see bot.ingest.cutoff).
    cut_off: CutOff | None = None

    @property
    def stored(self) -> int:
        return len(self.entry_ids) + len(self.item_ids)

    @property
    def published(self) -> bool:
        return bool(
            self.published_entry_ids
            or self.published_item_ids
            or self.published_digest_ids
            or self.published_report_ids
        )


async def load_known(session: AsyncSession) -> Known:
    """Regions and commentators from the database, as the parsers' tagging data."""
    regions = (await session.scalars(select(Region).order_by(Region.position, Region.id))).all()
    people = (await session.scalars(select(Commentator).order_by(Commentator.id))).all()
    return Known(
        regions=region_specs(regions),
        commentators=tuple(
            KnownCommentator(
                name=p.name, name_zh=p.name_zh, aliases=tuple(str(a) for a in p.aliases or ())
            )
            for p in people
        ),
    )


def region_specs(rows: Iterable[Region]) -> tuple[RegionSpec, ...]:
    """Keyword tables for the regions in the database.

    The five built-in regions use the curated lists in :mod:`bot.ingest.tagging`; a region an
    admin added gets its English and Chinese names and its aliases (capitalised, so "india"
    matches "India" but not a word inside a sentence).
    """
    builtin = {spec.slug: spec for spec in DEFAULT_REGIONS}
    specs: list[RegionSpec] = []
    for row in rows:
        if row.slug in builtin:
            specs.append(builtin[row.slug])
            continue
        words = [row.name_en, row.name_zh, *(str(a) for a in row.aliases or ())]
        en = tuple(
            dict.fromkeys(
                w if w[:1].isupper() else w.title() for w in words if w and not has_cjk(w)
            )
        )
        zh = tuple(dict.fromkeys(w for w in words if w and has_cjk(w)))
        specs.append(RegionSpec(slug=row.slug, name=row.name_en, en=en, zh=zh))
    return tuple(specs) or DEFAULT_REGIONS


async def ingest(
    session: AsyncSession,
    parsed: ParsedDocument,
    *,
    publish: bool,
    actor_id: int | None,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Store ``parsed`` as drafts (or published, with ``publish``) in the caller's transaction."""
    now = now or utcnow()
    store = _Store(session, actor_id)
    await store.load()
    if parsed.kind == "digest":
        result = await _ingest_digest(store, parsed)
    elif parsed.kind == "report":
        result = await _ingest_report(store, parsed)
    else:
        result = await _ingest_article(store, parsed)

    if publish:
        # Re-ingesting a stored draft with --publish publishes it: nothing new is stored, but
        # the admin's intent is clear.
        outcome = await publishing.publish(
            session,
            entry_ids=result.matched_entry_ids,
            report_ids=[result.report_id] if result.report_id else [],
            digest_ids=[result.digest_id] if result.digest_id else [],
            actor_id=actor_id,
            now=now,
        )
        item_ids = list(outcome.item_ids)
        # Items added to a report published earlier are published with it.
        late = [i for i in result.item_ids if i not in item_ids]
        if late and result.report_id and not outcome.report_ids:
            item_ids += await _publish_items(session, late, now)
        result = replace(
            result,
            published_entry_ids=tuple(outcome.entry_ids),
            published_item_ids=tuple(item_ids),
            published_digest_ids=tuple(outcome.digest_ids),
            published_report_ids=tuple(outcome.report_ids),
        )

    await audit.record(
        session,
        actor_id,
        "ingest",
        _target(result),
        {
            "kind": parsed.kind,
            "title": parsed.title[:200],
            "content_hash": parsed.content_hash(),
            "stored": result.stored,
            "unchanged": result.unchanged,
            "duplicate": result.duplicate,
            "published": result.published,
            "new_commentators": list(result.new_commentators),
            "skipped": len(parsed.skipped),
        },
    )
    return result


def _target(result: IngestResult) -> str | None:
    if result.digest_id:
        return f"digest:{result.digest_id}"
    if result.report_id:
        return f"report:{result.report_id}"
    if result.entry_ids:
        return f"entry:{result.entry_ids[0]}"
    return None


class _Store:
    """Lookups shared by the three kinds: regions by slug, commentators by any of their names."""

    def __init__(self, session: AsyncSession, actor_id: int | None) -> None:
        self.session = session
        self.actor_id = actor_id
        self.regions: dict[str, Region] = {}
        self.by_zh: dict[str, Commentator] = {}
        self.by_name: dict[str, Commentator] = {}
        self.created: list[str] = []
        self.notes: list[str] = []

    async def load(self) -> None:
        for region in await self.session.scalars(select(Region)):
            self.regions[region.slug] = region
        for person in await self.session.scalars(select(Commentator).order_by(Commentator.id)):
            self._index(person)

    def _index(self, person: Commentator) -> None:
        if person.name_zh:
            self.by_zh.setdefault(person.name_zh, person)
        for name in (person.name, *(str(a) for a in person.aliases or ())):
            if has_cjk(name):
                self.by_zh.setdefault(name, person)
            else:
                self.by_name.setdefault(_fold(name), person)

    def region_rows(self, slugs: Sequence[str]) -> list[Region]:
        rows = []
        for slug in slugs:
            region = self.regions.get(slug)
            if region is None:
                self.notes.append(f"region “{slug}” is not in the database; not linked")
            elif region not in rows:
                rows.append(region)
        return rows

    async def commentator(self, parsed: ParsedCommentator) -> Commentator:
        """The stored commentator with this Chinese name, Latin name or alias; else a new one."""
        found = (self.by_zh.get(parsed.name_zh) if parsed.name_zh else None) or self.by_name.get(
            _fold(parsed.name)
        )
        if (
            found is not None
            and parsed.name_zh
            and found.name_zh
            and found.name_zh != parsed.name_zh
        ):
            # Same romanisation, different person (王婧 and 汪静 are both "Wang Jing").
            found = None
        if found is None:
            found = Commentator(
                name=parsed.name,
                name_zh=parsed.name_zh,
                aliases=[],
                affiliation=parsed.affiliation,
            )
            self.session.add(found)
            await self.session.flush()
            self.created.append(
                f"{parsed.name} ({parsed.name_zh})" if parsed.name_zh else parsed.name
            )
        else:
            if parsed.name_zh and not found.name_zh:
                found.name_zh = parsed.name_zh
            if parsed.affiliation:
                found.affiliation = parsed.affiliation  # the latest affiliation wins
        self._index(found)
        return found

    async def commentators(self, people: Iterable[ParsedCommentator]) -> list[Commentator]:
        rows: list[Commentator] = []
        for parsed in people:
            row = await self.commentator(parsed)
            if row not in rows:
                rows.append(row)
        return rows

    async def existing_entries(self, hashes: Iterable[str]) -> dict[str, int]:
        """Stored entry ids by content hash."""
        hashes = list(hashes)
        if not hashes:
            return {}
        rows = await self.session.execute(
            select(Entry.content_hash, Entry.id).where(Entry.content_hash.in_(hashes))
        )
        return {h: i for h, i in rows.tuples() if h}

    async def add_entry(
        self, parsed: ParsedEntry, *, kind: str, digest_id: int | None, position: int
    ) -> Entry:
        entry = Entry(
            kind=kind,
            title=parsed.title,
            title_zh=parsed.title_zh,
            summary=parsed.summary,
            text=parsed.text,
            outlet=_clip(parsed.outlet, 200),
            affiliation=parsed.affiliation,
            date=parsed.date,
            url=parsed.url,
            digest_id=digest_id,
            position=position,
            status=ContentStatus.DRAFT,
            content_hash=parsed.content_hash(),
            created_by=self.actor_id,
            regions=self.region_rows(parsed.regions),
        )
        self.session.add(entry)
        await self.session.flush()
        people = await self.commentators(parsed.commentators)
        if people:
            # Entries keep their byline order, which the ORM collection cannot write.
            await self.session.execute(
                insert(entry_commentators),
                [
                    {"entry_id": entry.id, "commentator_id": c.id, "position": i}
                    for i, c in enumerate(people)
                ],
            )
        return entry


async def _ingest_digest(store: _Store, parsed: ParsedDocument) -> IngestResult:
    session = store.session
    doc_hash = parsed.content_hash()
    month = f"{parsed.year:04d}-{parsed.month:02d}" if parsed.year and parsed.month else None
    digest = await session.scalar(select(Digest).where(Digest.content_hash == doc_hash))
    if digest is None and month is not None:
        digest = await session.scalar(
            select(Digest)
            .where(Digest.month == month, Digest.title == parsed.title)
            .where(Digest.part.is_(None) if parsed.part is None else Digest.part == parsed.part)
            .order_by(Digest.id)
        )
    if digest is None:
        digest = Digest(
            title=parsed.title,
            month=month,
            part=parsed.part,
            link=parsed.url,
            summary=parsed.intro,
            status=ContentStatus.DRAFT,
            content_hash=doc_hash,
            created_by=store.actor_id,
        )
        session.add(digest)
        await session.flush()

    entry_ids, old_ids = await _add_entries(store, parsed.entries, "digest", digest.id)
    return IngestResult(
        kind="digest",
        title=parsed.title,
        duplicate=not entry_ids,
        digest_id=digest.id,
        entry_ids=tuple(entry_ids),
        unchanged=len(parsed.entries) - len(entry_ids),
        matched_entry_ids=(*entry_ids, *old_ids),
        new_commentators=tuple(store.created),
        skipped=parsed.skipped,
        notes=(*parsed.notes, *store.notes),
        cut_off=parsed.cut_off,
    )


async def _add_entries(
    store: _Store, entries: Sequence[ParsedEntry], kind: str, digest_id: int | None
) -> tuple[list[int], list[int]]:
    """Store the entries not stored yet; returns (new ids, ids of those found stored)."""
    existing = await store.existing_entries(e.content_hash() for e in entries)
    new_ids: list[int] = []
    old_ids: list[int] = []
    position = 0
    if digest_id is not None:
        position = len(
            (
                await store.session.scalars(select(Entry.id).where(Entry.digest_id == digest_id))
            ).all()
        )
    for parsed in entries:
        content_hash = parsed.content_hash()
        if content_hash in existing:
            if existing[content_hash] not in old_ids + new_ids:
                old_ids.append(existing[content_hash])
            continue
        entry = await store.add_entry(parsed, kind=kind, digest_id=digest_id, position=position)
        existing[content_hash] = entry.id
        position += 1
        new_ids.append(entry.id)
    return new_ids, old_ids


async def _ingest_report(store: _Store, parsed: ParsedDocument) -> IngestResult:
    session = store.session
    if parsed.date is None:
        raise IngestError("the report's title has no date (YYYY-MM-DD); it cannot be stored")
    doc_hash = parsed.content_hash()
    report = await session.scalar(select(DailyReport).where(DailyReport.content_hash == doc_hash))
    if report is None:
        report = await session.scalar(
            select(DailyReport)
            .where(DailyReport.date == parsed.date, DailyReport.title == parsed.title)
            .order_by(DailyReport.id)
        )
    keys: set[str] = set()
    position = 0
    if report is None:
        report = DailyReport(
            date=parsed.date,
            title=parsed.title,
            overview=parsed.intro,
            status=ContentStatus.DRAFT,
            content_hash=doc_hash,
            created_by=store.actor_id,
        )
        session.add(report)
        await session.flush()
    else:
        for url, headline in (
            await session.execute(
                select(ReportItem.url, ReportItem.headline).where(ReportItem.report_id == report.id)
            )
        ).all():
            keys.update(k for k in (url, _fold(headline)) if k)
            position += 1

    item_ids: list[int] = []
    unchanged = 0
    for parsed_item in parsed.entries:
        item_keys = {k for k in (parsed_item.url, _fold(parsed_item.title or "")) if k}
        if item_keys & keys:
            unchanged += 1
            continue
        keys |= item_keys
        item = ReportItem(
            report_id=report.id,
            position=position,
            headline=parsed_item.title or parsed_item.summary[:200],
            title_zh=parsed_item.title_zh,
            summary_zh=parsed_item.summary or None,
            summary_en=parsed_item.summary_en or None,
            url=parsed_item.url,
            text=parsed_item.text,
            status=ContentStatus.DRAFT,
            regions=store.region_rows(parsed_item.regions),
            commentators=await store.commentators(parsed_item.commentators),
        )
        session.add(item)
        await session.flush()
        position += 1
        item_ids.append(item.id)
    return IngestResult(
        kind="report",
        title=parsed.title,
        duplicate=not item_ids,
        report_id=report.id,
        item_ids=tuple(item_ids),
        unchanged=unchanged,
        new_commentators=tuple(store.created),
        skipped=parsed.skipped,
        notes=(*parsed.notes, *store.notes),
        cut_off=parsed.cut_off,
    )


async def _ingest_article(store: _Store, parsed: ParsedDocument) -> IngestResult:
    # An article is also recognised by its URL: the same page fetched again after an edit.
    urls = [e.url for e in parsed.entries if e.url]
    by_url: dict[str, int] = {}
    if urls:
        rows = await store.session.execute(
            select(Entry.url, Entry.id).where(or_(*(Entry.url == u for u in urls)))
        )
        for url, entry_id in rows.tuples():
            if url:
                by_url.setdefault(url, entry_id)
    fresh = [e for e in parsed.entries if not (e.url and e.url in by_url)]
    entry_ids, old_ids = await _add_entries(store, fresh, "article", None)
    old_ids += [by_url[e.url] for e in parsed.entries if e.url and e.url in by_url]
    return IngestResult(
        kind="article",
        title=parsed.title,
        duplicate=not entry_ids,
        entry_ids=tuple(entry_ids),
        unchanged=len(parsed.entries) - len(entry_ids),
        matched_entry_ids=(*entry_ids, *old_ids),
        new_commentators=tuple(store.created),
        skipped=parsed.skipped,
        notes=(*parsed.notes, *store.notes),
        cut_off=parsed.cut_off,
    )


async def _publish_items(session: AsyncSession, ids: list[int], now: dt.datetime) -> list[int]:
    rows = await session.scalars(select(ReportItem).where(ReportItem.id.in_(ids)))
    published = []
    for item in rows:
        if item.status == ContentStatus.DRAFT:
            item.status = ContentStatus.PUBLISHED
            item.published_at = now
            published.append(item.id)
    await session.flush()
    await reindex(session, item_ids=published)
    return published


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _clip(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else text
