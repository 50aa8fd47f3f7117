"""/stats numbers."""

from __future__ import annotations

import datetime as dt

from bot.editorial.stats import collect
from storage.models import Commentator, Subscription
from tests.db_fixtures import Database
from tests.editorial import factories as f


async def test_stats_count_subscribers_follows_outbox_and_history(db: Database) -> None:
    today = f.NOW
    yesterday = f.NOW - dt.timedelta(days=1)
    async with db.session_factory() as s, s.begin():
        a = await f.subscriber(s, 1, regions=("japan", "europe"))
        b = await f.subscriber(s, 2, regions=("japan",))
        await f.subscriber(s, 3, status="paused", regions=("japan",))
        await f.subscriber(s, 4, status="blocked")
        huang = Commentator(name="Huang Jing", name_zh="黄靖", aliases=[])
        s.add(huang)
        await s.flush()
        s.add(
            Subscription(
                subscriber_id=a.id, kind="commentator", commentator_id=huang.id, target="x"
            )
        )
        s.add(
            Subscription(
                subscriber_id=b.id, kind="commentator", commentator_id=huang.id, target="x"
            )
        )
        s.add_all(
            [
                f.delivery(a, "entry", 1, "sent", sent_at=today, n=1),
                f.delivery(b, "entry", 1, "sent", sent_at=yesterday, n=2),
                f.delivery(a, "entry", 2, "failed", updated_at=today, n=3),
                f.delivery(b, "entry", 2, "pending", n=4),
                f.delivery(b, "entry", 3, "sending", n=5),
            ]
        )
        await f.entry(s, status="published", published_at=today)
        await f.entry(s, title="Y", status="published", published_at=yesterday)
        await f.report(s, [("A", ()), ("B", ())], status="published")
        await f.entry(s, title="S", status="scheduled")
        stats = await collect(s, today, "UTC")
    assert stats.subscribers == {"active": 2, "paused": 1, "blocked": 1}
    assert [(r.name, r.followers) for r in stats.regions] == [
        ("US-China", 0),
        ("Europe", 1),
        ("Japan", 2),  # the paused subscriber is not counted
        ("Africa", 0),
        ("Russia", 0),
    ]
    assert [(c.name, c.followers) for c in stats.commentators] == [("Huang Jing", 2)]
    assert (stats.sent_today, stats.failed_today, stats.failed_total, stats.queued) == (1, 1, 1, 2)
    assert stats.scheduled == 1
    assert [(d.day, d.entries) for d in stats.history[:2]] == [
        (today.date(), 1),
        (yesterday.date(), 1),
    ]
    assert len(stats.history) == 7


async def test_today_is_the_editors_day(db: Database) -> None:
    # 23:30 UTC on 4 November is already 5 November in Shanghai; a message sent at 15:00 UTC
    # (23:00 in Shanghai) went out today in UTC but yesterday in Shanghai.
    late = dt.datetime(2025, 11, 4, 23, 30, tzinfo=dt.UTC)
    async with db.session_factory() as s, s.begin():
        sub = await f.subscriber(s, 1)
        s.add(f.delivery(sub, "entry", 1, "sent", sent_at=late - dt.timedelta(hours=8, minutes=30)))
        await s.flush()
        assert (await collect(s, late, "UTC")).sent_today == 1
        assert (await collect(s, late, "Asia/Shanghai")).sent_today == 0
