"""Atom feeds, read back with a feed parser as a feed reader would."""

from __future__ import annotations

import feedparser

from tests.site import archive
from tests.site.conftest import PUBLIC_URL, RunningSite


async def fetch(site: RunningSite, path: str) -> feedparser.FeedParserDict:
    response = await site.client.get(path)
    assert response.status == 200
    assert response.content_type == "application/atom+xml"
    parsed = feedparser.parse(await response.read())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_feed_of_everything_holds_entries_items_and_digests(
    running_site: RunningSite,
) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    feed = await fetch(running_site, "/feed.atom")
    links = [e.link for e in feed.entries]
    assert links[:2] == [f"{PUBLIC_URL}/items/{i}" for i in sorted(built.item_ids, reverse=True)]
    assert f"{PUBLIC_URL}/entries/{built.entry_ids[0]}" in links
    assert f"{PUBLIC_URL}/digests/{built.digest_id}" in links
    tokyo = next(e for e in feed.entries if e.link.endswith(f"/entries/{built.entry_ids[0]}"))
    assert tokyo.title == "Tokyo recalibrates its China policy / 东京调整对华政策"
    assert tokyo.author == "Lian Degui (廉德瑰)"
    assert [t.term for t in tokyo.tags] == ["japan"]
    assert tokyo.id == tokyo.link
    assert tokyo.published_parsed[:3] == (2025, 11, 4)
    rare = next(e for e in feed.entries if e.link.endswith(f"/items/{built.item_ids[0]}"))
    assert "稀土出口连续第二个月下降。" in rare.summary
    assert feed.feed.link == f"{PUBLIC_URL}/"


async def test_region_and_commentator_feeds_hold_only_theirs(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    europe = await fetch(running_site, "/regions/europe/feed.atom")
    assert [e.link for e in europe.entries] == [f"{PUBLIC_URL}/entries/{built.entry_ids[1]}"]
    assert "Europe · 欧洲" in europe.feed.title
    lian = await fetch(running_site, f"/commentators/{built.commentator_id}/feed.atom")
    assert [e.link for e in lian.entries] == [f"{PUBLIC_URL}/entries/{built.entry_ids[0]}"]
    assert "Lian Degui (廉德瑰)" in lian.feed.title
    assert (await running_site.client.get("/regions/atlantis/feed.atom")).status == 404
