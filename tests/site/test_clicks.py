"""Tracked links: a click is counted (publication, item, time) and the reader lands on the
source; only links the bot issued lead anywhere."""

from __future__ import annotations

from sqlalchemy import select
from yarl import URL

from bot.config import Settings
from bot.editorial.refs import ContentRef
from bot.editorial.retraction import retract
from bot.editorial.stats import publication
from bot.site import digest_url, publication_of, tracked_url
from storage.models import DailyReport, Digest, Entry, LinkClick, ReportItem
from tests.site import archive
from tests.site.conftest import NOW, PUBLIC_URL, RunningSite

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def settings(**values: object) -> Settings:
    return Settings(telegram_bot_token="123:site-test", _env_file=None, **values)  # type: ignore[call-arg]


async def follow(site: RunningSite, url: str, **headers: str):  # type: ignore[no-untyped-def]
    path = URL(url).path
    headers.setdefault("User-Agent", BROWSER)
    return await site.client.get(path, allow_redirects=False, headers=headers)


async def clicks(site: RunningSite) -> list[tuple[str, int, str | None, int | None]]:
    async with site.db.session_factory() as s:
        rows = await s.execute(
            select(
                LinkClick.publication_kind,
                LinkClick.publication_id,
                LinkClick.item_kind,
                LinkClick.item_id,
            ).order_by(LinkClick.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_links_are_tracked_only_with_a_public_address_and_tracking_on() -> None:
    source = "https://news.example.com/a"
    report, item = ContentRef("r", 7), ContentRef("i", 45)
    assert tracked_url(settings(), report, item, source) == source
    off = settings(public_url=PUBLIC_URL, click_tracking=False)
    assert tracked_url(off, report, item, source) == source
    on = settings(public_url=PUBLIC_URL)
    link = tracked_url(on, report, item, source)
    assert link is not None and link.startswith(f"{PUBLIC_URL}/r/r7i45.")
    assert tracked_url(on, report, item, source) == link  # stable
    assert tracked_url(on, report, ContentRef("i", 46), source) != link
    assert tracked_url(on, report, item, None) is None
    assert tracked_url(on, report, item, "tg://resolve") == "tg://resolve"


def test_content_goes_out_in_its_publication() -> None:
    assert publication_of(ReportItem(id=45, report_id=7)) == ContentRef("r", 7)
    assert publication_of(Entry(id=12, digest_id=3)) == ContentRef("d", 3)
    assert publication_of(Entry(id=12, digest_id=None)) == ContentRef("e", 12)
    assert publication_of(DailyReport(id=7)) == ContentRef("r", 7)
    assert publication_of(Digest(id=3)) == ContentRef("d", 3)


async def test_a_click_is_counted_and_redirects_to_the_source(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    config = running_site.services.settings
    report, rare = ContentRef("r", built.report_id), ContentRef("i", built.item_ids[0])
    link = tracked_url(config, report, rare, "https://news.example.com/rare-earths")
    assert link is not None and link.startswith(PUBLIC_URL + "/r/")

    landed = await follow(running_site, link)
    assert landed.status == 302
    assert landed.headers["Location"] == "https://news.example.com/rare-earths"
    await follow(running_site, link)
    shipping = tracked_url(config, report, ContentRef("i", built.item_ids[1]), "https://x.org")
    assert shipping is not None
    await follow(running_site, shipping)
    assert await clicks(running_site) == [
        ("r", built.report_id, "i", built.item_ids[0]),
        ("r", built.report_id, "i", built.item_ids[0]),
        ("r", built.report_id, "i", built.item_ids[1]),
    ]
    async with running_site.db.session_factory() as s:
        numbers = await publication(s, report)
    assert numbers is not None and numbers.clicks == 3
    assert [(c.ref, c.title, c.clicks) for c in numbers.top] == [
        (rare, "Rare earth exports slow again", 2),
        (ContentRef("i", built.item_ids[1]), "Shipping lanes in the South China Sea", 1),
    ]


async def test_previews_and_head_requests_are_not_counted(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    link = tracked_url(
        running_site.services.settings,
        ContentRef("d", built.digest_id),
        ContentRef("e", built.entry_ids[0]),
        "https://source.example.com/lian",
    )
    assert link is not None
    preview = await follow(running_site, link, **{"User-Agent": "TelegramBot (like TwitterBot)"})
    assert preview.status == 302
    head = await running_site.client.head(URL(link).path, allow_redirects=False)
    assert head.status == 302
    assert await clicks(running_site) == []


async def test_forged_or_altered_tokens_lead_nowhere(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
    link = tracked_url(
        running_site.services.settings,
        ContentRef("r", built.report_id),
        ContentRef("i", built.item_ids[0]),
        "https://news.example.com/rare-earths",
    )
    assert link is not None
    body, signature = URL(link).path.removeprefix("/r/").split(".")
    altered = f"/r/r{built.report_id}i{built.item_ids[1]}.{signature}"
    for path in (altered, "/r/r1i1.AAAAAAAAAAA", "/r/https://evil.example", "/r/x"):
        response = await running_site.client.get(path, allow_redirects=False)
        assert response.status == 404, path
        assert "Location" not in response.headers
    # A token signed with another secret is refused too.
    other = settings(public_url=PUBLIC_URL, click_secret="another")
    foreign = tracked_url(
        other, ContentRef("r", built.report_id), ContentRef("i", built.item_ids[0]), "https://a.b"
    )
    assert foreign is not None
    assert (await follow(running_site, foreign)).status == 404
    assert await clicks(running_site) == []


async def test_a_withdrawn_item_link_leads_to_its_notice(running_site: RunningSite) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
        await retract(s, ContentRef("i", built.item_ids[0]), actor_id=1, now=NOW)
    link = tracked_url(
        running_site.services.settings,
        ContentRef("r", built.report_id),
        ContentRef("i", built.item_ids[0]),
        "https://news.example.com/rare-earths",
    )
    assert link is not None
    landed = await follow(running_site, link)
    assert landed.headers["Location"] == f"{PUBLIC_URL}/items/{built.item_ids[0]}"


async def test_digest_links_lead_to_the_digest_page_once_it_was_ingested(
    running_site: RunningSite,
) -> None:
    async with running_site.db.session_factory() as s, s.begin():
        built = await archive.build(s)
        registered = Digest(title="Registered only", link="https://digest.example.org/reg")
        s.add(registered)
        await s.flush()
        ingested = await s.get(Digest, built.digest_id)
        assert ingested is not None
        assert digest_url(ingested, PUBLIC_URL) == f"{PUBLIC_URL}/digests/{built.digest_id}"
        assert digest_url(ingested, None) == "https://digest.example.org/2025-11"
        assert digest_url(registered, PUBLIC_URL) == "https://digest.example.org/reg"
    # The digest message's own link, tracked, lands on the page.
    link = tracked_url(
        running_site.services.settings,
        ContentRef("d", built.digest_id),
        None,
        digest_url(ingested, PUBLIC_URL),
    )
    assert link is not None
    landed = await follow(running_site, link)
    assert landed.headers["Location"] == f"{PUBLIC_URL}/digests/{built.digest_id}"
    assert await clicks(running_site) == [("d", built.digest_id, None, None)]
