from tests.site import archive
from tests.site.conftest import RunningSite


async def test_smoke(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        a = await archive.build(s)
    c = running_site.client
    for path in [
        "/",
        "/regions/japan",
        f"/commentators/{a.commentator_id}",
        "/commentators",
        f"/entries/{a.entry_ids[0]}",
        f"/items/{a.item_ids[0]}",
        f"/reports/{a.report_id}",
        f"/digests/{a.digest_id}",
        "/search?q=rare+earths",
        "/feed.atom",
        "/regions/japan/feed.atom",
        f"/commentators/{a.commentator_id}/feed.atom",
        "/search?q=region:nowhere",
    ]:
        r = await c.get(path)
        body = await r.text()
        print(path, r.status, len(body))
        assert r.status == 200, body
    r = await c.get("/search?q=rare+earths&lang=zh")
    print(await r.text())
