"""Retracted content leaves the site; its permalink says it was withdrawn."""

from __future__ import annotations

import feedparser

from bot.editorial.refs import ContentRef
from bot.editorial.retraction import retract
from tests.site import archive
from tests.site.conftest import NOW, RunningSite


async def test_a_retracted_entry_disappears_and_its_permalink_says_so(
    running_site: RunningSite,
) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    client = running_site.client
    tokyo = f"/entries/{built.entry_ids[0]}"
    assert (await client.get(tokyo)).status == 200
    async with running_site.db.session_factory() as s, s.begin():
        await retract(s, ContentRef("e", built.entry_ids[0]), actor_id=1, now=NOW)

    gone = await client.get(tokyo)
    body = await gone.text()
    assert gone.status == 410
    assert "The editors withdrew this page (Commentary)" in body
    assert "Withdrawn on 6 Nov 2025." in body
    assert "Tokyo recalibrates" not in body
    for path in ("/", "/regions/japan", f"/digests/{built.digest_id}", "/search?q=tokyo"):
        assert "Tokyo recalibrates" not in await (await client.get(path)).text(), path
    feed = feedparser.parse(await (await client.get("/feed.atom")).read())
    assert all(not e.link.endswith(tokyo) for e in feed.entries)


async def test_a_retracted_report_withdraws_its_items(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
        await retract(s, ContentRef("r", built.report_id), actor_id=1, now=NOW)
    client = running_site.client
    report = await client.get(f"/reports/{built.report_id}")
    assert report.status == 410
    assert "Daily report" in await report.text()
    assert (await client.get(f"/items/{built.item_ids[0]}")).status == 410
    assert "Press review 5 November" not in await (await client.get("/")).text()
