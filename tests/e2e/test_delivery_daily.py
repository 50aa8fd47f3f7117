"""Daily summaries: at each subscriber's local time, across time zones and a daylight-saving
change, once per day even across restarts, nothing when nothing is new."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.pool import NullPool

from bot.delivery import notify_published
from bot.delivery.runtime import start, stop
from bot.delivery.summaries import run_due_summaries
from bot.publishing import publish
from bot.render import MAX_MESSAGE_CHARS
from storage.db import create_engine
from storage.models import AuditLog, Delivery, Digest, Entry, Subscriber, SummaryRun
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, ItemSpec, eventually, outbox_settled
from tests.e2e.conftest import MovableClock, RunningBot

SHANGHAI, NEW_YORK, LONDON = 701, 702, 703
UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


async def publish_at(bot: RunningBot, when: dt.datetime, items: list[ItemSpec]) -> None:
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    clock.now = when
    async with bot.session_factory() as s, s.begin():
        report = await factory.report(s, items, date=when.date())
        await publish(s, report_ids=[report.id], now=when)
    notify_published(bot.services)


async def summaries_at(bot: RunningBot, when: dt.datetime) -> int:
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    clock.now = when
    return await run_due_summaries(bot.services)


@pytest.mark.bot(clock=MovableClock(at(2025, 10, 31, 13, 0)))
async def test_summaries_arrive_at_local_time_in_each_zone_across_a_dst_change(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    emu = bot.emulator
    for user in (SHANGHAI, NEW_YORK, LONDON):
        bot.user(user)
    async with bot.session_factory() as s, s.begin():
        common = {"mode": "daily", "daily_time": "08:00"}
        await factory.subscriber(s, SHANGHAI, follows=["japan"], timezone="Asia/Shanghai", **common)
        await factory.subscriber(
            s, NEW_YORK, follows=["europe"], timezone="America/New_York", **common
        )
        await factory.subscriber(
            s, LONDON, follows=["africa"], timezone="Europe/London", language="zh", **common
        )
    assert await summaries_at(bot, at(2025, 10, 31, 13, 0)) == 0  # schedules set, nothing due

    await publish_at(
        bot,
        at(2025, 10, 31, 20, 0),
        [
            ItemSpec("Tokyo & Seoul hold talks", title_zh="东京与首尔会谈", regions=["japan"]),
            ItemSpec("EU trade chief visits", url="https://example.org/eu", regions=["europe"]),
        ],
    )
    # 00:00 UTC is 08:00 in Shanghai: only the Shanghai subscriber is due.
    assert await summaries_at(bot, at(2025, 11, 1, 0, 0)) == 1
    [shanghai] = await emu.wait_for_messages(SHANGHAI)
    text = shanghai.text or ""
    assert "Your daily summary · 1 Nov 2025" in text and "1 new for you" in text
    assert "Japan" in text and "Tokyo & Seoul hold talks / 东京与首尔会谈" in text
    assert "EU trade chief" not in text

    # 08:00 UTC is 08:00 in London (GMT since 26 October): nothing it follows came.
    assert await summaries_at(bot, at(2025, 11, 1, 8, 0)) == 0
    # 12:00 UTC is 08:00 in New York (EDT, UTC-4).
    assert await summaries_at(bot, at(2025, 11, 1, 11, 59)) == 0
    assert await summaries_at(bot, at(2025, 11, 1, 12, 0)) == 1
    [new_york] = await emu.wait_for_messages(NEW_YORK)
    assert "EU trade chief visits" in (new_york.text or "") and "Europe" in (new_york.text or "")

    # Clocks go back on 2 November: 08:00 in New York is now 13:00 UTC.
    await publish_at(bot, at(2025, 11, 1, 20, 0), [ItemSpec("Brussels summit", regions=["europe"])])
    assert await summaries_at(bot, at(2025, 11, 2, 0, 0)) == 0  # Shanghai: nothing new
    assert await summaries_at(bot, at(2025, 11, 2, 12, 30)) == 0
    assert await summaries_at(bot, at(2025, 11, 2, 13, 0)) == 1
    second = await emu.wait_for_messages(NEW_YORK, 2)
    assert "Brussels summit" in (second[-1].text or "") and "EU trade" not in (
        second[-1].text or ""
    )
    assert "2 Nov 2025" in (second[-1].text or "")
    # Running the same moment again sends nothing more.
    assert await summaries_at(bot, at(2025, 11, 2, 13, 0)) == 0

    # London follows Africa and nothing came: no message at all, but the day is recorded.
    assert emu.messages(LONDON) == []
    async with bot.session_factory() as s:
        runs = {
            (r.subscriber_id, r.period, r.items)
            for r in await s.scalars(select(SummaryRun).order_by(SummaryRun.id))
        }
        london_id = await s.scalar(select(Subscriber.id).where(Subscriber.chat_id == LONDON))
    assert (london_id, "2025-11-01", 0) in runs
    assert len(emu.messages(SHANGHAI)) == 1


@pytest.mark.bot(clock=MovableClock(at(2025, 11, 10, 0, 30)))
async def test_a_summary_due_while_the_bot_was_down_goes_out_once_after_start(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    bot.user(SHANGHAI)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(
            s,
            SHANGHAI,
            follows=["russia"],
            timezone="Asia/Shanghai",
            mode="daily",
            daily_time="08:00",
            next_summary_at=at(2025, 11, 11, 0, 0),
            last_summary_at=at(2025, 11, 10, 0, 0),
        )
    await publish_at(bot, at(2025, 11, 10, 6, 0), [ItemSpec("Moscow talks", regions=["russia"])])

    # The bot is down over the summary's time, and comes back two days later.
    await stop(bot.application, bot.services)
    clock.now = at(2025, 11, 12, 3, 0)
    await start(bot.application, bot.services)  # the first daily-summary tick runs at start
    [summary] = await bot.emulator.wait_for_messages(SHANGHAI, timeout=10)
    assert "Moscow talks" in (summary.text or "")

    # Restarting again does not send it twice.
    await stop(bot.application, bot.services)
    await start(bot.application, bot.services)

    async def ticked_again() -> bool:
        async with bot.session_factory() as s:
            row = await s.scalar(select(Subscriber).where(Subscriber.chat_id == SHANGHAI))
        return row is not None and row.next_summary_at == at(2025, 11, 13, 0, 0)

    await eventually(ticked_again, what="the next summary scheduled for the 13th")
    assert await run_due_summaries(bot.services) == 0
    assert len(bot.emulator.messages(SHANGHAI)) == 1
    async with bot.session_factory() as s:
        periods = list(await s.scalars(select(SummaryRun.period)))
    assert periods == ["2025-11-11"]


@pytest.mark.bot(clock=MovableClock(at(2025, 9, 1, 0, 0)))
async def test_a_long_summary_is_split_between_items(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(LONDON)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(
            s,
            LONDON,
            follows=["japan", "europe"],
            timezone="Europe/London",
            mode="daily",
            next_summary_at=at(2025, 9, 1, 7, 0),
        )
    items = [
        ItemSpec(
            f"Headline number {i}: " + "a long account of the day's diplomacy " * 4,
            title_zh="长标题" * 10,
            url=f"https://example.org/story/{i}",
            regions=["japan" if i % 2 else "europe"],
        )
        for i in range(40)
    ]
    await publish_at(bot, at(2025, 9, 1, 5, 0), items)

    assert await summaries_at(bot, at(2025, 9, 1, 7, 0)) == 1
    await eventually(_outbox_empty(bot), what="every part sent")
    parts = bot.emulator.messages(LONDON)
    assert len(parts) >= 2
    assert all(len(p.source_text or "") <= MAX_MESSAGE_CHARS for p in parts)
    body = "\n".join(p.text or "" for p in parts)
    for i in range(40):
        assert body.count(f"Headline number {i}:") == 1  # every item once, none cut
    assert "(continued, 2/" in (parts[1].text or "")
    # Grouped by region in display order: the Europe section, then Japan's.
    assert "<b>Europe</b>" in (parts[0].source_text or "")
    assert body.index("Europe") < body.index("Japan")


@pytest.mark.bot(clock=MovableClock(at(2025, 11, 20, 1, 0)))
async def test_a_daily_reader_gets_nothing_at_publication_and_everything_in_the_summary(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(SHANGHAI)
    bot.user(NEW_YORK)
    async with bot.session_factory() as s, s.begin():
        daily = await factory.subscriber(
            s,
            SHANGHAI,
            follows=["japan"],
            timezone="Asia/Shanghai",
            mode="daily",
            next_summary_at=at(2025, 11, 21, 0, 0),
            last_summary_at=at(2025, 11, 20, 0, 0),
        )
        await factory.subscriber(s, NEW_YORK, follows=["japan"])  # instant: the control
        digest = await factory.digest(
            s,
            "November Digest, Part 3",
            "https://newsletter.example.org/november-3",
            [
                EntrySpec("Tokyo's defence budget, read closely.", regions=["japan"]),
                EntrySpec("Brussels and its trade tools.", regions=["europe"]),
            ],
        )
        entries = list(await s.scalars(select(Entry.id).where(Entry.digest_id == digest.id)))
        await publish(s, digest_ids=[digest.id], entry_ids=entries, now=at(2025, 11, 20, 2, 0))
    await publish_at(
        bot,
        at(2025, 11, 20, 3, 0),
        [
            ItemSpec("Tokyo hosts trade talks", regions=["japan"]),
            ItemSpec("Osaka chip plant opens", regions=["japan"]),
        ],
    )
    # The instant reader has both by now; the daily reader nothing, not even the digest.
    await bot.emulator.wait_for_messages(NEW_YORK, 2)

    async def fanned_out() -> bool:
        async with bot.session_factory() as s:
            waiting = await s.scalar(
                select(func.count()).select_from(Digest).where(Digest.fanned_out_at.is_(None))
            )
        return waiting == 0

    await eventually(fanned_out, what="the digest fanned out")
    await outbox_settled(bot.session_factory)
    assert bot.emulator.messages(SHANGHAI) == []
    async with bot.session_factory() as s:
        queued = await s.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.subscriber_id == daily.id)
        )
    assert queued == 0

    assert await summaries_at(bot, at(2025, 11, 21, 0, 0)) == 1
    [summary] = await bot.emulator.wait_for_messages(SHANGHAI)
    text = summary.text or ""
    assert "Tokyo hosts trade talks" in text and "Osaka chip plant opens" in text
    assert "📰 November Digest, Part 3" in text and "Tokyo's defence budget" in text
    assert "Brussels and its trade tools" not in text and "3 new for you" in text
    assert any(
        e.get("url") == "https://newsletter.example.org/november-3" for e in summary.entities
    )


def _outbox_empty(bot: RunningBot):  # type: ignore[no-untyped-def]
    from storage.models import Delivery

    async def check() -> bool:
        async with bot.session_factory() as s:
            pending = await s.scalar(
                select(Delivery.id).where(Delivery.status.in_(["pending", "sending"]))
            )
        return pending is None

    return check


@pytest.mark.parametrize(
    "bot_db",
    [  # a clock each: the test moves it
        pytest.param(kind, marks=pytest.mark.bot(clock=MovableClock(at(2025, 11, 10, 12, 0))))
        for kind in ("sqlite", "postgres")
    ],
    indirect=True,
)
async def test_a_summary_due_during_a_long_write_transaction_goes_out_and_replies_keep_coming(
    running_bot: RunningBot,
) -> None:
    """Another process (an ingest, a migration) holds a write transaction open when a daily
    summary falls due: the bot keeps answering meanwhile, and the summary goes out as soon as
    the transaction ends, not at some later tick and not lost to "database is locked"."""
    bot = running_bot
    bot.user(LONDON)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(
            s,
            LONDON,
            follows=["japan"],
            timezone="Europe/London",
            mode="daily",
            daily_time="08:00",
            next_summary_at=at(2025, 11, 11, 8, 0),
            last_summary_at=at(2025, 11, 10, 8, 0),
        )
    await publish_at(bot, at(2025, 11, 10, 12, 0), [ItemSpec("Tokyo talks", regions=["japan"])])
    await bot.command(LONDON, "/settings")  # the user is known: replies need no write now
    before = len(bot.emulator.messages(LONDON))

    other = create_engine(bot.db.url, poolclass=NullPool)
    try:
        async with other.connect() as writer:
            transaction = await writer.begin()
            # On SQLite this takes the database's one write lock; on PostgreSQL it is an
            # unrelated open transaction. Either way the bot must not freeze behind it.
            await writer.execute(insert(AuditLog).values(action="long.write", target="test"))
            clock = bot.services.clock
            assert isinstance(clock, MovableClock)
            clock.now = at(2025, 11, 11, 8, 0, 30)
            ticker = bot.services.delivery.summaries
            ticks = ticker.ticks
            ticker.wake()
            # While the transaction is open, commands are answered...
            reply = await bot.command(LONDON, "/help", timeout=8)
            assert "/subscribe" in (reply.text or "")
            assert transaction.is_active
            await transaction.commit()
        # ...and the summary goes out (on SQLite once it ends), from the tick under way.
        sent = await bot.emulator.wait_for_messages(LONDON, before + 2, timeout=15)
        assert ["Tokyo talks" in (m.text or "") for m in sent[before:]].count(True) == 1
        assert ticker.ticks == ticks + 1
    finally:
        await other.dispose()


@pytest.mark.bot(clock=MovableClock(at(2025, 11, 20, 1, 0)))
async def test_each_line_of_a_summary_has_its_one_line_summary_in_the_readers_language(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(SHANGHAI)
    bot.user(LONDON)
    async with bot.session_factory() as s, s.begin():
        for chat, language in ((SHANGHAI, "zh"), (LONDON, "en")):
            await factory.subscriber(
                s,
                chat,
                follows=["japan"],
                mode="daily",
                content_language=language,
                next_summary_at=at(2025, 11, 21, 0, 0),
                last_summary_at=at(2025, 11, 20, 0, 0),
            )
    await publish_at(
        bot,
        at(2025, 11, 20, 3, 0),
        [
            ItemSpec(
                "Tokyo hosts trade talks",
                title_zh="东京主办贸易谈判",
                summary_zh="双方同意下月继续就关税问题进行磋商。",
                summary_en="Both sides agreed to keep talking about tariffs next month.",
                regions=["japan"],
            )
        ],
    )

    assert await summaries_at(bot, at(2025, 11, 21, 0, 0)) == 2
    [zh] = await bot.emulator.wait_for_messages(SHANGHAI)
    [en] = await bot.emulator.wait_for_messages(LONDON)
    assert "东京主办贸易谈判" in (zh.text or "") and "继续就关税问题" in (zh.text or "")
    assert "Both sides agreed" not in (zh.text or "")
    assert "Tokyo hosts trade talks" in (en.text or "")
    assert "Both sides agreed to keep talking" in (en.text or "")
    assert "关税" not in (en.text or "")
