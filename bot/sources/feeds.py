"""Reading a feed: feedparser turns RSS or Atom into entries, with the post's full text when the
feed carries it and a flag when it only carries an excerpt (the page is fetched then).

Pure functions on bytes: callers run :func:`parse_feed` in a worker thread.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin

import feedparser

from bot.ingest.detect import looks_like_html

# What a feed is served as; HTML and plain text are accepted too, so that a web page given
# instead of its feed gets a clear message rather than a content-type error.
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
ACCEPTED_TYPES = FEED_TYPES | {"text/html", "application/xhtml+xml", "text/plain"}
# A feed entry with only a summary shorter than this (as text) holds an excerpt: the
# newsletter's posts are longer.
EXCERPT_CHARS = 1000
_MORE = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading)\W*$", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


class NotAFeed(Exception):
    """The document is not RSS or Atom. `reason` is "html" (a web page; `alternate` is the feed
    it links to, if any) or "invalid" (`detail` says what feedparser found)."""

    def __init__(self, reason: str, *, alternate: str | None = None, detail: str = "") -> None:
        super().__init__(reason, alternate, detail)
        self.reason = reason
        self.alternate = alternate
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str
    link: str | None
    title: str
    body: str
    body_type: str  # "text/html" or "text/plain"
    excerpt: bool  # only a summary: the post's page holds the text
    published: dt.datetime | None

    def html_document(self) -> str:
        """The entry as a web page, so the ingest pipeline reads it as it reads a fetched post."""
        title = escape(self.title)
        return (
            f"<!doctype html><html><head><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{self.body}</article></body></html>"
        )


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    entries: tuple[FeedEntry, ...]  # in the feed's order (usually newest first)

    def newest(self) -> FeedEntry | None:
        dated = [e for e in self.entries if e.published is not None]
        if dated:
            return max(dated, key=lambda e: e.published or dt.datetime.min.replace(tzinfo=dt.UTC))
        return self.entries[0] if self.entries else None

    def oldest_first(self, entries: list[FeedEntry]) -> list[FeedEntry]:
        """`entries` in publication order; undated ones by their reversed feed position."""
        position = {e.guid: i for i, e in enumerate(self.entries)}
        floor = dt.datetime.min.replace(tzinfo=dt.UTC)
        return sorted(entries, key=lambda e: (e.published or floor, -position.get(e.guid, 0)))


def parse_feed(data: bytes, url: str) -> Feed:
    """The feed's entries; raises :class:`NotAFeed` for a web page or anything not RSS/Atom."""
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    if not parsed.get("version"):
        head = data[:20000].decode("utf-8", errors="replace")
        if looks_like_html(head):
            raise NotAFeed("html", alternate=alternate_feed(head, url))
        problem = parsed.get("bozo_exception")
        raise NotAFeed("invalid", detail=str(problem or "no RSS or Atom elements")[:200])
    entries = tuple(e for e in (_entry(raw) for raw in parsed.entries) if e is not None)
    title = (parsed.feed.get("title") or "").strip() or None
    return Feed(title, entries)


def _entry(raw: feedparser.FeedParserDict) -> FeedEntry | None:
    link = (raw.get("link") or "").strip() or None
    title = " ".join((raw.get("title") or "").split())
    contents = raw.get("content") or []
    summary = raw.get("summary") or ""
    if contents:
        best = max(contents, key=lambda c: len(c.get("value") or ""))
        body, body_type, excerpt = best.get("value") or "", best.get("type") or "", False
    else:
        detail = raw.get("summary_detail") or {}
        body, body_type = summary, detail.get("type") or "text/html"
        text = _TAGS.sub(" ", body).strip()
        excerpt = len(text) < EXCERPT_CHARS or bool(_MORE.search(text))
    if not body.strip() and not link:
        return None
    guid = (raw.get("id") or link or "").strip()
    if not guid:
        guid = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()
    return FeedEntry(
        guid=guid[:500],
        link=link,
        title=title,
        body=body,
        body_type="text/plain" if "plain" in body_type else "text/html",
        excerpt=excerpt and link is not None,
        published=_when(raw.get("published_parsed") or raw.get("updated_parsed")),
    )


def _when(value: object) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        kind = values.get("type", "").lower()
        rel = values.get("rel", "").lower().split()
        if "alternate" in rel and kind in FEED_TYPES and values.get("href"):
            self.found.append(values["href"])


def alternate_feed(html_text: str, url: str) -> str | None:
    """The feed a web page announces (<link rel="alternate" type="application/rss+xml">)."""
    finder = _AlternateLinks()
    try:
        finder.feed(html_text)
    except Exception:  # noqa: BLE001 - a broken page just has no feed link
        return None
    return urljoin(url, finder.found[0]) if finder.found else None
