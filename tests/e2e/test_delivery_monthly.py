"""The monthly digest: each instant subscriber gets one message with its link and the entries
that match them, grouped by region."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.delivery import notify_published
from bot.publishing import publish
from storage.models import Entry
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, outbox_settled
from tests.e2e.conftest import RunningBot

EUROPE_FAN, DING_FAN, DAILY_FAN, ZH_FAN, NOBODY = 801, 802, 803, 804, 805


async def test_digest_subscribers_get_one_message_with_the_link_and_their_entries(
    running_bot: RunningBot,
) -> None:
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
                    "Ding on the EU's energy choices.",
                    regions=["europe"],
                    commentators=[ding],
                    outlet="Le Monde",
                    date=dt.date(2025, 11, 12),
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
    [zh] = await bot.emulator.wait_for_messages(ZH_FAN)
    rows = await outbox_settled(bot.session_factory)

    # One message: the digest's title and link, then this reader's entries under their region,
    # commentators in both scripts, outlet and date, a one-line summary, why each came.
    text = europe.text or ""
    assert text.startswith("📰 November Digest, Part 2 — International Relations\nRead the digest")
    assert any(e.get("url") == "https://newsletter.example.org/november-2" for e in europe.entities)
    assert "\n\nEurope\n\n1. Ding Chun (丁纯) · Le Monde, 12 Nov 2025\n" in text
    assert "Ding on the EU's energy choices." in text and "🔔 Europe · Ding Chun" in text
    assert "2. A second note on Brussels." not in text  # no commentator: the summary leads
    assert "3. Ding Chun (丁纯)" in text and "Tokyo's view" not in text
    assert [b for b in europe.button_texts if b.startswith("📄")] == ["📄 1", "📄 2", "📄 3"]
    # Two matching entries, one message; grouped under the entries' region all the same.
    ding_text = ding_msg.text or ""
    assert "🔔 Ding Chun · “energy”" in ding_text and "Ding again, on trade." in ding_text
    assert "A second note" not in ding_text and "\n\nEurope\n\n1. Ding Chun" in ding_text
    assert "欧洲" in (zh.text or "") and "阅读月报" in (zh.text or "")

    assert len(rows) == 3 and {r.status for r in rows} == {"sent"}
    assert [len(bot.emulator.messages(u)) for u in (EUROPE_FAN, DING_FAN, ZH_FAN)] == [1, 1, 1]
    # A daily reader gets it in the summary, not now; nobody else follows any of it.
    assert bot.emulator.messages(DAILY_FAN) == [] and bot.emulator.messages(NOBODY) == []
