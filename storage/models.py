"""SQLAlchemy models: the newsletter's content, its subscribers and what was sent to them.

Every datetime is stored timezone-aware in UTC (`UtcDateTime`), on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime; SQLite keeps no zone, so it is re-attached on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UtcDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class ContentStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    RETRACTED = "retracted"


class SubscriberStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # /stop: keeps the data, sends nothing
    BLOCKED = "blocked"  # Telegram said 403 or chat not found


class DeliveryMode(enum.StrEnum):
    INSTANT = "instant"
    DAILY = "daily"
    OFF = "off"


class SubscriptionKind(enum.StrEnum):
    REGION = "region"
    COMMENTATOR = "commentator"
    KEYWORD = "keyword"
    MUTE = "mute"


class EditorRole(enum.StrEnum):
    """What an editor may do (bot/editorial/permissions.py says which actions need which)."""

    AUTHOR = "author"  # prepares drafts
    PUBLISHER = "publisher"  # also publishes, schedules, retracts, broadcasts, manages editors


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; in doubt if the process died here
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


entry_regions = Table(
    "entry_regions",
    Base.metadata,
    Column("entry_id", ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True, index=True),
)

entry_commentators = Table(
    "entry_commentators",
    Base.metadata,
    Column("entry_id", ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "commentator_id",
        ForeignKey("commentators.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("position", Integer, nullable=False, default=0),
)

item_regions = Table(
    "item_regions",
    Base.metadata,
    Column("item_id", ForeignKey("report_items.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True, index=True),
)

item_commentators = Table(
    "item_commentators",
    Base.metadata,
    Column("item_id", ForeignKey("report_items.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "commentator_id",
        ForeignKey("commentators.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str] = mapped_column(String(80))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)


class Commentator(Base):
    __tablename__ = "commentators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_zh: Mapped[str | None] = mapped_column(String(100), index=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    affiliation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("name", "name_zh", name="uq_commentators_name_name_zh"),)


class Digest(Base):
    """A monthly digest post: its link goes to subscribers, its entries are stored as entries."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    month: Mapped[str | None] = mapped_column(String(7))  # "YYYY-MM"
    part: Mapped[int | None]
    link: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ContentStatus.DRAFT, index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[dt.datetime | None]
    scheduled_for: Mapped[dt.datetime | None]
    # Set by the running bot once recipients were computed and queued (see bot.delivery).
    fanned_out_at: Mapped[dt.datetime | None]

    entries: Mapped[list[Entry]] = relationship(back_populates="digest")

    __table_args__ = (
        # The public site lists the newest published first (bot.site.queries).
        Index("ix_digests_published", "status", "published_at", "id"),
        # SQLite AUTOINCREMENT: an id is never given again after its row is deleted (a
        # discarded draft's id would otherwise name the next one, in the audit log and in old
        # buttons).
        {"sqlite_autoincrement": True},
    )


class Entry(Base):
    """A curated entry: one commentary (from a digest) or a single article or post."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="digest")  # digest | article
    title: Mapped[str | None] = mapped_column(Text)
    title_zh: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    outlet: Mapped[str | None] = mapped_column(String(200))
    affiliation: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    url: Mapped[str | None] = mapped_column(Text)
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("digests.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=ContentStatus.DRAFT, index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    scheduled_for: Mapped[dt.datetime | None]
    retracted_at: Mapped[dt.datetime | None]
    fanned_out_at: Mapped[dt.datetime | None]

    digest: Mapped[Digest | None] = relationship(back_populates="entries")
    regions: Mapped[list[Region]] = relationship(secondary=entry_regions, order_by=Region.position)
    commentators: Mapped[list[Commentator]] = relationship(
        secondary=entry_commentators, order_by=entry_commentators.c.position
    )

    # The public site: newest published first (home, regions, feeds), a digest's entries.
    __table_args__ = (
        Index("ix_entries_published", "status", "published_at", "id"),
        Index("ix_entries_digest_listing", "digest_id", "status", "position"),
        {"sqlite_autoincrement": True},  # ids never reused (see Digest)
    )


class DailyReport(Base):
    """A daily press review of English-language media on China."""

    __tablename__ = "daily_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(Text)
    overview: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ContentStatus.DRAFT, index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[dt.datetime | None]
    scheduled_for: Mapped[dt.datetime | None]
    fanned_out_at: Mapped[dt.datetime | None]

    items: Mapped[list[ReportItem]] = relationship(
        back_populates="report", order_by="ReportItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_daily_reports_published", "status", "published_at", "id"),
        {"sqlite_autoincrement": True},  # ids never reused (see Digest)
    )


class ReportItem(Base):
    __tablename__ = "report_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("daily_reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    headline: Mapped[str] = mapped_column(Text)
    title_zh: Mapped[str | None] = mapped_column(Text)
    summary_zh: Mapped[str | None] = mapped_column(Text)
    # An English summary made offline from the English article at ingest (editors may correct
    # it), for readers who chose English content.
    summary_en: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ContentStatus.DRAFT, index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    retracted_at: Mapped[dt.datetime | None]

    report: Mapped[DailyReport] = relationship(back_populates="items")
    regions: Mapped[list[Region]] = relationship(secondary=item_regions, order_by=Region.position)
    commentators: Mapped[list[Commentator]] = relationship(secondary=item_commentators)

    __table_args__ = (
        Index("ix_report_items_published", "status", "published_at", "id"),
        Index("ix_report_items_report_listing", "report_id", "status", "position"),
        {"sqlite_autoincrement": True},  # ids never reused (see Digest)
    )


class Subscriber(Base):
    """A chat that receives messages: a private chat, a group (or one of its topics), a channel."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # 0 = the chat itself; otherwise the forum topic that subscriptions deliver to.
    thread_id: Mapped[int] = mapped_column(BigInteger, default=0)
    chat_type: Mapped[str] = mapped_column(String(16), default="private")
    title: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")  # interface: en | zh
    content_language: Mapped[str] = mapped_column(String(8), default="both")  # en | zh | both
    mode: Mapped[str] = mapped_column(String(8), default=DeliveryMode.INSTANT)
    daily_time: Mapped[str] = mapped_column(String(5), default="08:00")  # local HH:MM
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(16), default=SubscriberStatus.ACTIVE, index=True)
    last_summary_at: Mapped[dt.datetime | None]
    next_summary_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    blocked_at: Mapped[dt.datetime | None]

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        UniqueConstraint("chat_id", "thread_id", name="uq_subscribers_chat_id_thread_id"),
    )


class Subscription(Base):
    """What a subscriber follows (region, commentator, keyword) or mutes (keyword)."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), index=True
    )
    commentator_id: Mapped[int | None] = mapped_column(
        ForeignKey("commentators.id", ondelete="CASCADE"), index=True
    )
    keyword: Mapped[str | None] = mapped_column(String(200))  # normalised (casefolded) phrase
    # A single key per target so a subscriber follows each thing at most once.
    target: Mapped[str] = mapped_column(String(220))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")
    region: Mapped[Region | None] = relationship()
    commentator: Mapped[Commentator | None] = relationship()

    __table_args__ = (
        UniqueConstraint("subscriber_id", "kind", "target", name="uq_subscriptions_target"),
        Index("ix_subscriptions_kind_keyword", "kind", "keyword"),
    )


class Delivery(Base):
    """The outbox: one row per message to send. The sender works through it."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # alert | summary | digest | broadcast | catchup
    kind: Mapped[str] = mapped_column(String(16))
    # Lower sends first: alerts ahead of daily summaries.
    priority: Mapped[int] = mapped_column(default=10)
    content_type: Mapped[str | None] = mapped_column(String(16))  # entry | item | digest | ...
    content_id: Mapped[int | None]
    # Unique per (recipient, content): the same thing is never queued twice for one chat.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    # An edition (content_type report | digest | entry, content_id the publication): the pieces
    # this message shows, in order, with why each came, and which part of the edition it is:
    # {"items": [{"id": <item or entry id>, "why": ["r:<sub id>:<region id>", ...]}, ...],
    #  "part": 1, "parts": 2}. With `telegram_message_id` it names the message to correct.
    # A channel post (content_type "channel", content_id the channel) records the same, plus
    # the publication it belongs to: {"publication": ["report", 7], "items": [...], ...}.
    # A correction (kind "correct", content_id the corrected row): {"correction": <id>}.
    edition: Mapped[dict[str, Any] | None]
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None]
    disable_preview: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # The `Sender` that claimed the row (status `sending`): no foreign key, as a dead sender's
    # row is deleted while its claims are being recovered.
    claimed_by: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    not_before: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    __table_args__ = (
        Index("ix_deliveries_queue", "status", "priority", "id"),
        # The messages of a publication (corrections, retractions, readers).
        Index("ix_deliveries_content", "content_type", "content_id", "id"),
    )


class Correction(Base):
    """One /edit or /retract of published content and the delivered messages it corrects
    (outbox rows of kind "correct" pointing here): the editor is told the counts when the last
    of them is done (`bot.corrections.report`)."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # edit | retract
    what: Mapped[str] = mapped_column(String(40))  # the content reference, e.g. "item 31"
    editor_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))  # the editor's, for the follow-up
    queued: Mapped[int] = mapped_column(default=0)
    # Messages delivered but whose records were pruned (`DELIVERY_RETENTION_DAYS`).
    pruned: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reported_at: Mapped[dt.datetime | None]
    # What it corrects: [["item" | "entry" | "digest", id], ...].
    pieces: Mapped[list[Any] | None]
    # The delivered messages still to look through: scan_from < Delivery.id <= scan_to (the
    # newest row when the correction was made: later ones render the content as it is now).
    scan_from: Mapped[int] = mapped_column(default=0, server_default="0")
    scan_to: Mapped[int | None]
    # Every message to correct has its outbox row (`bot.corrections.planner`).
    planned_at: Mapped[dt.datetime | None]


class PrunedDelivery(Base):
    """How many delivered messages showing a piece had their records pruned: they can no
    longer be corrected, and the editor's counts say so."""

    __tablename__ = "pruned_deliveries"

    content_type: Mapped[str] = mapped_column(String(16), primary_key=True)  # entry | item
    content_id: Mapped[int] = mapped_column(primary_key=True)
    messages: Mapped[int] = mapped_column(default=0)


class Sender(Base):
    """A running bot process, as the outbox knows it (`bot.delivery.senders`): it refreshes
    `heartbeat_at` every few seconds, and the rows it claims carry its id."""

    __tablename__ = "senders"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    started_at: Mapped[dt.datetime]
    heartbeat_at: Mapped[dt.datetime]


class FanoutBatch(Base):
    """A publication (daily report, digest, single article) whose instant editions are being
    queued: what matching needs to know about each of its pieces (regions, commentators,
    keywords found), fixed at publication. Its recipients wait in `FanoutRecipient` until
    `bot.delivery.recipients` turns them into outbox rows, one message per subscriber."""

    __tablename__ = "fanout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(16))  # report | digest | entry
    priority: Mapped[int] = mapped_column(default=10)
    # {"publication": <report, digest or entry id>, "link_only": <a digest without entries>,
    #  "checked": [every keyword looked for], "content": [[piece id, [region ids],
    #  [commentator ids], [keywords found], <rendered size bound>], ...] in the edition's order}
    features: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FanoutRecipient(Base):
    """A subscriber some follow of whom matched a batch: one narrow row per subscriber, written
    by one INSERT ... SELECT at publication and expanded into its message just ahead of the
    sender.
    No foreign keys (checks would cost as much as the insert): rows of a deleted subscriber are
    skipped when they are expanded."""

    __tablename__ = "fanout_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(index=True)
    subscriber_id: Mapped[int]


class SummaryRun(Base):
    """One row per (subscriber, period): a daily summary is built and sent at most once."""

    __tablename__ = "summary_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(32))  # local date "YYYY-MM-DD"
    items: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("subscriber_id", "period", name="uq_summary_runs_subscriber_period"),
    )


class SummaryItem(Base):
    """An entry or report item a daily summary lists, so /retract can tell who received it in
    a summary and take it out of summaries still queued."""

    __tablename__ = "summary_items"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("summary_runs.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(16), primary_key=True)  # entry | item
    content_id: Mapped[int] = mapped_column(primary_key=True)

    # /retract looks summaries up by content; the primary key serves lookups by run.
    __table_args__ = (Index("ix_summary_items_content", "content_type", "content_id"),)


class LinkClick(Base):
    """One click on a tracked link of a pushed message (`PUBLIC_URL/r/<token>`): which
    publication and item it was for, and when. Nothing about who clicked."""

    __tablename__ = "link_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Content refs as editors write them (bot.editorial.refs): r7 + i45, d3 + e12, d3 alone.
    publication_kind: Mapped[str] = mapped_column(String(1))
    publication_id: Mapped[int]
    item_kind: Mapped[str | None] = mapped_column(String(1))
    item_id: Mapped[int | None]
    clicked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    # /stats counts a publication's clicks by item.
    __table_args__ = (
        Index("ix_link_clicks_publication", "publication_kind", "publication_id", "item_id"),
    )


class Editor(Base):
    __tablename__ = "editors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    # Least privilege: an editor added without a role prepares drafts only.
    role: Mapped[str] = mapped_column(
        String(16), default=EditorRole.AUTHOR, server_default=EditorRole.AUTHOR.value
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class KnownUser(Base):
    """Users the bot has seen, so `/editor add @username` can resolve a name to an id."""

    __tablename__ = "known_users"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    first_name: Mapped[str | None] = mapped_column(String(255))
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class PendingAction(Base):
    """Server-side state behind a button whose meaning does not fit in 64 bytes of callback data
    (an editor's preview, a broadcast awaiting confirmation, a long /list page)."""

    __tablename__ = "pending_actions"

    __table_args__ = {"sqlite_autoincrement": True}  # ids never reused (see Digest)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]


class ChannelStatus(enum.StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"  # /channel remove: kept so its past posts stay attributable


class Channel(Base):
    """A channel or supergroup the whole edition is posted to (/channel add)."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16))  # channel | supergroup
    is_forum: Mapped[bool] = mapped_column(default=False)
    content_language: Mapped[str] = mapped_column(String(8), default="both")  # en | zh | both
    # Forum supergroups: {"regions": {region slug: topic id}, "default": topic id or absent}.
    topics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ChannelStatus.ACTIVE)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SourceStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class Source(Base):
    """A feed of the newsletter's own site that the bot polls for new posts (/source add)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=SourceStatus.ACTIVE)
    # New posts are published without review (through the publishing service).
    auto_publish: Mapped[bool] = mapped_column(default=False)
    # Seconds between polls; None uses SOURCE_POLL_SECONDS.
    poll_seconds: Mapped[int | None]
    # Conditional GET: what the server said last time.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    next_poll_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    last_poll_at: Mapped[dt.datetime | None]
    last_new_post_at: Mapped[dt.datetime | None]
    last_post_title: Mapped[str | None] = mapped_column(Text)
    # The last failure: its kind (catalog key sources.error.<code>) and the details.
    last_error_code: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None]
    # Consecutive failed polls (the back-off), and whether editors were told it is failing.
    failures: Mapped[int] = mapped_column(default=0)
    failure_reported: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SourcePost(Base):
    """A post a source's feed listed: seen at /source add, or taken in as a draft (`ref`)."""

    __tablename__ = "source_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    # The entry's id in the feed (its link when it has none).
    guid: Mapped[str] = mapped_column(String(500))
    # Canonical link: the same post listed by two feeds is taken in once.
    url: Mapped[str | None] = mapped_column(String(1000), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(16))  # "d12", "r3", "e40"
    error: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("source_id", "guid", name="uq_source_posts_source_id_guid"),)


class HandledUpdate(Base):
    """A Telegram update a webhook process accepted: Telegram retries a delivery it saw no
    answer to, possibly at another process behind the load balancer, so the id is claimed
    here before the update is handled. Rows are pruned after a few days."""

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


DEFAULT_REGIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("us-china", "US-China", "中美", ("us", "usa", "united states", "america", "美国", "us china")),
    ("europe", "Europe", "欧洲", ("eu", "european union", "欧盟")),
    ("japan", "Japan", "日本", ("jp",)),
    ("africa", "Africa", "非洲", ()),
    ("russia", "Russia", "俄罗斯", ("ru", "俄国")),
)
