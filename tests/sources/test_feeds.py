"""Reading feeds: full text or excerpt, ids, dates, and what is not a feed."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.sources.feeds import NotAFeed, parse_feed
from tests.sources.site import NEW_DIGEST, NEW_REPORT, OLD_ARTICLE, FeedSite


def _site() -> FeedSite:
    site = FeedSite(posts=[NEW_DIGEST, NEW_REPORT, OLD_ARTICLE])
    site.url = lambda path: f"https://newsletter.example.com{path}"  # type: ignore[method-assign]
    return site


def test_rss_content_encoded_is_the_full_post_and_its_guid_and_date_are_kept() -> None:
    site = _site()
    feed = parse_feed(site.rss().encode(), "https://newsletter.example.com/rss.xml")
    assert feed.title == "China Watch Newsletter"
    first = feed.entries[0]
    assert first.title == NEW_DIGEST.title and not first.excerpt
    assert "Ma Lianhua (马莲华)" in first.body and first.body_type == "text/html"
    assert first.guid == first.link == "https://newsletter.example.com/posts/march-digest-part-1"
    assert first.published == dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
    assert feed.newest() == first
    oldest = feed.oldest_first(list(feed.entries))
    assert [e.title for e in oldest] == [OLD_ARTICLE.title, NEW_REPORT.title, NEW_DIGEST.title]


def test_an_atom_summary_is_an_excerpt_to_be_read_from_the_page() -> None:
    feed = parse_feed(_site().atom().encode(), "https://newsletter.example.com/atom.xml")
    entry = feed.entries[1]
    assert entry.excerpt and entry.guid == "tag:newsletter.example,2026:press-review-2026-03-04"
    assert entry.link == "https://newsletter.example.com/posts/press-review-2026-03-04"


def test_a_long_rss_description_without_content_is_the_full_post() -> None:
    body = "<p>" + "Japan and China keep talking about ports. " * 40 + "</p>"
    rss = (
        "<rss version='2.0'><channel><title>T</title><item><title>A post</title>"
        f"<link>https://x.example/p/1</link><description><![CDATA[{body}]]></description>"
        "</item></channel></rss>"
    )
    (entry,) = parse_feed(rss.encode(), "https://x.example/rss").entries
    assert not entry.excerpt and entry.guid == "https://x.example/p/1"


def test_a_web_page_is_not_a_feed_and_names_the_feed_it_links_to() -> None:
    page = (
        "<!doctype html><html><head><title>Blog</title>"
        "<link rel='alternate' type='application/atom+xml' href='/feed/atom'></head>"
        "<body><p>Hello</p></body></html>"
    )
    with pytest.raises(NotAFeed) as raised:
        parse_feed(page.encode(), "https://x.example/blog/")
    assert (raised.value.reason, raised.value.alternate) == ("html", "https://x.example/feed/atom")


def test_text_that_is_neither_a_feed_nor_a_page_is_refused() -> None:
    with pytest.raises(NotAFeed) as raised:
        parse_feed(b"just some words", "https://x.example/notes.txt")
    assert raised.value.reason == "invalid"
