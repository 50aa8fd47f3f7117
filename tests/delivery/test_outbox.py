"""The outbox on its own: what each Telegram answer does to a row, rows left in doubt, the
`digestbot outbox` report, and the owner lock."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
from sqlalchemy import select, update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.config import Settings
from bot.delivery import outbox, senders
from bot.delivery.command import run_outbox
from bot.delivery.ownership import OwnerLock
from bot.delivery.sender import classify
from storage.models import Delivery, DeliveryStatus, FanoutRecipient, utcnow
from tests.db_fixtures import Database

NOW = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)


def row(attempts: int = 1) -> outbox.QueuedRow:
    return outbox.QueuedRow(
        id=1,
        subscriber_id=7,
        chat_id=42,
        thread_id=0,
        kind="alert",
        priority=10,
        content_type="item",
        content_id=3,
        reason=None,
        text="",
        reply_markup=None,
        disable_preview=False,
        attempts=attempts,
        language="en",
        content_language="both",
        subscriber_status="active",
        timezone="UTC",
        quiet_start=None,
        quiet_end=None,
    )


def test_flood_control_puts_the_row_back_without_counting_an_attempt() -> None:
    outcome = classify(row(attempts=2), RetryAfter(7), NOW)
    assert outcome.change["status"] == "pending" and outcome.change["attempts"] == 1
    assert outcome.change["not_before"] == NOW + dt.timedelta(seconds=7)


def test_blocked_and_unknown_chats_deactivate_the_subscriber() -> None:
    for exc in (
        Forbidden("Forbidden: bot was blocked by the user"),
        Forbidden("Forbidden: user is deactivated"),
        BadRequest("Bad Request: chat not found"),
    ):
        outcome = classify(row(), exc, NOW)
        assert outcome.block and outcome.change["status"] == "failed"


def test_other_bad_requests_fail_at_once_with_the_reason() -> None:
    outcome = classify(row(), BadRequest("Bad Request: can't parse entities"), NOW)
    assert outcome.change["status"] == "failed" and not outcome.block
    assert "can't parse entities" in outcome.change["last_error"].lower()


def test_server_errors_and_timeouts_back_off_then_give_up() -> None:
    first = classify(row(attempts=1), NetworkError("Internal Server Error"), NOW)
    later = classify(row(attempts=3), TimedOut(), NOW)
    assert first.change["status"] == later.change["status"] == "pending"
    assert first.change["not_before"] < later.change["not_before"]
    last = classify(row(attempts=outbox.MAX_ATTEMPTS), NetworkError("Bad Gateway"), NOW)
    assert last.change["status"] == "failed" and "Bad Gateway" in last.change["last_error"]


def test_a_group_upgrade_moves_the_row_to_the_new_chat() -> None:
    outcome = classify(row(), ChatMigrated(-100123), NOW)
    assert outcome.migrate_to == -100123 and outcome.change["chat_id"] == -100123
    assert outcome.change["status"] == "pending"


async def _queue(db: Database, n: int) -> list[int]:
    async with db.session_factory() as s, s.begin():
        for i in range(n):
            await outbox.enqueue(
                s, chat_id=100 + i, text=f"hello {i}", kind="broadcast", dedup_key=f"b:{i}", now=NOW
            )
        return list(await s.scalars(select(Delivery.id).order_by(Delivery.id)))


async def test_claims_of_a_sender_whose_heartbeat_stopped_are_resent_once_then_failed(
    db: Database,
) -> None:
    ids = await _queue(db, 4)
    stale = dt.timedelta(seconds=15)
    long_ago = utcnow() - dt.timedelta(seconds=60)
    async with db.session_factory() as s, s.begin():
        assert (
            await outbox.enqueue(
                s, chat_id=100, text="again", kind="broadcast", dedup_key="b:0", now=NOW
            )
            is False
        )  # the same key is never queued twice
        alive = await senders.register(s)
        dead = await senders.register(s, now=long_ago)
        assert await outbox.claim(s, ids[:1], alive) == {ids[0]}
        assert await outbox.claim(s, ids[1:3], dead) == set(ids[1:3])
    async with db.session_factory() as s, s.begin():
        assert await senders.recover_dead(s, stale_after=stale) == 2
        assert await senders.count_alive(s, stale_after=stale) == 1  # the dead one is forgotten
        dead_again = await senders.register(s, now=long_ago)
        assert await outbox.claim(s, ids[1:2], dead_again) == {ids[1]}
        assert await senders.recover_dead(s, stale_after=stale) == 1
    async with db.session_factory() as s:
        rows = {r.id: r for r in await s.scalars(select(Delivery))}
    assert rows[ids[0]].status == "sending"  # a live sender's claim is left alone
    assert rows[ids[1]].status == "failed" and "twice" in (rows[ids[1]].last_error or "")
    assert rows[ids[2]].status == "pending" and rows[ids[2]].last_error == outbox.IN_DOUBT
    assert rows[ids[3]].status == "pending" and rows[ids[3]].attempts == 0


async def test_a_new_owner_resends_every_claim_another_sender_made(db: Database) -> None:
    ids = await _queue(db, 3)
    async with db.session_factory() as s, s.begin():
        previous = await senders.register(s)  # still beating: it lost the lock, not its life
        owner = await senders.register(s)
        await outbox.claim(s, ids[:2], previous)
        await outbox.claim(s, ids[2:], owner)
    async with db.session_factory() as s, s.begin():
        assert await senders.recover_all_but(s, owner) == 2
    async with db.session_factory() as s:
        statuses = dict((await s.execute(select(Delivery.id, Delivery.status))).all())
    assert statuses == {ids[0]: "pending", ids[1]: "pending", ids[2]: "sending"}


async def test_a_claim_is_given_back_only_while_it_is_still_ours(db: Database) -> None:
    ids = await _queue(db, 3)
    async with db.session_factory() as s, s.begin():
        stalled = await senders.register(s)
        await outbox.claim(s, ids, stalled)
    async with db.session_factory() as s, s.begin():  # another process took two over
        taker = await senders.register(s)
        await senders.recover_all_but(s, taker)
        await outbox.claim(s, ids[:1], taker)
    async with db.session_factory() as s, s.begin():
        await outbox.claim(s, ids[2:], stalled)  # claimed again by the stalled one, later
        # The stalled sender gives back what it never sent, under the id it claimed with.
        await outbox.release_unsent(s, [(i, stalled) for i in ids])
    async with db.session_factory() as s:
        rows = {r.id: r for r in await s.scalars(select(Delivery))}
    assert rows[ids[0]].status == "sending" and rows[ids[0]].claimed_by == taker
    assert rows[ids[1]].status == "pending"  # put back by the taker: left as it is
    # Claimed twice; the attempt given back is not counted.
    assert rows[ids[2]].status == "pending" and rows[ids[2]].attempts == 1


async def test_a_sender_taken_for_dead_learns_it_at_its_next_heartbeat(db: Database) -> None:
    stale = dt.timedelta(seconds=15)
    long_ago = utcnow() - dt.timedelta(seconds=60)
    async with db.session_factory() as s, s.begin():
        stalled = await senders.register(s, now=long_ago)
        alive = await senders.register(s)
    async with db.session_factory() as s, s.begin():
        await senders.recover_dead(s, stale_after=stale)
    async with db.session_factory() as s, s.begin():
        assert await senders.beat(s, alive) is True
        assert await senders.beat(s, stalled) is False  # its row is gone: register anew
        assert await senders.count_alive(s, stale_after=stale) == 1


async def test_outbox_command_shows_queued_sent_and_failed(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = await _queue(db, 4)
    async with db.session_factory() as s, s.begin():
        await s.execute(
            update(Delivery).where(Delivery.id == ids[0]).values(status=DeliveryStatus.SENT)
        )
        await s.execute(
            update(Delivery)
            .where(Delivery.id == ids[1])
            .values(
                status=DeliveryStatus.FAILED, attempts=5, last_error="NetworkError: Bad Gateway"
            )
        )
        # A big fan-out's recipients not expanded into rows yet.
        s.add_all(FanoutRecipient(batch_id=1, subscriber_id=i) for i in range(3))
    settings = Settings(database_url=db.url)

    assert await run_outbox(argparse.Namespace(failed=False, limit=20), settings) == 0
    summary = capsys.readouterr().out
    assert "pending 2" in summary and "sent 1" in summary and "failed 1" in summary
    assert "3 subscribers' alerts still to queue" in summary
    assert "digestbot outbox --failed" in summary

    assert await run_outbox(argparse.Namespace(failed=True, limit=20), settings) == 0
    listing = capsys.readouterr().out
    assert f"#{ids[1]}" in listing and "Bad Gateway" in listing and "chat 101" in listing


async def test_only_one_process_owns_the_scheduler(db: Database) -> None:
    first = OwnerLock(db.engine, db.url)
    second = OwnerLock(db.engine, db.url)
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        await first.release()
        assert await second.try_acquire()
    finally:
        await first.release()
        await second.release()
