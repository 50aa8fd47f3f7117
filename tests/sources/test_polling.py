"""Following the site's feeds: adding a source, polling it on a clock the test moves, and what
editors would hear (the poller's events), against a local site serving RSS and Atom."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.editorial import posting
from bot.editorial.posting import PostSource
from bot.editorial.refs import ContentRef
from bot.ingest.fetch import fetch
from bot.sources import service
from bot.sources.errors import SourceError
from bot.sources.poller import FAILING_AFTER, Event, SourcePoller
from storage.models import (
    ContentStatus,
    DailyReport,
    Digest,
    Entry,
    ReportItem,
    Source,
    SourcePost,
)
from tests.db_fixtures import Database
from tests.sources.site import (
    NEW_DIGEST,
    NEW_REPORT,
    OLD_ARTICLE,
    OLD_DIGEST,
    FeedSite,
    running_site,
)

START = dt.datetime(2026, 3, 21, 8, 0, tzinfo=dt.UTC)
SETTINGS = Settings(fetch_allow_hosts=["127.0.0.1"], source_poll_seconds=600)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class Told:
    """The poller's `notify`: what editors would be told, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with running_site(OLD_DIGEST, OLD_ARTICLE) as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def poller(db: Database, clock: Clock, told: Told) -> SourcePoller:
    return SourcePoller(db.session_factory, SETTINGS, clock, notify=told)


async def _add(db: Database, url: str, clock: Clock, **options: object) -> service.Added:
    return await service.add(
        db.session_factory, url, settings=SETTINGS, actor_id=1, now=clock(), **options
    )


async def _count(db: Database, column: object) -> int:
    async with db.session_factory() as session:
        return int(await session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


async def test_adding_a_feed_records_its_posts_as_seen_and_stores_nothing(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    added = await _add(db, site.url("/rss.xml"), clock)

    assert added.seen == 2
    assert added.source.title == "China Watch Newsletter"
    # The newest post is offered for import, read as the pipeline reads it, but not stored.
    assert added.newest is not None and added.newest.title == OLD_ARTICLE.title
    assert added.newest_parsed is not None and added.newest_parsed.kind == "article"
    assert added.import_id is not None
    assert await _count(db, Entry.id) == 0 and await _count(db, Digest.id) == 0
    assert await _count(db, SourcePost.id) == 2

    clock.advance(600)
    results = await poller.poll_due()
    assert [r.new for r in results] == [0]
    assert told.events == []
    assert await _count(db, Entry.id) == 0


async def test_a_new_digest_post_becomes_a_draft_digest_editors_hear_about(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/rss.xml"), clock)
    site.publish(NEW_DIGEST)

    assert await poller.poll_due() == []  # not due yet
    clock.advance(600)
    (result,) = await poller.poll_due()

    assert result.new == 1 and told.kinds() == ["new"]
    event = told.events[0]
    assert event.ref is not None and event.ref.kind == "d" and not event.published
    async with db.session_factory() as session:
        digest = await session.get(Digest, event.ref.id)
        assert digest is not None
        assert (digest.title, digest.status) == (NEW_DIGEST.title, ContentStatus.DRAFT)
        assert digest.link == site.link(NEW_DIGEST)
        entries = (await session.scalars(select(Entry).where(Entry.digest_id == digest.id))).all()
        assert len(entries) == 3 and {e.status for e in entries} == {ContentStatus.DRAFT}
        source = (await session.scalars(select(Source))).one()
        assert source.last_new_post_at == clock() and source.last_post_title == NEW_DIGEST.title
        assert source.next_poll_at == clock() + dt.timedelta(seconds=600)


async def test_an_atom_excerpt_is_read_from_its_page_and_a_report_post_becomes_a_report(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/atom.xml"), clock)
    site.publish(NEW_REPORT)
    clock.advance(600)
    await poller.poll_due()

    assert told.kinds() == ["new"]
    ref = told.events[0].ref
    assert ref is not None and ref.kind == "r"
    # The feed only had an excerpt: the post's own page was fetched.
    assert site.feed_requests(f"/posts/{NEW_REPORT.slug}")
    async with db.session_factory() as session:
        report = await session.get(DailyReport, ref.id)
        assert report is not None and report.date == dt.date(2026, 3, 4)
        items = (
            await session.scalars(select(ReportItem).where(ReportItem.report_id == report.id))
        ).all()
        assert [i.title_zh for i in items][0] == "日本港口运营商与中国航运公司签署泊位协议"
        assert len(items) == 3 and report.status == ContentStatus.DRAFT


async def test_polls_are_conditional_and_a_304_changes_nothing(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/rss.xml"), clock)
    first = site.feed_requests("/rss.xml")[-1]
    assert "If-None-Match" not in first.headers

    clock.advance(600)
    (result,) = await poller.poll_due()
    conditional = site.feed_requests("/rss.xml")[-1]
    assert conditional.headers.get("If-None-Match", "").startswith('"')
    assert "If-Modified-Since" in conditional.headers
    assert conditional.status == 304 and result.not_modified and told.events == []
    async with db.session_factory() as session:
        source = (await session.scalars(select(Source))).one()
        assert source.last_poll_at == clock() and source.last_error_code is None

    site.publish(NEW_DIGEST)  # the feed changes: its ETag too
    clock.advance(600)
    (result,) = await poller.poll_due()
    assert site.feed_requests("/rss.xml")[-1].status == 200
    assert result.new == 1


async def test_a_failing_source_is_reported_once_backs_off_and_its_recovery_once(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/rss.xml"), clock)
    site.broken = True
    waits = []
    for attempt in range(1, 5):
        async with db.session_factory() as session:
            due = (await session.scalars(select(Source.next_poll_at))).one()
        assert due is not None
        waits.append((due - clock()).total_seconds())
        clock.now = due
        (result,) = await poller.poll_due()
        assert result.error is not None and result.error.code == "fetch"
        # A blip is not news: editors hear of it from the FAILING_AFTER-th failure in a row.
        assert told.kinds() == ([] if attempt < FAILING_AFTER else ["failing"])
    assert told.kinds() == ["failing"]
    assert "500" in (told.events[0].error.detail if told.events[0].error else "")
    # Back-off: each failed poll waits twice as long as the one before.
    assert waits == [600, 600, 1200, 2400]
    async with db.session_factory() as session:
        source = (await session.scalars(select(Source))).one()
        assert source.failures == 4 and source.last_error_code == "fetch"

    site.broken = False
    clock.now = source.next_poll_at or clock.now
    await poller.poll_due()
    clock.advance(600)
    await poller.poll_due()
    assert told.kinds() == ["failing", "recovered"]


async def test_the_same_post_is_taken_in_once_even_from_two_feeds(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/rss.xml"), clock)
    await _add(db, site.url("/atom.xml"), clock)
    site.publish(NEW_DIGEST)
    clock.advance(600)
    await poller.poll_due()
    clock.advance(600)
    await poller.poll_due()

    assert told.kinds() == ["new"]
    assert await _count(db, Digest.id) == 1 and await _count(db, Entry.id) == 3


async def test_a_post_already_posted_by_hand_is_not_stored_again(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/rss.xml"), clock)
    site.publish(NEW_DIGEST)
    # An editor was quicker: /post with the post's link, before the next poll.
    posted = await posting.post(
        db.session_factory,
        PostSource(text=site.link(NEW_DIGEST)),
        actor_id=1,
        now=clock(),
        fetcher=functools.partial(fetch, allow_hosts=["127.0.0.1"]),
    )
    clock.advance(600)
    await poller.poll_due()

    assert told.events == []
    assert await _count(db, Digest.id) == 1 and await _count(db, Entry.id) == 3
    async with db.session_factory() as session:
        seen = (await session.scalars(select(SourcePost).where(SourcePost.ref.is_not(None)))).one()
    assert seen.ref == str(posted.ref)


async def test_a_post_pasted_by_hand_as_text_is_recognised_by_its_content(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/atom.xml"), clock)
    # The editor pasted the report's page (as the site serves it) before the feed listed it.
    await posting.post(
        db.session_factory,
        PostSource(data=NEW_REPORT.page().encode(), filename="r.html"),
        actor_id=1,
        now=clock(),
    )
    site.publish(NEW_REPORT)
    clock.advance(600)
    await poller.poll_due()

    assert told.events == []
    assert await _count(db, DailyReport.id) == 1 and await _count(db, ReportItem.id) == 3


async def test_a_source_that_publishes_without_review_publishes_new_posts(
    db: Database, site: FeedSite, clock: Clock, told: Told
) -> None:
    woken: list[bool] = []
    poller = SourcePoller(
        db.session_factory, SETTINGS, clock, notify=told, on_published=lambda: woken.append(True)
    )
    added = await _add(db, site.url("/rss.xml"), clock, auto_publish=True)
    assert added.source.auto_publish
    site.publish(NEW_DIGEST)
    clock.advance(600)
    await poller.poll_due()

    assert told.kinds() == ["new"] and told.events[0].published
    assert woken == [True]  # fan-out is woken at once
    async with db.session_factory() as session:
        digest = (await session.scalars(select(Digest))).one()
        entries = (await session.scalars(select(Entry))).all()
    assert digest.status == ContentStatus.PUBLISHED and digest.published_at == clock()
    assert {e.status for e in entries} == {ContentStatus.PUBLISHED}


async def test_a_paused_source_is_not_polled_until_resumed(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    added = await _add(db, site.url("/rss.xml"), clock)
    async with db.session_factory() as session, session.begin():
        await service.set_paused(session, added.source.id, True, actor_id=1, now=clock())
    site.publish(NEW_DIGEST)
    clock.advance(3600)
    before = len(site.requests)
    assert await poller.poll_due() == []
    assert len(site.requests) == before
    async with db.session_factory() as session, session.begin():
        await service.set_paused(session, added.source.id, False, actor_id=1, now=clock())
    await poller.poll_due()
    assert told.kinds() == ["new"]


async def test_a_private_address_is_refused_unless_its_host_is_allowed(
    db: Database, site: FeedSite, clock: Clock
) -> None:
    with pytest.raises(SourceError) as refused:
        await service.add(
            db.session_factory, site.url("/rss.xml"), settings=Settings(), actor_id=1, now=clock()
        )
    assert refused.value.code == "fetch" and "FETCH_ALLOW_HOSTS" in refused.value.detail
    assert await _count(db, Source.id) == 0

    allowed = Settings(fetch_allow_hosts="127.0.0.1")  # type: ignore[arg-type]
    added = await service.add(
        db.session_factory, site.url("/rss.xml"), settings=allowed, actor_id=1, now=clock()
    )
    assert added.seen == 2


async def test_a_web_page_given_instead_of_a_feed_gets_a_clear_message(
    db: Database, site: FeedSite, clock: Clock
) -> None:
    with pytest.raises(SourceError) as refused:
        await _add(db, site.url("/"), clock)
    assert refused.value.code == "html_feed"
    assert refused.value.detail == site.url("/rss.xml")
    assert await _count(db, Source.id) == 0


async def test_a_feed_followed_twice_is_refused(db: Database, site: FeedSite, clock: Clock) -> None:
    added = await _add(db, site.url("/rss.xml"), clock)
    with pytest.raises(SourceError) as refused:
        await _add(db, site.url("/rss.xml"), clock)
    assert (refused.value.code, refused.value.detail) == ("exists", f"s{added.source.id}")


def test_intervals_and_ids_are_read_as_editors_write_them() -> None:
    assert [service.parse_every(x) for x in ("900", "15m", "2h", "1d", "10", "x")] == [
        900,
        900,
        7200,
        86400,
        None,
        None,
    ]
    assert [service.parse_source_id(x) for x in ("s3", "3", "#s12", "e3")] == [3, 3, 12, None]
    assert ContentRef.parse("d3") == ContentRef("d", 3)


async def test_the_running_poller_polls_a_due_source_by_itself(
    db: Database, site: FeedSite, clock: Clock, poller: SourcePoller, told: Told
) -> None:
    await _add(db, site.url("/rss.xml"), clock)
    site.publish(NEW_DIGEST)
    clock.advance(600)
    task = asyncio.create_task(poller.run())
    try:
        async with asyncio.timeout(10):
            while not told.events:  # noqa: ASYNC110 - awaiting the poller's notice
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert told.kinds() == ["new"]
