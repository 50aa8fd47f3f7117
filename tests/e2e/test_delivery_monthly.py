"""The monthly digest: its subscribers get the link and what it holds for them."""

from __future__ import annotations

from sqlalchemy import select

from bot.delivery import notify_published
from bot.publishing import publish
from storage.models import Entry
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, outbox_settled
from tests.e2e.conftest import RunningBot

EUROPE_FAN, DING_FAN, DAILY_FAN, ZH_FAN, NOBODY = 801, 802, 803, 804, 805


async def test_digest_subscribers_get_the_link_and_their_counts(running_bot: RunningBot) -> None:
    bot = running_bot
    for user in (EUROPE_FAN, DING_FAN, DAILY_FAN, ZH_FAN, NOBODY):
        bot.user(user)
    async with bot.session_factory() as s, s.begin():
        ding = await factory.commentator(s, "Ding Chun", "丁纯")
        lian = await factory.commentator(s, "Lian Degui", "廉德瑰")
        await factory.subscriber(s, EUROPE_FAN, follows=["europe", ding])
        await factory.subscriber(s, DING_FAN, follows=[ding], keywords=["energy"])
        await factory.subscriber(s, DAILY_FAN, follows=["japan"], mode="daily")
        await factory.subscriber(s, ZH_FAN, follows=["europe"], language="zh")
        await factory.subscriber(s, NOBODY, follows=["africa"])
        digest = await factory.digest(
            s,
            "November Digest, Part 2 — International Relations",
            "https://newsletter.example.org/november-2",
            [
                EntrySpec(
                    "Ding on the EU's energy choices.", regions=["europe"], commentators=[ding]
                ),
                EntrySpec("A second note on Brussels.", regions=["europe"]),
                EntrySpec("Ding again, on trade.", regions=["europe"], commentators=[ding]),
                EntrySpec("Tokyo's view.", regions=["japan"], commentators=[lian]),
            ],
        )
        entry_ids = list(await s.scalars(select(Entry.id).where(Entry.digest_id == digest.id)))
        await publish(s, digest_ids=[digest.id], entry_ids=entry_ids, now=bot.services.clock())
    notify_published(bot.services)

    [europe] = await bot.emulator.wait_for_messages(EUROPE_FAN)
    [ding_msg] = await bot.emulator.wait_for_messages(DING_FAN)
    [daily] = await bot.emulator.wait_for_messages(DAILY_FAN)
    [zh] = await bot.emulator.wait_for_messages(ZH_FAN)

    text = europe.text or ""
    assert "November Digest, Part 2 — International Relations" in text
    assert "For you: Europe: 3 entries · Ding Chun: 2" in text
    assert any(e.get("url") == "https://newsletter.example.org/november-2" for e in europe.entities)
    assert "Ding Chun: 2 · “energy”: 1" in (ding_msg.text or "")
    assert "Japan: 1 entry" in (daily.text or "")
    assert "与你相关：欧洲：3 条" in (zh.text or "") and "阅读月报" in (zh.text or "")

    rows = await outbox_settled(bot.session_factory)
    assert len(rows) == 4 and {r.status for r in rows} == {"sent"}
    # The digest's entries travel in the digest's message, not one by one.
    assert [len(bot.emulator.messages(u)) for u in (EUROPE_FAN, DING_FAN, ZH_FAN)] == [1, 1, 1]
    assert bot.emulator.messages(NOBODY) == []
