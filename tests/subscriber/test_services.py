"""The subscription services on SQLite and PostgreSQL: following, limits, catch-up, forgetting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot import catchup, lookup, subscriptions
from bot.subscriptions import SubscriptionError
from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Delivery,
    Entry,
    Region,
    ReportItem,
    Subscriber,
    Subscription,
)
from tests.db_fixtures import Database

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


@dataclass
class Chat:
    id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None


@dataclass
class User:
    language_code: str | None


async def test_a_chat_follows_each_thing_once_and_forgetting_removes_everything(
    db: Database,
) -> None:
    async with db.session_factory() as session, session.begin():
        sub = await subscriptions.get_or_create_subscriber(
            session, Chat(77), 0, User("zh-TW"), default_timezone="Asia/Taipei"
        )
        await session.flush()
        japan = await session.scalar(select(Region).where(Region.slug == "japan"))
        assert japan is not None
        first = await subscriptions.follow_region(session, sub, japan)
        second = await subscriptions.follow_region(session, sub, japan)
        keyword = await subscriptions.follow_keyword(session, sub, "  “Rare   EARTH” ")
        session.add(
            Delivery(subscriber_id=sub.id, chat_id=77, kind="alert", dedup_key="x", text="t")
        )

    assert (sub.language, sub.timezone, sub.mode) == ("zh", "Asia/Taipei", "instant")
    assert first.created and not second.created
    assert first.subscription.id == second.subscription.id
    assert keyword.subscription.target == "rare earth"

    async with db.session_factory() as session, session.begin():
        sub = await subscriptions.get_subscriber(session, 77)
        assert sub is not None
        await subscriptions.forget_subscriber(session, sub)
    async with db.session_factory() as session:
        for model in (Subscriber, Subscription, Delivery):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


async def test_the_number_of_subscriptions_is_bounded(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscriptions, "MAX_SUBSCRIPTIONS", 3)
    async with db.session_factory() as session, session.begin():
        sub = await subscriptions.get_or_create_subscriber(session, Chat(78))
        await session.flush()
        for word in ("one", "two", "three"):
            await subscriptions.follow_keyword(session, sub, word)
        with pytest.raises(SubscriptionError) as info:
            await subscriptions.follow_keyword(session, sub, "four")
        again = await subscriptions.follow_keyword(session, sub, "one")  # no new row: fine

    assert info.value.reason == "sub.limit"
    assert not again.created


async def test_unfollow_by_name_prefers_what_is_followed(db: Database) -> None:
    async with db.session_factory() as session, session.begin():
        session.add_all([Commentator(name="Wang Jisi"), Commentator(name="Wang Yiwei")])
        sub = await subscriptions.get_or_create_subscriber(session, Chat(79))
        await session.flush()
        await subscriptions.follow_by_name(session, sub, "Wang Yiwei")
        outcome = await subscriptions.unfollow_by_name(session, sub, "wang")

    assert outcome.status == "unfollowed"
    assert isinstance(outcome.thing, Commentator) and outcome.thing.name == "Wang Yiwei"


async def test_catch_up_finds_the_latest_items_by_commentator_and_keyword_without_mutes(
    db: Database,
) -> None:
    async with db.session_factory() as session, session.begin():
        huang = Commentator(name="Huang Jing", name_zh="黄靖")
        session.add(huang)
        for n in range(4):
            session.add(
                Entry(
                    title=f"Note {n}",
                    summary="On rare earth and chips." if n % 2 else "On tariffs.",
                    status=ContentStatus.PUBLISHED,
                    published_at=NOW - dt.timedelta(hours=10 - n),
                    commentators=[huang],
                )
            )
        report = DailyReport(date=NOW.date(), title="Press review", status=ContentStatus.PUBLISHED)
        report.items = [
            ReportItem(
                headline="Beijing tightens RARE EARTH exports",
                title_zh="北京收紧稀土出口",
                status=ContentStatus.PUBLISHED,
                published_at=NOW,
            )
        ]
        session.add(report)
        sub = await subscriptions.get_or_create_subscriber(session, Chat(80))
        await session.flush()
        person = (await subscriptions.follow_commentator(session, sub, huang)).subscription
        english = (await subscriptions.follow_keyword(session, sub, "rare earth")).subscription
        chinese = (await subscriptions.follow_keyword(session, sub, "稀土")).subscription
        await subscriptions.mute_keyword(session, sub, "tariffs")

        by_person = await catchup.latest_for(session, sub, person)
        by_english = await catchup.latest_for(session, sub, english)
        by_chinese = await catchup.latest_for(session, sub, chinese)

    assert [i.row.title for i in by_person] == ["Note 3", "Note 1"]  # 2 and 0 are muted
    assert [i.kind for i in by_english] == ["item", "entry", "entry"]
    assert by_english[1].row.title == "Note 3"
    assert [i.kind for i in by_chinese] == ["item"]


async def test_the_name_index_is_kept_until_commentators_change(db: Database) -> None:
    ticks = [0.0]
    cache = lookup.IndexCache(max_age=60.0, clock=lambda: ticks[0])
    async with db.session_factory() as session, session.begin():
        session.add(Commentator(name="Huang Jing", name_zh="黄靖"))
        await session.flush()
        first = await cache.get(session)
        assert await cache.get(session) is first  # nothing changed: no rebuild

        session.add(Commentator(name="Ding Chen", name_zh="丁琛"))
        await session.flush()
        added = await cache.get(session)
        assert added is not first and added.resolve("ding chen").status == "found"

        huang = await session.scalar(select(Commentator).where(Commentator.name == "Huang Jing"))
        assert huang is not None
        huang.aliases = ["H. Jing"]
        await session.flush()
        assert (await cache.get(session)).resolve("H. Jing").status != "found"  # not yet
        ticks[0] = 61.0
        assert (await cache.get(session)).resolve("H. Jing").status == "found"
