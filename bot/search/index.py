"""Keeps the search index in step with published content.

`reindex` runs inside the caller's transaction (publishing and retraction call it), so content
is findable exactly when it is published and gone the moment it is retracted. `rebuild_index`
recomputes the whole index (maintenance, and the benchmark's bulk load).

Storage (migration 0003): `search_docs` (id, content, date, card), `search_terms` (vocabulary
with document counts), and the text: an FTS5 table on SQLite, a tsvector column on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot import lexicon
from bot.search.document import (
    FIELDS,
    SEPARATOR,
    PersonRecord,
    RegionRecord,
    SearchDocument,
    SourceRecord,
    build_document,
)
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

# Created by migration 0003 (with the FTS5 table on SQLite, the tsvector column on PostgreSQL).
search_metadata = MetaData()
search_docs = Table(
    "search_docs",
    search_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("content_type", String(8), nullable=False),
    Column("content_id", Integer, nullable=False),
    Column("date", Date),
    Column("card", JSON, nullable=False),
)
search_terms = Table(
    "search_terms",
    search_metadata,
    Column("term", String(200), primary_key=True),
    Column("df", Integer, nullable=False),
)

BATCH = 500
PUBLISHED = ContentStatus.PUBLISHED.value


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def reindex(
    session: AsyncSession,
    *,
    entry_ids: Iterable[int] = (),
    item_ids: Iterable[int] = (),
    digest_ids: Iterable[int] = (),
) -> None:
    """(Re)index the given content if it is published, drop it from the index otherwise."""
    wanted = {"entry": set(entry_ids), "item": set(item_ids), "digest": set(digest_ids)}
    if not any(wanted.values()):
        return
    await lexicon.ready()  # tokenizing finds the lexicon's phrases: loaded off the event loop
    await session.flush()
    documents: list[SearchDocument] = []
    for content_type, ids in wanted.items():
        if ids:
            sources = await load_sources(session, content_type, sorted(ids))
            documents += [build_document(s) for s in sources]
    # Whatever was indexed goes (its date, so its id, may have changed); what is published
    # comes back.
    await _remove(session, [(t, i) for t, ids in wanted.items() for i in ids])
    await _insert(session, documents)
    await _count_terms(session, Counter(t for d in documents for t in d.terms()), +1)


async def rebuild_index(session: AsyncSession, *, batch_size: int = BATCH) -> int:
    """Empty the index and index all published content again. Returns how many documents
    the index holds."""
    await lexicon.ready()
    if dialect_of(session) == "sqlite":
        await session.execute(text("DELETE FROM search_fts"))
        # No merging of segments while loading: one merge ('optimize') at the end instead.
        await session.execute(text(_FTS_SETTING), {"name": "automerge", "value": 0})
    await session.execute(delete(search_docs))
    await session.execute(delete(search_terms))
    keys = await _published_keys(session)
    counts: Counter[str] = Counter()
    indexed = 0
    # Tokenizing (Python) in a worker thread overlaps writing the previous batch (in the
    # database driver's thread, or the server).
    loop = asyncio.get_running_loop()
    postgres = dialect_of(session) == "postgresql"
    previous: list[SearchDocument] = []
    for start in range(0, len(keys), batch_size):
        sources: list[SourceRecord] = []
        for content_type in ("entry", "item", "digest"):
            ids = [i for t, i in keys[start : start + batch_size] if t == content_type]
            sources += await load_sources(session, content_type, ids)
        building = loop.run_in_executor(None, _build_batch, sources, counts, postgres)
        await _insert(session, previous)
        previous = await building
        indexed += len(previous)
    await _insert(session, previous)
    await _count_terms(session, counts, +1)
    if dialect_of(session) == "sqlite":
        # One b-tree per token instead of the many segments a bulk load leaves behind.
        await session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
        await session.execute(text(_FTS_SETTING), {"name": "automerge", "value": 4})
    return indexed


def _build_batch(
    sources: list[SourceRecord], counts: Counter[str], postgres: bool
) -> list[SearchDocument]:
    documents = [build_document(s) for s in sources]
    for document in documents:
        counts.update(document.terms())
        if postgres:
            document.tsvector_literal()  # computed here, in the worker thread; kept
    return documents


async def _published_keys(session: AsyncSession) -> list[tuple[str, int]]:
    keys: list[tuple[str, int]] = []
    for content_type, model in (("entry", Entry), ("item", ReportItem), ("digest", Digest)):
        rows = await session.scalars(
            select(model.id).where(model.status == PUBLISHED).order_by(model.id)
        )
        keys += [(content_type, i) for i in rows]
    return keys


# --- loading content ----------------------------------------------------------------------


async def load_sources(
    session: AsyncSession, content_type: str, ids: Sequence[int]
) -> list[SourceRecord]:
    """The published content among `ids`, as search records (in no particular order)."""
    if not ids:
        return []
    loader = {"entry": _load_entries, "item": _load_items, "digest": _load_digests}[content_type]
    out: list[SourceRecord] = []
    for start in range(0, len(ids), 2000):
        out += await loader(session, list(ids[start : start + 2000]))
    return out


async def _people(session: AsyncSession, link: Table, key: str, ids: list[int]) -> dict:
    order = [link.c.position] if "position" in link.c else []
    rows = await session.execute(
        select(
            link.c[key], Commentator.id, Commentator.name, Commentator.name_zh, Commentator.aliases
        )
        .join(Commentator, Commentator.id == link.c.commentator_id)
        .where(link.c[key].in_(ids))
        .order_by(link.c[key], *order, Commentator.id)
    )
    out: dict[int, list[PersonRecord]] = {}
    for owner, cid, name, name_zh, aliases in rows:
        out.setdefault(owner, []).append(PersonRecord(cid, name, name_zh, tuple(aliases or ())))
    return out


async def _regions(session: AsyncSession, link: Table, key: str, ids: list[int]) -> dict:
    rows = await session.execute(
        select(link.c[key], Region.id, Region.slug, Region.name_en, Region.name_zh)
        .join(Region, Region.id == link.c.region_id)
        .where(link.c[key].in_(ids))
        .order_by(link.c[key], Region.position, Region.id)
    )
    out: dict[int, list[RegionRecord]] = {}
    for owner, rid, slug, name_en, name_zh in rows:
        out.setdefault(owner, []).append(RegionRecord(rid, slug, name_en, name_zh))
    return out


async def _load_entries(session: AsyncSession, ids: list[int]) -> list[SourceRecord]:
    rows = (
        await session.execute(
            select(
                Entry.id,
                Entry.title,
                Entry.title_zh,
                Entry.summary,
                Entry.text,
                Entry.outlet,
                Entry.affiliation,
                Entry.url,
                Entry.date,
                Entry.published_at,
                Digest.link,
            )
            .outerjoin(Digest, Digest.id == Entry.digest_id)
            .where(Entry.id.in_(ids), Entry.status == PUBLISHED)
        )
    ).all()
    if not rows:
        return []
    found = [r.id for r in rows]
    people = await _people(session, entry_commentators, "entry_id", found)
    regions = await _regions(session, entry_regions, "entry_id", found)
    return [
        SourceRecord(
            type="entry",
            id=r.id,
            title=r.title,
            title_zh=r.title_zh,
            summary=r.summary,
            text=r.text,
            extra=(r.outlet, r.affiliation),
            url=r.url or r.link,
            date=r.date or (r.published_at.date() if r.published_at else None),
            commentators=people.get(r.id, ()),
            regions=regions.get(r.id, ()),
        )
        for r in rows
    ]


async def _load_items(session: AsyncSession, ids: list[int]) -> list[SourceRecord]:
    rows = (
        await session.execute(
            select(
                ReportItem.id,
                ReportItem.headline,
                ReportItem.title_zh,
                ReportItem.summary_zh,
                ReportItem.text,
                ReportItem.url,
                ReportItem.published_at,
                DailyReport.date,
            )
            .join(DailyReport, DailyReport.id == ReportItem.report_id)
            .where(ReportItem.id.in_(ids), ReportItem.status == PUBLISHED)
        )
    ).all()
    if not rows:
        return []
    found = [r.id for r in rows]
    people = await _people(session, item_commentators, "item_id", found)
    regions = await _regions(session, item_regions, "item_id", found)
    return [
        SourceRecord(
            type="item",
            id=r.id,
            title=r.headline,
            title_zh=r.title_zh,
            summary=r.summary_zh,
            text=r.text,
            url=r.url,
            date=r.date or (r.published_at.date() if r.published_at else None),
            commentators=people.get(r.id, ()),
            regions=regions.get(r.id, ()),
        )
        for r in rows
    ]


async def _load_digests(session: AsyncSession, ids: list[int]) -> list[SourceRecord]:
    rows = (
        await session.execute(
            select(
                Digest.id,
                Digest.title,
                Digest.summary,
                Digest.month,
                Digest.link,
                Digest.published_at,
            ).where(Digest.id.in_(ids), Digest.status == PUBLISHED)
        )
    ).all()
    if not rows:
        return []
    found = [r.id for r in rows]
    # A digest is filed under the regions and commentators of its published entries.
    region_rows = await session.execute(
        select(
            Entry.digest_id,
            Region.id,
            Region.slug,
            Region.name_en,
            Region.name_zh,
            Region.position,
        )
        .join(entry_regions, entry_regions.c.entry_id == Entry.id)
        .join(Region, Region.id == entry_regions.c.region_id)
        .where(Entry.digest_id.in_(found), Entry.status == PUBLISHED)
        .distinct()
        .order_by(Entry.digest_id, Region.position)
    )
    regions: dict[int, list[RegionRecord]] = {}
    for digest_id, rid, slug, name_en, name_zh, _ in region_rows:
        regions.setdefault(digest_id, []).append(RegionRecord(rid, slug, name_en, name_zh))
    people_rows = await session.execute(
        select(Entry.digest_id, entry_commentators.c.commentator_id)
        .join(entry_commentators, entry_commentators.c.entry_id == Entry.id)
        .where(Entry.digest_id.in_(found), Entry.status == PUBLISHED)
        .distinct()
    )
    people: dict[int, list[int]] = {}
    for digest_id, cid in people_rows:
        people.setdefault(digest_id, []).append(cid)
    return [
        SourceRecord(
            type="digest",
            id=r.id,
            title=r.title,
            summary=r.summary,
            url=r.link,
            date=_digest_date(r.published_at, r.month),
            regions=regions.get(r.id, ()),
            facet_commentators=sorted(people.get(r.id, ())),
        )
        for r in rows
    ]


def _digest_date(published_at: dt.datetime | None, month: str | None) -> dt.date | None:
    if published_at is not None:
        return published_at.date()
    if month:
        try:
            return dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            return None
    return None


# --- writing the index --------------------------------------------------------------------


def _fts_row(document: SearchDocument) -> dict[str, Any]:
    return {"rowid": document.id, **{f: document.field_text(f) for f in FIELDS}}


_FTS_SETTING = "INSERT INTO search_fts (search_fts, rank) VALUES (:name, :value)"
_FTS_INSERT = text(
    "INSERT INTO search_fts (rowid, title, names, body, facets) "
    "VALUES (:rowid, :title, :names, :body, :facets)"
)
_PG_INSERT = text(
    "INSERT INTO search_docs (id, content_type, content_id, date, card, tsv) "
    "VALUES (:id, :content_type, :content_id, :date, :card, CAST(:tsv AS tsvector))"
).bindparams(bindparam("date", type_=Date), bindparam("card", type_=JSON))


def _doc_row(document: SearchDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "content_type": document.type,
        "content_id": document.content_id,
        "date": document.date,
        "card": document.card,
    }


async def _remove(session: AsyncSession, keys: list[tuple[str, int]]) -> None:
    """Drop these contents from the index, and their tokens from the vocabulary counts."""
    if not keys:
        return
    where = tuple_(search_docs.c.content_type, search_docs.c.content_id).in_(keys)
    ids = list(await session.scalars(select(search_docs.c.id).where(where)))
    if not ids:
        return
    terms: Counter[str] = Counter()
    if dialect_of(session) == "sqlite":
        rows = await session.execute(
            text(
                "SELECT title, names, body, facets FROM search_fts WHERE rowid IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids},
        )
        for row in rows:
            terms.update({t for column in row for t in column.split()} - {SEPARATOR})
        await session.execute(
            text("DELETE FROM search_fts WHERE rowid IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
    else:
        rows = await session.execute(
            text("SELECT tsvector_to_array(tsv) FROM search_docs WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
        for (lexemes,) in rows:
            terms.update(lexemes)
    await session.execute(delete(search_docs).where(search_docs.c.id.in_(ids)))
    await _count_terms(session, terms, -1)


async def _insert(session: AsyncSession, documents: list[SearchDocument]) -> None:
    if not documents:
        return
    if dialect_of(session) == "postgresql":
        await session.execute(
            _PG_INSERT, [{**_doc_row(d), "tsv": d.tsvector_literal()} for d in documents]
        )
        return
    await session.execute(insert(search_docs), [_doc_row(d) for d in documents])
    # Plain tuples through the driver: SQLAlchemy's per-row parameter handling would cost
    # more than FTS5's own work on a bulk load.
    connection = await session.connection()
    await connection.exec_driver_sql(
        "INSERT INTO search_fts (rowid, title, names, body, facets) VALUES (?, ?, ?, ?, ?)",
        [(d.id, *(d.field_text(f) for f in FIELDS)) for d in documents],
    )


async def _count_terms(session: AsyncSession, counts: Counter[str], sign: int) -> None:
    """Add (or take away) documents to the vocabulary counts. Sorted, so that concurrent
    publishers lock the same rows in the same order."""
    if not counts:
        return
    rows = [{"term": t, "n": n * sign} for t, n in sorted(counts.items())]
    statement = text(
        "INSERT INTO search_terms (term, df) VALUES (:term, :n) "
        "ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df"
    )
    for start in range(0, len(rows), 5000):
        await session.execute(statement, rows[start : start + 5000])
