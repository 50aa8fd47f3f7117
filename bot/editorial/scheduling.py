"""Publishing later: `/schedule <id> <time>` marks content scheduled, `publish_due` publishes it.

`publish_due(session, now)` is what a periodic job calls (the running bot checks every
`DUE_CHECK_SECONDS`); it publishes through the same path as the Publish button, so the fan-out
poller delivers scheduled content like any other.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.editorial.content import load
from bot.editorial.posting import PublishOutcome, publish_ref
from bot.editorial.refs import ContentRef
from storage import audit
from storage.models import ContentStatus, DailyReport, Digest, Entry, Subscriber

DUE_CHECK_SECONDS = 30


class ScheduleOutcome(enum.StrEnum):
    SCHEDULED = "scheduled"
    UNSCHEDULED = "unscheduled"
    NOT_FOUND = "not_found"
    NOT_SCHEDULABLE = "not_schedulable"  # a single report item: schedule its report
    ALREADY_PUBLISHED = "already_published"
    RETRACTED = "retracted"
    NOT_SCHEDULED = "not_scheduled"  # asked to cancel a schedule that is not there


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    ref: ContentRef
    outcome: ScheduleOutcome
    when: dt.datetime | None = None
    report_id: int | None = None  # for NOT_SCHEDULABLE: the report to schedule instead


@dataclass
class DueResult:
    published: list[ContentRef] = field(default_factory=list)


def example_time(now: dt.datetime, zone: str) -> str:
    """A time /schedule accepts, for its usage examples: tomorrow 09:00 in the editor's zone
    (a fixed date would soon be in the past and refused)."""
    tomorrow = now.astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=1)
    return f"{tomorrow.isoformat()} 09:00"


async def editor_timezone(session: AsyncSession, user_id: int, default: str) -> str:
    """The zone the editor set as a subscriber in their private chat, else the default."""
    zone = await session.scalar(
        select(Subscriber.timezone).where(Subscriber.chat_id == user_id, Subscriber.thread_id == 0)
    )
    return zone or default


async def schedule(
    session: AsyncSession, ref: ContentRef, when: dt.datetime | None, *, actor_id: int
) -> ScheduleResult:
    """Schedule `ref` for `when` (aware); `when=None` cancels its schedule (back to draft)."""
    content = await load(session, ref)
    if content is None:
        return ScheduleResult(ref, ScheduleOutcome.NOT_FOUND)
    if ref.kind == "i":
        return ScheduleResult(
            ref,
            ScheduleOutcome.NOT_SCHEDULABLE,
            report_id=content.report_id,  # type: ignore[union-attr]
        )
    assert isinstance(content, Entry | DailyReport | Digest)
    if content.status == ContentStatus.PUBLISHED:
        return ScheduleResult(ref, ScheduleOutcome.ALREADY_PUBLISHED)
    if content.status == ContentStatus.RETRACTED:
        return ScheduleResult(ref, ScheduleOutcome.RETRACTED)
    if when is None:
        if content.status != ContentStatus.SCHEDULED:
            return ScheduleResult(ref, ScheduleOutcome.NOT_SCHEDULED)
        content.status = ContentStatus.DRAFT
        content.scheduled_for = None
        await audit.record(session, actor_id, "unschedule", str(ref))
        await session.flush()
        return ScheduleResult(ref, ScheduleOutcome.UNSCHEDULED)
    content.status = ContentStatus.SCHEDULED
    content.scheduled_for = when.astimezone(dt.UTC)
    await audit.record(session, actor_id, "schedule", str(ref), {"when": when.isoformat()})
    await session.flush()
    return ScheduleResult(ref, ScheduleOutcome.SCHEDULED, when.astimezone(dt.UTC))


async def publish_due(session: AsyncSession, now: dt.datetime) -> DueResult:
    """Publish everything whose scheduled time has come."""
    result = DueResult()
    due: list[ContentRef] = []
    for model, letter in ((Entry, "e"), (DailyReport, "r"), (Digest, "d")):
        ids = await session.scalars(
            select(model.id)  # type: ignore[attr-defined]
            .where(
                model.status == ContentStatus.SCHEDULED,  # type: ignore[attr-defined]
                model.scheduled_for <= now,  # type: ignore[attr-defined]
            )
            .order_by(model.scheduled_for)  # type: ignore[attr-defined]
        )
        due += [ContentRef(letter, i) for i in ids]  # type: ignore[arg-type]
    for ref in due:
        outcome = await publish_ref(session, ref, actor_id=None, now=now)
        if outcome is PublishOutcome.PUBLISHED:
            result.published.append(ref)
    return result
