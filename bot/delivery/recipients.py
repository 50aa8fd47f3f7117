"""Expanding planned recipients into outbox rows, a chunk at a time, ahead of the sender.

At publication the fan-out records one narrow `FanoutRecipient` row per subscriber that some
follow brings a publication to (`bot.matching.plan_publication`). `queue_next` expands a chunk
of them into `Delivery` rows, one message per (subscriber, publication): the report items or
digest entries that match them, in order, with why each came (`Delivery.edition`). Expansion
runs just ahead of the sender (`RecipientFeeder` keeps about `AHEAD_SECONDS` of sends queued),
so publication commits 100,000 narrow rows, not the messages, before anything can go out.

Expansion applies the rule (`bot.matching.edition_for`) to the subscriber and its follows as
they are then: someone who unfollowed, muted a keyword (checked against the text then), paused,
blocked the bot or switched to daily summaries since the publication gets nothing more of it,
and retracted pieces are left out. The text itself is rendered at send time
(`bot.delivery.prepare`), in the subscriber's languages of that moment.

An edition longer than a message is split here, between pieces, from each piece's rendered
size bound computed at publication (`bot.render.content.piece_bound`: per content language, in
either interface language, with every reason it could show), so every message of an edition is
a row from the start (counted, deduplicated and retracted like any other) and the sender needs
no second step. The dedup key "<publication>:<id>:<subscriber>:<part>" keeps a recipient
planned twice (a fan-out cut short and redone) from being queued twice. Within a chunk rows go
publication by publication, part by part, so consecutive rows are for different chats and the
sender never waits on one chat's per-second limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.delivery.looplag import TimeSlice
from bot.delivery.outbox import PRIORITY, insert_for
from bot.delivery.rounds import run_rounds
from bot.matching import (
    Features,
    Follow,
    KeywordMatcher,
    Match,
    edition_for,
    encode_ref,
    searchable_text,
)
from bot.render import MAX_MESSAGE_CHARS
from bot.render.content import group_of, split_sizes
from storage.models import (
    ContentStatus,
    DailyReport,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    Digest,
    Entry,
    FanoutBatch,
    FanoutRecipient,
    Region,
    ReportItem,
    Subscriber,
    SubscriberStatus,
    Subscription,
)

log = logging.getLogger(__name__)

CHUNK = 500  # recipients expanded per transaction
AHEAD_SECONDS = 10.0  # keep this many seconds of sends queued
MIN_AHEAD = 2_000  # ... and never fewer rows than this
# publication kind -> (the publication's model, its pieces' model)
_MODELS: dict[
    str, tuple[type[DailyReport] | type[Digest] | type[Entry], type[Entry] | type[ReportItem]]
] = {
    "report": (DailyReport, ReportItem),
    "digest": (Digest, Entry),
    "entry": (Entry, Entry),
}


@dataclass(frozen=True, slots=True)
class _Piece:
    id: int
    features: Features
    sizes: dict[str, int]  # rendered size bound per content language


async def queue_next(session: AsyncSession, now: dt.datetime, *, chunk: int = CHUNK) -> int | None:
    """Expand the next `chunk` recipients into outbox rows; returns the rows queued, or None
    when no recipient was waiting. On PostgreSQL recipients another process is expanding are
    skipped."""
    query = select(FanoutRecipient).order_by(FanoutRecipient.id).limit(chunk)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    recipients = list(await session.scalars(query))
    if not recipients:
        return None
    batches = {
        b.id: b
        for b in await session.scalars(
            select(FanoutBatch).where(FanoutBatch.id.in_({r.batch_id for r in recipients}))
        )
    }
    subscriber_ids = {r.subscriber_id for r in recipients}
    subscribers = {
        row.id: row
        for row in await session.execute(
            select(
                Subscriber.id, Subscriber.chat_id, Subscriber.thread_id, Subscriber.content_language
            ).where(
                Subscriber.id.in_(subscriber_ids),
                Subscriber.status == SubscriberStatus.ACTIVE,
                Subscriber.mode == DeliveryMode.INSTANT,
            )
        )
    }
    follows: dict[int, list[Follow]] = defaultdict(list)
    for row in await session.execute(
        select(
            Subscription.id,
            Subscription.kind,
            Subscription.region_id,
            Subscription.commentator_id,
            Subscription.keyword,
            Subscription.subscriber_id,
        ).where(Subscription.subscriber_id.in_(subscribers))
    ):
        follows[row.subscriber_id].append(Follow(*row[:5]))
    mutes = {f.keyword for fs in follows.values() for f in fs if f.kind == "mute" and f.keyword}
    positions: dict[int, int] = dict(
        (await session.execute(select(Region.id, Region.position))).tuples().all()
    )
    parts: list[tuple[int, dict[str, Any]]] = []
    timeslice = TimeSlice()
    for batch_id, batch in sorted(batches.items()):
        pieces = await _still_published(session, batch)
        unchecked = mutes - set(batch.features["checked"])
        if unchecked and pieces:  # mutes made since the publication
            pieces = await _with_mutes(session, batch.content_type, pieces, unchecked)
        link_only = bool(batch.features.get("link_only"))
        if pieces is None or (not pieces and not link_only):
            continue  # retracted since
        by_id = {p.id: p for p in pieces}
        for sid in [r.subscriber_id for r in recipients if r.batch_id == batch_id]:
            await timeslice.tick()
            subscriber = subscribers.get(sid)
            if subscriber is None:
                continue
            matched = edition_for(
                follows[sid], [(p.id, p.features) for p in pieces], link_only=link_only
            )
            if matched is None:
                continue
            if batch.content_type == "digest":
                matched = _grouped(matched, by_id, positions)
            language = subscriber.content_language
            sizes = [_size(by_id[m.piece_id], language) for m in matched]
            if batch.content_type == "entry":
                split = [list(matched)]  # one article: one message, clipped to fit
            else:
                budget = MAX_MESSAGE_CHARS - int(batch.features.get("header", 0))
                split = [[matched[i] for i in part] for part in split_sizes(sizes, budget)]
            first = 1
            for n, shown in enumerate(split or [[]], 1):
                message = _row(batch, subscriber, shown, (n, len(split) or 1, first), now)
                parts.append((n, message))
                first += len(shown)
    # Every first part, then every second: consecutive rows are for different chats.
    parts.sort(key=lambda p: p[0])
    rows = [row for _, row in parts]
    queued = 0
    if rows:
        table = Delivery.__table__
        result = await session.execute(
            # The table, not the entity: the ORM's bulk-insert bookkeeping costs more than the
            # insert itself at thousands of rows a chunk.
            insert_for(session)(table)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(table.c.id),
            rows,
        )
        queued = len(result.all())
    await session.execute(
        delete(FanoutRecipient)
        .where(FanoutRecipient.id.in_([r.id for r in recipients]))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(FanoutBatch)
        .where(
            FanoutBatch.id.in_(batches),
            ~exists().where(FanoutRecipient.batch_id == FanoutBatch.id),
        )
        .execution_options(synchronize_session=False)
    )
    return queued


async def _still_published(session: AsyncSession, batch: FanoutBatch) -> list[_Piece] | None:
    """The batch's pieces in the edition's order, without those retracted since; None when
    the publication itself is no longer published."""
    if batch.content_type not in _MODELS or "publication" not in batch.features:
        # Planned by a version that alerted item by item: nothing to build an edition from.
        log.warning("fan-out batch %s is in an old format; its recipients are dropped", batch.id)
        return None
    publication_model, piece_model = _MODELS[batch.content_type]
    publication_id = int(batch.features["publication"])
    status = await session.scalar(
        select(publication_model.status).where(publication_model.id == publication_id)
    )
    if status != ContentStatus.PUBLISHED:
        return None
    ids = [int(f[0]) for f in batch.features["content"]]
    published = set(
        await session.scalars(
            select(piece_model.id).where(
                piece_model.id.in_(ids), piece_model.status == ContentStatus.PUBLISHED
            )
        )
    )
    return [
        _Piece(
            int(pid),
            Features(frozenset(regions), frozenset(commentators), frozenset(found)),
            dict(sizes),
        )
        for pid, regions, commentators, found, sizes in batch.features["content"]
        if pid in published
    ]


async def _with_mutes(
    session: AsyncSession, content_type: str, pieces: list[_Piece], mutes: set[str]
) -> list[_Piece]:
    """Add the `mutes` found in each text: keywords nobody followed or muted when the batch
    was planned, so a mute made since applies too."""
    model = _MODELS[content_type][1]
    rows = cast(
        "Sequence[Entry | ReportItem]",
        (
            await session.scalars(
                select(model)
                .where(model.id.in_([p.id for p in pieces]))
                .options(selectinload(model.commentators))
            )
        ).all(),
    )
    texts = {row.id: searchable_text(row) for row in rows}
    matcher = KeywordMatcher(mutes)
    return [
        replace(
            p,
            features=replace(
                p.features, keywords=p.features.keywords | matcher.find(texts.get(p.id, ""))
            ),
        )
        for p in pieces
    ]


def _size(piece: _Piece, content_language: str) -> int:
    """The piece's bound for the reader's content language (theirs at expansion; should it
    change before the send, the renderer shortens what does not fit)."""
    return piece.sizes.get(content_language) or max(piece.sizes.values(), default=0)


def _grouped(
    matched: list[Match], pieces: dict[int, _Piece], positions: dict[int, int]
) -> list[Match]:
    """A digest's entries in the order they are shown: grouped under a region heading
    (`bot.render.content.group_of`), regions in display order, digest order within one."""
    far = len(positions) + 1

    def key(item: tuple[int, Match]) -> tuple[int, int]:
        index, m = item
        regions = sorted(
            pieces[m.piece_id].features.region_ids, key=lambda r: positions.get(r, far)
        )
        followed = {r.target_id for r in m.refs if r.kind == "region" and r.target_id}
        group = group_of(regions, followed)
        return (far + 1 if group is None else positions.get(group, far), index)

    return [m for _, m in sorted(enumerate(matched), key=key)]


def _row(
    batch: FanoutBatch,
    subscriber: Any,
    shown: Sequence[Match],
    place: tuple[int, int, int],
    now: dt.datetime,
) -> dict[str, Any]:
    """The outbox row of one message; `place` is (part, parts, number of its first piece)."""
    publication = int(batch.features["publication"])
    part, parts, first = place
    return {
        "subscriber_id": subscriber.id,
        "chat_id": subscriber.chat_id,
        "thread_id": subscriber.thread_id,
        "kind": "digest" if batch.content_type == "digest" else "alert",
        "priority": batch.priority,
        "content_type": batch.content_type,
        "content_id": publication,
        "dedup_key": f"{batch.content_type}:{publication}:{subscriber.id}:{part}",
        "edition": {
            "items": [
                {"id": m.piece_id, "why": [encode_ref(ref) for ref in m.refs]} for m in shown
            ],
            "part": part,
            "parts": parts,
            "first": first,
        },
        "text": "",
        "disable_preview": False,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


async def queued_ahead(session: AsyncSession, now: dt.datetime, priority: int, enough: int) -> int:
    """Due pending rows at `priority` or ahead of it, counted up to `enough`."""
    due = (
        select(Delivery.id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.priority <= priority,
            or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        )
        .limit(enough)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(due)) or 0)


class RecipientFeeder:
    """Keeps about `AHEAD_SECONDS` of sends in the outbox while recipients are waiting."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Callable[[], dt.datetime],
        *,
        rate: int,
        on_queued: Callable[[], None] | None = None,
        write_lock: AbstractAsyncContextManager[Any] | None = None,
        interval: float = 0.25,
        ahead: int | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.ahead = ahead or max(MIN_AHEAD, int(rate * AHEAD_SECONDS))
        self.chunk = chunk
        self.on_queued = on_queued
        self.write_lock = write_lock or contextlib.nullcontext()
        self.interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def top_up(self) -> int:
        """Expand chunks until enough is queued or no recipient waits; returns rows queued."""
        total = 0
        while True:
            now = self.clock()
            async with self.session_factory() as session:
                if await queued_ahead(session, now, PRIORITY["alert"], self.ahead) >= self.ahead:
                    return total
            async with self.write_lock, self.session_factory() as session, session.begin():
                queued = await queue_next(session, now, chunk=self.chunk)
            if queued is None:
                return total
            total += queued
            if queued and self.on_queued is not None:
                self.on_queued()

    async def run(self) -> None:
        await run_rounds(self.top_up, self._wake, self.interval, "expanding fan-out recipients")
