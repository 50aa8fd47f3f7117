"""The outbox: queries on `Delivery` rows (queue, claim, record, recover, report).

A row goes pending -> sending (claimed by a sender, attempts + 1) -> sent | pending (retry
later) | failed | cancelled. Content alerts (`content_type` entry/item/digest) are queued with
an empty `text`: the sender renders them when it sends, from the content and the subscriber's
current languages, so a fan-out to 100,000 chats writes narrow rows and an edit made before
the send is what goes out. Everything else (daily summaries, broadcasts) stores its text.

In doubt: a row is `sending` from its claim until its result is recorded, and carries the id of
the sender that claimed it (`claimed_by`). A sender that stops normally (cancellation, SIGTERM)
waits for its requests in flight and puts back what it had not started, so only a process that
dies outright (or loses the database for longer than its heartbeat allows) leaves rows in
`sending`. Those are in doubt: Telegram may or may not have accepted them, and the Bot API offers
no way to ask. We resend them once (`recover_in_doubt`, driven by `bot.delivery.senders` at
start-up, when a process becomes the sender, and every few seconds in every process): a message
a subscriber paid for with a follow is worth more than the rare duplicate of a request that was
in flight at a crash. `digestbot outbox` counts the rows recovered this way (last_error starts
with "in doubt").
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Delivery,
    DeliveryStatus,
    FanoutRecipient,
    Subscriber,
    SubscriberStatus,
    utcnow,
)

# Lower goes first; interactive replies use the rate limiter's priority 0 and never queue here.
PRIORITY = {"alert": 10, "digest": 15, "catchup": 18, "broadcast": 20, "summary": 30}
MAX_ATTEMPTS = 5
IN_DOUBT = "in doubt: the sender stopped while this request may have been in flight"


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has on_conflict_do_nothing on SQLite and PostgreSQL."""
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


async def bookkeeping(session: AsyncSession) -> None:
    """Make the current PostgreSQL transaction commit without waiting for its WAL to reach the
    disk (`synchronous_commit` off, this transaction only).

    The sender commits claims and results many times a second; waiting for a disk flush each
    time made every other commit wait behind it, a user's reply included (command replies went
    from 120 ms to over 500 ms during a 1,000 msg/s fan-out). What this risks is the last
    fraction of a second of bookkeeping if the database server itself crashes: rows go back to
    pending or in doubt and are sent again, never lost. On SQLite (synchronous=NORMAL in WAL
    mode already) it does nothing.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.set_config("synchronous_commit", "off", True)))


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    text: str,
    kind: str,
    dedup_key: str,
    subscriber_id: int | None = None,
    thread_id: int = 0,
    priority: int | None = None,
    reply_markup: dict[str, Any] | None = None,
    disable_preview: bool = False,
    not_before: dt.datetime | None = None,
    content_type: str | None = None,
    content_id: int | None = None,
    reason: str | None = None,
    edition: dict[str, Any] | None = None,
    telegram_message_id: int | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Queue one message; False when `dedup_key` was queued before (nothing is added).
    `edition`: what the message shows (see `Delivery.edition`)."""
    now = now or utcnow()
    statement = (
        insert_for(session)(Delivery)
        .values(
            subscriber_id=subscriber_id,
            chat_id=chat_id,
            thread_id=thread_id,
            kind=kind,
            priority=PRIORITY.get(kind, 20) if priority is None else priority,
            content_type=content_type,
            content_id=content_id,
            dedup_key=dedup_key,
            reason=reason,
            edition=edition,
            telegram_message_id=telegram_message_id,
            text=text,
            reply_markup=reply_markup,
            disable_preview=disable_preview,
            status=DeliveryStatus.PENDING,
            attempts=0,
            not_before=not_before,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Delivery.id)
    )
    return (await session.scalar(statement)) is not None


async def enqueue_for_subscribers(
    session: AsyncSession,
    where: ColumnElement[bool],
    *,
    text: str,
    kind: str,
    dedup_prefix: str,
    reply_markup: dict[str, Any] | None = None,
    disable_preview: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Queue the same message to every subscriber matching `where` (an editor's broadcast);
    returns how many rows were added. Dedup keys are `<dedup_prefix>:<subscriber id>`, so
    running it twice queues nothing new.

    One INSERT ... SELECT ... ON CONFLICT (dedup_key) DO NOTHING: the database copies the
    subscribers into the outbox itself, so 100,000 recipients are one statement rather than
    100,000 round trips. Rows go in subscriber order, which is the order the sender sends in.
    """
    now = now or utcnow()
    columns = Delivery.__table__.c

    def value(column: Any, python_value: object) -> Any:
        # Bound through the column's own type, so JSON and aware datetimes are stored exactly
        # as `enqueue` stores them.
        return literal(python_value, type_=column.type)

    recipients = (
        select(
            Subscriber.id,
            Subscriber.chat_id,
            Subscriber.thread_id,
            value(columns.kind, kind),
            value(columns.priority, PRIORITY.get(kind, 20)),
            value(columns.dedup_key, f"{dedup_prefix}:") + cast(Subscriber.id, String),
            value(columns.text, text),
            value(columns.reply_markup, reply_markup),
            value(columns.disable_preview, disable_preview),
            value(columns.status, DeliveryStatus.PENDING.value),
            value(columns.attempts, 0),
            value(columns.created_at, now),
            value(columns.updated_at, now),
        )
        # SQLite reads "INSERT ... SELECT ... ON CONFLICT" as a join unless the SELECT has a
        # WHERE clause; `where` always gives it one.
        .where(where)
        .order_by(Subscriber.id)
    )
    statement = (
        insert_for(session)(Delivery)
        .from_select(
            [
                "subscriber_id",
                "chat_id",
                "thread_id",
                "kind",
                "priority",
                "dedup_key",
                "text",
                "reply_markup",
                "disable_preview",
                "status",
                "attempts",
                "created_at",
                "updated_at",
            ],
            recipients,
            include_defaults=False,
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(slots=True)
class QueuedRow:
    """A pending row at the head of the queue, with the subscriber fields that decide whether
    it may go now (status, quiet hours) and how it is rendered (languages)."""

    id: int
    subscriber_id: int | None
    chat_id: int
    thread_id: int
    kind: str
    priority: int
    content_type: str | None
    content_id: int | None
    reason: str | None
    text: str
    reply_markup: dict[str, Any] | None
    disable_preview: bool
    attempts: int
    language: str
    content_language: str
    subscriber_status: str | None
    timezone: str | None
    quiet_start: str | None
    quiet_end: str | None


async def candidates(session: AsyncSession, now: dt.datetime, scan: int) -> list[QueuedRow]:
    """Up to `scan` pending rows that are due, in queue order (priority, then id). On
    PostgreSQL the rows are locked and rows another sender has locked are skipped, so several
    processes can work through one outbox."""
    query = (
        select(
            Delivery.id,
            Delivery.subscriber_id,
            Delivery.chat_id,
            Delivery.thread_id,
            Delivery.kind,
            Delivery.priority,
            Delivery.content_type,
            Delivery.content_id,
            Delivery.reason,
            Delivery.text,
            Delivery.reply_markup,
            Delivery.disable_preview,
            Delivery.attempts,
            func.coalesce(Subscriber.language, "en"),
            func.coalesce(Subscriber.content_language, "both"),
            Subscriber.status,
            Subscriber.timezone,
            Subscriber.quiet_start,
            Subscriber.quiet_end,
        )
        .outerjoin(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        )
        .order_by(Delivery.priority, Delivery.id)
        .limit(scan)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=Delivery, skip_locked=True)
    return [QueuedRow(*row) for row in await session.execute(query)]


async def claim(
    session: AsyncSession, ids: Sequence[int], sender_id: int | None = None
) -> set[int]:
    """Mark rows as being sent by `sender_id` (attempts + 1); returns the ids this caller won."""
    if not ids:
        return set()
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.status == DeliveryStatus.PENDING)
        .values(
            status=DeliveryStatus.SENDING,
            attempts=Delivery.attempts + 1,
            claimed_by=sender_id,
            updated_at=utcnow(),
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


async def defer(session: AsyncSession, until: dict[int, dt.datetime]) -> None:
    """Hold pending rows until a time (quiet hours)."""
    if until:
        await session.execute(
            update(Delivery),
            [{"id": row_id, "not_before": when} for row_id, when in until.items()],
        )


async def cancel(session: AsyncSession, ids: Sequence[int], reason: str) -> None:
    if ids:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(list(ids)), Delivery.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.CANCELLED, last_error=reason, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


async def cancel_for_subscriber(session: AsyncSession, subscriber_id: int, reason: str) -> None:
    await session.execute(
        update(Delivery)
        .where(
            Delivery.subscriber_id == subscriber_id,
            Delivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.CANCELLED, last_error=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def write_results(session: AsyncSession, changes: Sequence[dict[str, Any]]) -> None:
    """Apply per-row outcomes in one executemany per shape of change (bulk UPDATE by id)."""
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        by_shape.setdefault(tuple(sorted(change)), []).append(change)
    for rows in by_shape.values():
        await session.execute(update(Delivery), rows)


async def recent_group_sends(
    session: AsyncSession, now: dt.datetime, *, within: float = 61.0
) -> dict[int, list[float]]:
    """Group and channel chat id -> ages in seconds of the messages sent to it (new ones and
    edits) within the last `within` seconds, by any process."""
    rows = await session.execute(
        select(Delivery.chat_id, Delivery.sent_at).where(
            Delivery.sent_at >= now - dt.timedelta(seconds=within),
            Delivery.chat_id < 0,
            Delivery.status == DeliveryStatus.SENT,
        )
    )
    ages: dict[int, list[float]] = {}
    for chat_id, sent_at in rows:
        ages.setdefault(chat_id, []).append((now - sent_at).total_seconds())
    return ages


async def release_unsent(session: AsyncSession, claims: Sequence[tuple[int, int | None]]) -> None:
    """Claims (row id, the sender id that made them) whose request never left: pending again,
    the attempt not counted, but only rows still `sending` under that claim (another process
    may have found the claimer stale and taken them over)."""
    if not claims:
        return
    table = typing.cast(Table, Delivery.__table__)  # Core: an executemany with our own WHERE
    await session.execute(
        update(table)
        .where(
            table.c.id == bindparam("row_id"),
            table.c.status == DeliveryStatus.SENDING,
            table.c.claimed_by.is_not_distinct_from(bindparam("claimer", type_=Integer)),
        )
        .values(status=DeliveryStatus.PENDING, attempts=table.c.attempts - 1, updated_at=utcnow()),
        [{"row_id": row_id, "claimer": claimer} for row_id, claimer in claims],
    )


async def deactivate_subscriber(
    session: AsyncSession, subscriber_id: int, now: dt.datetime, reason: str
) -> None:
    """Telegram refused the chat for good (blocked, kicked, chat not found)."""
    await session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id)
        .values(status=SubscriberStatus.BLOCKED, blocked_at=now)
        .execution_options(synchronize_session=False)
    )
    await cancel_for_subscriber(session, subscriber_id, reason)


async def recover_in_doubt(
    session: AsyncSession,
    *,
    keep: Select[tuple[int]],
    unclaimed_before: dt.datetime,
    now: dt.datetime | None = None,
) -> int:
    """Rows `sending` whose claimer is not among `keep` (sender ids that are alive), and rows
    claimed without a sender id before `unclaimed_before`: resend once (see the module
    docstring); a row that is in doubt a second time, or out of attempts, fails instead."""
    now = now or utcnow()
    in_doubt = and_(
        Delivery.status == DeliveryStatus.SENDING,
        or_(
            Delivery.claimed_by.not_in(keep.scalar_subquery()),
            and_(Delivery.claimed_by.is_(None), Delivery.updated_at <= unclaimed_before),
        ),
    )
    first_time = or_(Delivery.last_error.is_(None), ~Delivery.last_error.startswith("in doubt"))
    retried = await session.execute(
        update(Delivery)
        .where(in_doubt, first_time, Delivery.attempts < MAX_ATTEMPTS)
        .values(status=DeliveryStatus.PENDING, last_error=IN_DOUBT, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    failed = await session.execute(
        update(Delivery)
        .where(in_doubt)
        .values(status=DeliveryStatus.FAILED, last_error=IN_DOUBT + " (twice)", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(retried.rowcount or 0) + int(failed.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxReport:
    by_status: dict[str, int]
    by_kind: dict[str, dict[str, int]]
    oldest_pending: dt.datetime | None
    in_doubt_recovered: int
    failed: list[Delivery]
    recipients_waiting: int = 0  # planned alert recipients not expanded into rows yet


async def report(session: AsyncSession, *, failed_limit: int = 20) -> OutboxReport:
    counts = await session.execute(
        select(Delivery.kind, Delivery.status, func.count()).group_by(
            Delivery.kind, Delivery.status
        )
    )
    by_status: dict[str, int] = {}
    by_kind: dict[str, dict[str, int]] = {}
    for kind, status, n in counts:
        by_status[status] = by_status.get(status, 0) + n
        by_kind.setdefault(kind, {})[status] = n
    oldest = await session.scalar(
        select(func.min(Delivery.created_at)).where(Delivery.status == DeliveryStatus.PENDING)
    )
    recovered = await session.scalar(
        select(func.count()).where(Delivery.last_error.startswith("in doubt"))
    )
    failed = list(
        await session.scalars(
            select(Delivery)
            .where(Delivery.status == DeliveryStatus.FAILED)
            .order_by(Delivery.updated_at.desc(), Delivery.id.desc())
            .limit(failed_limit)
        )
    )
    waiting = await session.scalar(select(func.count()).select_from(FanoutRecipient))
    return OutboxReport(by_status, by_kind, oldest, int(recovered or 0), failed, int(waiting or 0))
