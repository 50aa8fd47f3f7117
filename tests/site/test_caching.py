"""Conditional GET: unchanged pages and feeds answer 304; a change is served in full."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import ReportItem
from tests.site import archive
from tests.site.conftest import RunningSite


async def test_etag_and_last_modified_answer_304_until_the_page_changes(
    running_site: RunningSite,
) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    client = running_site.client
    for path in ("/", f"/items/{built.item_ids[0]}", "/feed.atom"):
        first = await client.get(path)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert first.status == 200
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status == 304 and await again.read() == b""
        since = await client.get(path, headers={"If-Modified-Since": modified})
        assert since.status == 304
        other = await client.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status == 200

    # An edit leaves no timestamp on a report item: the ETag still changes.
    path = f"/items/{built.item_ids[0]}"
    before = await client.get(path)
    async with running_site.db.session_factory() as s, s.begin():
        await s.execute(
            update(ReportItem)
            .where(ReportItem.id == built.item_ids[0])
            .values(summary_en="Corrected summary.")
        )
    changed = await client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert changed.status == 200
    assert "Corrected summary." in await changed.text()
    assert changed.headers["ETag"] != before.headers["ETag"]
    # Even within the same second (this site's clock stands still), the changed page is dated
    # later than the copy the client holds.
    stale = await client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert stale.status == 200
    assert "Corrected summary." in await stale.text()
