"""Editions at send time: rendered in the subscriber's languages of the moment, without what
was retracted since they were queued."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.delivery import outbox
from bot.delivery.fanout import fan_out
from bot.delivery.prepare import Outgoing, prepare
from bot.publishing import publish, retract_item
from storage.models import Subscriber
from tests.db_fixtures import Database
from tests.delivery import factory
from tests.delivery.factory import ItemSpec

NOW = dt.datetime(2025, 8, 29, 9, 0, tzinfo=dt.UTC)


async def test_retracted_items_are_left_out_and_a_message_left_empty_is_not_sent(
    db: Database,
) -> None:
    async with db.session_factory() as s, s.begin():
        reader = await factory.subscriber(s, 901, follows=["japan"])
        report = await factory.report(
            s,
            [
                ItemSpec("Tokyo hosts trade talks", regions=["japan"]),
                ItemSpec("Osaka chip plant opens", regions=["japan"]),
            ],
        )
        await publish(s, report_ids=[report.id], now=NOW)
        tokyo, osaka = (i.id for i in report.items)
    await fan_out(db.session_factory, NOW)

    async def rendered() -> Outgoing | str:
        async with db.session_factory() as s:
            [row] = await outbox.candidates(s, NOW, scan=10)
            return (await prepare(s, [row]))[row.id]

    both = await rendered()
    assert isinstance(both, Outgoing)
    assert "1. Tokyo hosts trade talks" in both.text and "2. Osaka chip plant opens" in both.text

    async with db.session_factory() as s, s.begin():
        await retract_item(s, tokyo, actor_id=None, now=NOW)
        # Languages are read when the message goes, not when it was queued.
        await s.execute(update(Subscriber).where(Subscriber.id == reader.id).values(language="zh"))
    one = await rendered()
    assert isinstance(one, Outgoing)
    assert "Tokyo" not in one.text and "1. Osaka chip plant opens" in one.text
    assert one.text.startswith("📰 <b>英文媒体关于中国的报道汇总</b>")
    assert [b["text"] for b in one.reply_markup["inline_keyboard"][0]] == ["📄 1"]  # type: ignore[index]

    async with db.session_factory() as s, s.begin():
        await retract_item(s, osaka, actor_id=None, now=NOW)
    assert "retracted" in str(await rendered())
