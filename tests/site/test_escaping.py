"""Stored text is shown as text: a hostile title cannot inject markup into pages or feeds."""

from __future__ import annotations

import feedparser

from tests.site import archive
from tests.site.conftest import RunningSite

# Markup, quotes, and a control character XML forbids.
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"\x0b'


async def test_hostile_titles_are_escaped_in_pages_and_feeds(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s, entry_title=HOSTILE)
    client = running_site.client
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    for path in ("/", "/regions/japan", f"/entries/{built.entry_ids[0]}", "/search?q=alert"):
        body = await (await client.get(path)).text()
        assert "<script" not in body and "<img" not in body, path
        assert escaped in body, path
    search = await (await client.get('/search?q="><script>alert(2)</script>')).text()
    assert "<script" not in search
    assert 'value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in search
    feed = feedparser.parse(await (await client.get("/feed.atom")).read())
    titles = [e.title for e in feed.entries]
    assert not feed.bozo
    assert f"{HOSTILE.removesuffix(chr(11))} / 东京调整对华政策" in titles
