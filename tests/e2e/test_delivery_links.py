"""Links in what the bot pushes lead through the public site when it has an address: a source
link becomes a tracked link (`PUBLIC_URL/r/<token>`, a click counted, then a redirect to the
source), a monthly digest's link its page on the site. Editions, daily summaries and channel
posts alike; with click tracking off, sources are linked as they are."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.delivery import notify_published
from bot.delivery.summaries import run_due_summaries
from bot.editorial.refs import ContentRef
from bot.publishing import publish
from bot.site.links import read_token
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, ItemSpec, outbox_settled
from tests.e2e.conftest import MovableClock, RunningBot

SITE = "https://news.example.org"
ANN, DAILY, EDITOR = 8101, 8102, 8103
SOURCE = "https://press.example.com/tokyo-talks"
UTC = dt.UTC


def hrefs(html: str | None) -> list[str]:
    return re.findall(r'href="([^"]+)"', html or "")


async def publish_report(bot: RunningBot) -> tuple[int, int]:
    async with bot.session_factory() as s, s.begin():
        report = await factory.report(
            s, [ItemSpec("Tokyo hosts trade talks", regions=["japan"], url=SOURCE)]
        )
        await publish(s, report_ids=[report.id], now=bot.services.clock())
        ids = report.id, report.items[0].id
    notify_published(bot.services)
    return ids


@pytest.mark.bot(public_url=SITE, admin_ids=[EDITOR])
async def test_edition_and_channel_links_are_tracked_and_lead_to_the_source(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(ANN)
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    assert "Connected" in ((await bot.command(EDITOR, "/channel add @chinawatch")).text or "")
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])

    report_id, item_id = await publish_report(bot)
    await outbox_settled(bot.session_factory)

    [message] = bot.emulator.messages(ANN)
    [post] = bot.emulator.messages(channel.id)
    for html in (message.source_text, post.source_text):
        [link] = [h for h in hrefs(html) if h.startswith(f"{SITE}/r/")]
        assert SOURCE not in (html or "")
        tracked = read_token(bot.services.settings, link.removeprefix(f"{SITE}/r/"))
        assert tracked is not None
        assert (tracked.publication, tracked.item) == (
            ContentRef("r", report_id),
            ContentRef("i", item_id),
        )


@pytest.mark.bot(public_url=SITE, click_tracking=False)
async def test_with_click_tracking_off_sources_are_linked_as_they_are(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(ANN)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
    await publish_report(bot)
    await outbox_settled(bot.session_factory)
    [message] = bot.emulator.messages(ANN)
    assert SOURCE in hrefs(message.source_text)


@pytest.mark.bot(public_url=SITE, clock=MovableClock(dt.datetime(2025, 11, 10, 12, 0, tzinfo=UTC)))
async def test_a_daily_summary_links_an_ingested_digest_to_its_page_and_sources_tracked(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(DAILY)
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(
            s,
            DAILY,
            follows=["japan"],
            mode="daily",
            daily_time="08:00",
            next_summary_at=dt.datetime(2025, 11, 11, 8, 0, tzinfo=UTC),
            last_summary_at=dt.datetime(2025, 11, 10, 8, 0, tzinfo=UTC),
        )
        digest = await factory.digest(
            s,
            "November digest",
            "https://newsletter.example.org/november",
            [EntrySpec("Ding Chun on Tokyo", regions=["japan"], url=SOURCE)],
        )
        digest.content_hash = "ingested"  # stored from the digest's text, so it has a page
        await publish(s, digest_ids=[digest.id], now=clock())
        digest_id = digest.id
    notify_published(bot.services)
    clock.now = dt.datetime(2025, 11, 11, 8, 0, 30, tzinfo=UTC)
    assert await run_due_summaries(bot.services) == 1
    await outbox_settled(bot.session_factory)

    [summary] = bot.emulator.messages(DAILY)
    links = hrefs(summary.source_text)
    assert "https://newsletter.example.org/november" not in links
    assert SOURCE not in links
    [digest_link] = [h for h in links if h.startswith(f"{SITE}/r/d{digest_id}.")]
    tracked = read_token(bot.services.settings, digest_link.removeprefix(f"{SITE}/r/"))
    assert tracked is not None and tracked.item is None
