"""Editors follow the site's feeds: /source add records what is there and offers the newest
post; a new post arrives as a preview whose Publish reaches the right followers; /source list,
pause, resume and remove; non-editors change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.sources.runtime import running_poller
from storage.models import ContentStatus, Digest, Entry, Region, Source, Subscriber, Subscription
from tests.e2e.conftest import MovableClock, RunningBot
from tests.sources.site import NEW_DIGEST, OLD_ARTICLE, OLD_DIGEST, FeedSite, running_site

EDITOR = 8001
JAPAN_FAN = 8101
RUSSIA_FAN = 8102
STRANGER = 8201
START = dt.datetime(2026, 3, 21, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with running_site(OLD_DIGEST, OLD_ARTICLE) as running:
        yield running


async def _follow(running_bot: RunningBot, user_id: int, slug: str) -> None:
    running_bot.user(user_id)
    async with running_bot.session_factory() as session, session.begin():
        region = (await session.scalars(select(Region).where(Region.slug == slug))).one()
        subscriber = Subscriber(chat_id=user_id, chat_type="private")
        subscriber.subscriptions.append(
            Subscription(kind="region", region_id=region.id, target=slug)
        )
        session.add(subscriber)


async def _sources(running_bot: RunningBot) -> list[Source]:
    async with running_bot.session_factory() as session:
        return list((await session.scalars(select(Source))).all())


def _clock(running_bot: RunningBot) -> MovableClock:
    clock = running_bot.services.clock
    assert isinstance(clock, MovableClock)
    return clock


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"], clock=MovableClock(START))
async def test_a_new_digest_on_the_site_is_previewed_and_its_publish_reaches_japan_followers(
    running_bot: RunningBot, site: FeedSite
) -> None:
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, JAPAN_FAN, "japan")
    await _follow(running_bot, RUSSIA_FAN, "russia")

    added = await running_bot.command(EDITOR, f"/source add {site.url('/rss.xml')}")
    text = added.text or ""
    assert "Following s1: China Watch Newsletter" in text
    assert "2 posts already in the feed were recorded as seen; none was sent." in text
    assert f"Newest post: {OLD_ARTICLE.title}" in text and "Read as an article." in text
    assert added.button_texts == ["📥 Import"]
    # Nothing is stored or sent for the posts that were already there.
    async with running_bot.session_factory() as session:
        assert await session.scalar(select(func.count(Entry.id))) == 0

    site.publish(NEW_DIGEST)
    _clock(running_bot).advance(seconds=600)
    poller = running_poller(running_bot.services)
    assert poller is not None  # this process owns the scheduler, so it polls
    await poller.poll_due()

    preview = await running_bot.emulator.wait_for_message(EDITOR, "New post from s1")
    async with running_bot.session_factory() as session:
        digest = (await session.scalars(select(Digest))).one()
    text = preview.text or ""
    assert f"Digest d{digest.id} (draft): {NEW_DIGEST.title}" in text
    assert "Ma Lianhua (马莲华)" in text and "— Japan" in text
    assert preview.button_texts[:2] == ["✅ Publish", "🗑 Discard"]
    assert running_bot.emulator.messages(JAPAN_FAN) == []

    await running_bot.press(EDITOR, preview, text="Publish")
    got = await running_bot.emulator.wait_for_message(JAPAN_FAN, "March Digest")
    assert any(e.get("url") == site.link(NEW_DIGEST) for e in got.entities)
    async with running_bot.session_factory() as session:
        statuses = set((await session.scalars(select(Entry.status))).all())
    assert statuses == {ContentStatus.PUBLISHED}
    await running_bot.handled()
    assert running_bot.emulator.messages(RUSSIA_FAN) == []


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"], clock=MovableClock(START))
async def test_the_newest_post_is_imported_as_a_draft_preview_from_the_add_reply(
    running_bot: RunningBot, site: FeedSite
) -> None:
    running_bot.user(EDITOR, "Editor")
    added = await running_bot.command(EDITOR, f"/source add {site.url('/rss.xml')}")
    pressed = await running_bot.press(EDITOR, added, text="Import")

    assert "Imported from s1." in pressed.text
    assert "Preview of e" in pressed.text and "(draft)" in pressed.text
    assert "Lin Qiao" in pressed.text
    assert pressed.message.button_texts[:2] == ["✅ Publish", "🗑 Discard"]
    again = await running_bot.press(EDITOR, added, text="Publish")
    assert "(published)" in again.text


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"], clock=MovableClock(START))
async def test_editors_list_pause_resume_and_remove_sources_and_others_change_nothing(
    running_bot: RunningBot, site: FeedSite
) -> None:
    running_bot.user(EDITOR, "Editor")
    running_bot.user(STRANGER, "Stranger")

    refused = await running_bot.command(STRANGER, f"/source add {site.url('/rss.xml')}")
    assert "for editors" in (refused.text or "")
    assert await _sources(running_bot) == []

    await running_bot.command(EDITOR, f"/source add {site.url('/atom.xml')} --auto --every 15m")
    listed = await running_bot.command(EDITOR, "/source list")
    text = listed.text or ""
    assert "s1 China Watch (Atom) — active, ⚡ publishes without review, every 15m" in text
    assert "Last poll: 2026-03-21 08:00 · last new post: never · last error: none" in text

    refused = await running_bot.command(STRANGER, "/source remove s1")
    assert "for editors" in (refused.text or "")
    assert len(await _sources(running_bot)) == 1

    paused = await running_bot.command(EDITOR, "/source pause s1")
    assert "s1 is paused" in (paused.text or "")
    assert "⏸ paused" in (await running_bot.command(EDITOR, "/source list")).text  # type: ignore[operator]
    resumed = await running_bot.command(EDITOR, "/source resume 1")
    assert "s1 is polled again" in (resumed.text or "")
    removed = await running_bot.command(EDITOR, "/source remove s1")
    assert "Stopped following s1" in (removed.text or "")
    assert await _sources(running_bot) == []
    missing = await running_bot.command(EDITOR, "/source remove s1")
    assert "There is no source “s1”" in (missing.text or "")


@pytest.mark.bot(admin_ids=[EDITOR], clock=MovableClock(START))
async def test_a_private_feed_address_is_refused_when_its_host_is_not_allowed(
    running_bot: RunningBot, site: FeedSite
) -> None:
    running_bot.user(EDITOR, "Editor")
    reply = await running_bot.command(EDITOR, f"/source add {site.url('/rss.xml')}")
    assert "I could not follow that source" in (reply.text or "")
    assert "FETCH_ALLOW_HOSTS" in (reply.text or "")
    assert await _sources(running_bot) == []


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"], clock=MovableClock(START))
async def test_a_web_page_instead_of_a_feed_gets_a_clear_message_naming_its_feed(
    running_bot: RunningBot, site: FeedSite
) -> None:
    running_bot.user(EDITOR, "Editor")
    reply = await running_bot.command(EDITOR, f"/source add {site.url('/')}")
    text = reply.text or ""
    assert "a web page (HTML), not an RSS or Atom feed" in text
    assert f"the page names its feed: {site.url('/rss.xml')}" in text


async def _poll_when_due(running_bot: RunningBot) -> None:
    """Move the clock to the next due poll and run it."""
    poller = running_poller(running_bot.services)
    assert poller is not None
    (source,) = await _sources(running_bot)
    assert source.next_poll_at is not None
    _clock(running_bot).now = source.next_poll_at
    await poller.poll_due()


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"], clock=MovableClock(START))
async def test_editors_hear_once_that_a_source_fails_and_once_that_it_recovered(
    running_bot: RunningBot, site: FeedSite
) -> None:
    running_bot.user(EDITOR, "Editor")
    await running_bot.command(EDITOR, f"/source add {site.url('/rss.xml')}")
    before = len(running_bot.emulator.messages(EDITOR))
    site.broken = True
    for _ in range(3):
        await _poll_when_due(running_bot)
    failing = await running_bot.emulator.wait_for_message(EDITOR, "is failing")
    assert "HTTP 500" in (failing.text or "")
    site.broken = False
    await _poll_when_due(running_bot)
    await _poll_when_due(running_bot)
    await running_bot.emulator.wait_for_message(EDITOR, "works again")

    notices = [m.text or "" for m in running_bot.emulator.messages(EDITOR)[before:]]
    assert len(notices) == 2, notices
    listed = await running_bot.command(EDITOR, "/source list")
    assert "last error: 2026-03-21" in (listed.text or "") and "HTTP 500" in (listed.text or "")


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"], clock=MovableClock(START))
async def test_a_source_added_with_auto_publishes_new_posts_to_followers_without_review(
    running_bot: RunningBot, site: FeedSite
) -> None:
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, JAPAN_FAN, "japan")
    added = await running_bot.command(EDITOR, f"/source add {site.url('/rss.xml')} --auto")
    assert "New posts will be published without review" in (added.text or "")
    site.publish(NEW_DIGEST)
    await _poll_when_due(running_bot)

    notice = await running_bot.emulator.wait_for_message(EDITOR, "without review:")
    assert "(published)" in (notice.text or "")
    assert "Publish" not in " ".join(notice.button_texts)
    await running_bot.emulator.wait_for_message(JAPAN_FAN, "March Digest")
