"""The public pages, fetched from the running server: what a reader sees."""

from __future__ import annotations

import re

from sqlalchemy import update

from storage.models import Entry
from tests.site import archive
from tests.site.conftest import RunningSite


async def page(site: RunningSite, path: str, status: int = 200) -> str:
    response = await site.client.get(path)
    body = await response.text()
    assert response.status == status, body
    return body


async def test_home_lists_the_latest_report_and_digest(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    home = await page(running_site, "/")
    assert f'href="/reports/{built.report_id}"' in home
    assert "Press review 5 November" in home
    assert f'href="/digests/{built.digest_id}"' in home
    assert "November digest" in home
    assert "2 entries" in home and "2 items" in home
    # Every region, named in both scripts, and the feed of everything.
    assert 'href="/regions/japan">Japan · 日本</a>' in home
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert 'href="/feed.atom"' in home
    # Readable without scripts, sized for a phone.
    assert "<script" not in home
    assert 'name="viewport" content="width=device-width' in home


async def test_region_page_lists_its_own_content_newest_first(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        await archive.build(s)
    japan = await page(running_site, "/regions/japan")
    assert "<h1>Japan · 日本</h1>" in japan
    assert "Tokyo recalibrates its China policy" in japan
    assert "Rare earth exports slow again" in japan
    assert "Brussels and Beijing" not in japan  # a Europe entry
    assert 'type="application/atom+xml" title="Atom feed" href="/regions/japan/feed.atom"' in japan
    # The report (published on the 5th) above the digest's entry (published on the 4th).
    assert japan.index("Rare earth exports") < japan.index("Tokyo recalibrates")
    await page(running_site, "/regions/atlantis", 404)


async def test_region_pages_go_back_through_the_whole_archive(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        for n in range(3):
            await archive.build(s, entry_title=f"Japan entry {n}", suffix=str(n))
        # 35 more Japan entries published in one moment: a page boundary falls among them.
        await archive.many(s, "japan", 35)
    seen: list[str] = []
    path: str | None = "/regions/japan"
    pages = 0
    while path:
        body = await page(running_site, path)
        seen += re.findall(r'href="(/(?:entries|items)/\d+)"', body)
        found = re.search(r'rel="next" href="([^"]+)"', body)
        path = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    assert pages == 2
    # 3 + 35 entries and 3 report items of Japan, each exactly once.
    assert len(seen) == len(set(seen)) == 41


async def test_commentator_page_and_list_name_both_scripts(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    people = await page(running_site, "/commentators")
    assert f'href="/commentators/{built.commentator_id}">Lian Degui (廉德瑰)</a>' in people
    lian = await page(running_site, f"/commentators/{built.commentator_id}")
    assert "<h1>Lian Degui (廉德瑰)</h1>" in lian
    assert "Tokyo recalibrates its China policy" in lian
    assert "Brussels and Beijing" not in lian
    assert f'href="/commentators/{built.commentator_id}/feed.atom"' in lian
    await page(running_site, "/commentators/999999", 404)


async def test_entry_permalink_shows_everything_about_it(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    entry = await page(running_site, f"/entries/{built.entry_ids[0]}")
    assert "Tokyo recalibrates its China policy" in entry
    assert "东京调整对华政策" in entry
    assert "Lian Degui (廉德瑰)" in entry
    assert "Guancha" in entry
    assert '<time datetime="2025-11-03">3 Nov 2025</time>' in entry
    assert "<p>Lian argues that Tokyo hedges.</p><p>A second paragraph.</p>" in entry
    assert 'href="https://source.example.com/lian"' in entry
    assert f'href="/digests/{built.digest_id}"' in entry


async def test_item_report_and_digest_permalinks_are_bilingual(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    item = await page(running_site, f"/items/{built.item_ids[0]}")
    assert "Rare earth exports slow again" in item and "稀土出口再度放缓" in item
    assert "Exports of rare earths fell for a second month." in item
    assert "稀土出口连续第二个月下降。" in item
    assert 'href="https://news.example.com/rare-earths"' in item
    report = await page(running_site, f"/reports/{built.report_id}")
    assert "Press review 5 November" in report
    assert "稀土出口连续第二个月下降。" in report and "Traffic patterns shift." in report
    digest = await page(running_site, f"/digests/{built.digest_id}")
    assert "Tokyo recalibrates its China policy" in digest and "Brussels and Beijing" in digest
    assert 'href="https://digest.example.org/2025-11"' in digest


async def test_drafts_and_unknown_ids_are_not_found(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
        await s.execute(update(Entry).where(Entry.id == built.entry_ids[1]).values(status="draft"))
    body = await page(running_site, f"/entries/{built.entry_ids[1]}", 404)
    assert "There is no page at this address." in body
    await page(running_site, "/entries/424242", 404)
    await page(running_site, "/entries/abc", 404)
    assert "Brussels and Beijing" not in await page(running_site, "/regions/europe")


async def test_search_uses_the_archive_search_with_its_filters(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    found = await page(running_site, "/search?q=rare+earths")
    assert f'href="/items/{built.item_ids[0]}"' in found
    assert "1 found" in found
    chinese = await page(running_site, "/search?q=稀土")
    assert f'href="/items/{built.item_ids[0]}"' in chinese
    filtered = await page(running_site, "/search?q=region:europe")
    assert f'href="/entries/{built.entry_ids[1]}"' in filtered
    assert f'href="/entries/{built.entry_ids[0]}"' not in filtered
    by = await page(running_site, "/search?q=by:廉德瑰")
    assert f'href="/entries/{built.entry_ids[0]}"' in by
    unknown = await page(running_site, "/search?q=region:atlantis")
    assert "atlantis" in unknown and 'class="notice"' in unknown
    nothing = await page(running_site, "/search?q=zzzqqq")
    assert "Nothing found." in nothing


async def test_pages_switch_to_chinese(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        await archive.build(s)
    home = await page(running_site, "/?lang=zh")
    assert '<html lang="zh-Hans">' in home
    assert "最新每日报道汇总" in home
    assert 'href="/regions/japan?lang=zh"' in home
