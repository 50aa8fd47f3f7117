"""Running senders: who they are, whether they are alive, and the claims of those that died.

Every bot process registers one `Sender` row (host, pid, start) when delivery starts and
refreshes its `heartbeat_at` every `SENDER_HEARTBEAT_SECONDS`; every outbox row it claims
carries its id (`Delivery.claimed_by`). A row is *in doubt* when it is `sending` and its
claimer is not alive:

- periodically, in every process: claims of senders whose heartbeat is older than
  `SENDER_STALE_SECONDS` (about 15 s) are put back to pending once, and those senders' rows
  are deleted (`recover_dead`);
- when a process becomes the one that sends (the owner lock, `bot.delivery.ownership`): only
  the owner sends, so every claim another sender made is from one that died or lost the lock,
  and all of them are put back at once (`recover_all_but`). After a `kill -9` and a restart
  the outbox resumes within a heartbeat instead of waiting for the claims to go stale.

A process taken for dead that is not (its event loop or its database stalled past the limit,
perhaps losing the owner lock meanwhile) must not send those claims as well: its sender sends
claimed rows only under a lease renewed by each heartbeat that reaches the database while it
still owns the outbox, and its next heartbeat, finding its row gone, registers it under a new id
(`bot.delivery.sender`).

What "in doubt" costs: a claimed row is either waiting for its turn in the limiter (never sent)
or its request is in flight; only the latter can have reached Telegram. So a crash costs at most
one duplicate per request in flight at that moment (`sender_concurrency`, about half a second
of sends), and nothing is lost. A row in doubt a second time fails instead of going round again
(`bot.delivery.outbox.recover_in_doubt`).

Heartbeats use each host's clock (UTC); hosts are expected to keep time within a few seconds,
well under the staleness limit.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy import delete, false, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from storage.models import Sender, utcnow


def this_process() -> tuple[str, int]:
    return socket.gethostname()[:255], os.getpid()


async def register(session: AsyncSession, *, now: dt.datetime | None = None) -> int:
    """A new sender row for this process; returns its id."""
    now = now or utcnow()
    host, pid = this_process()
    sender_id = await session.scalar(
        insert(Sender)
        .values(host=host, pid=pid, started_at=now, heartbeat_at=now)
        .returning(Sender.id)
    )
    assert sender_id is not None
    return int(sender_id)


async def beat(session: AsyncSession, sender_id: int, *, now: dt.datetime | None = None) -> bool:
    """Refresh the heartbeat. False when the row is gone: another process found this sender
    stale and put its claims back, so the caller registers again under a new id (claims made
    under the old one are no longer its own)."""
    now = now or utcnow()
    result = await session.execute(
        update(Sender)
        .where(Sender.id == sender_id)
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def count_alive(session: AsyncSession, *, stale_after: dt.timedelta) -> int:
    """Processes whose heartbeat is fresh, this one included."""
    cutoff = utcnow() - stale_after
    return int(await session.scalar(select(func.count()).where(Sender.heartbeat_at > cutoff)) or 0)


async def recover_dead(
    session: AsyncSession, *, stale_after: dt.timedelta, now: dt.datetime | None = None
) -> int:
    """Put back the claims of senders whose heartbeat is stale; forget those senders."""
    now = now or utcnow()
    cutoff = now - stale_after
    alive = select(Sender.id).where(Sender.heartbeat_at > cutoff)
    recovered = await outbox.recover_in_doubt(session, keep=alive, unclaimed_before=cutoff, now=now)
    await session.execute(delete(Sender).where(Sender.heartbeat_at <= cutoff))
    return recovered


async def recover_all_but(
    session: AsyncSession, sender_id: int | None, *, now: dt.datetime | None = None
) -> int:
    """A new owner: every claim made by another sender (any sender, for None) is in doubt,
    as only the owner sends."""
    now = now or utcnow()
    keep = select(Sender.id).where(Sender.id == sender_id if sender_id is not None else false())
    return await outbox.recover_in_doubt(session, keep=keep, unclaimed_before=now, now=now)


async def retire(session: AsyncSession, sender_id: int) -> None:
    """A clean stop: this sender's row goes, so whatever it could not record is put back by
    the next check of any other process (or at the next start) rather than after it goes
    stale."""
    await session.execute(delete(Sender).where(Sender.id == sender_id))
