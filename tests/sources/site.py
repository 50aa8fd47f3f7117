"""The newsletter's site for source tests: posts (our fixtures in the newsletter's formats), an
RSS feed with the full text, an Atom feed with excerpts only, each post's page, and a home page
that names its feed. A local aiohttp server; it records every request and answers conditional
requests with 304."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    fixture: str
    published: dt.datetime

    @property
    def body(self) -> str:
        return (FIXTURES / self.fixture).read_text(encoding="utf-8")

    def page(self) -> str:
        title = escape(self.title)
        return (
            f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{self.body}</article>"
            "</body></html>"
        )


def _at(day: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, 9, 0, tzinfo=dt.UTC)


OLD_DIGEST = Post(
    "february-digest-part-1",
    "February Digest | Part 1 — Energy and Fisheries",
    "digest_february.html",
    _at(1),
)
OLD_ARTICLE = Post(
    "japan-hedges-on-chinese-ports",
    "Japan Hedges Its Bets On Chinese Ports – Analysis",
    "article_ports.html",
    _at(2),
)
NEW_DIGEST = Post(
    "march-digest-part-1", "March Digest | Part 1 — Trade and Ports", "digest_march.html", _at(20)
)
NEW_REPORT = Post(
    "press-review-2026-03-04",
    "英文媒体关于中国的报道汇总 2026-03-04",
    "report_2026-03-04.html",
    _at(5),
)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class FeedSite:
    posts: list[Post] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    broken: bool = False  # every feed request answers 500
    server: TestServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    def link(self, post: Post) -> str:
        return self.url(f"/posts/{post.slug}")

    def publish(self, post: Post) -> None:
        self.posts.insert(0, post)

    def feed_requests(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    # --- feeds ------------------------------------------------------------------------

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>{self.link(p)}</link>"
            f"<guid isPermaLink='true'>{self.link(p)}</guid>"
            f"<pubDate>{format_datetime(p.published)}</pubDate>"
            f"<description>{escape(p.body[:160])}…</description>"
            f"<content:encoded><![CDATA[{p.body}]]></content:encoded></item>"
            for p in self.posts
        )
        return (
            "<?xml version='1.0' encoding='UTF-8'?>"
            "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
            f"<channel><title>China Watch Newsletter</title><link>{self.url('/')}</link>"
            f"<description>Digests and daily reviews</description>{items}</channel></rss>"
        )

    def atom(self) -> str:
        entries = "".join(
            f"<entry><title>{escape(p.title)}</title><link href='{self.link(p)}'/>"
            f"<id>tag:newsletter.example,2026:{p.slug}</id>"
            f"<updated>{p.published.isoformat()}</updated>"
            f"<summary>{escape(p.title)}: the full post is on our site…</summary></entry>"
            for p in self.posts
        )
        updated = max((p.published for p in self.posts), default=_at(1)).isoformat()
        return (
            "<?xml version='1.0' encoding='utf-8'?>"
            "<feed xmlns='http://www.w3.org/2005/Atom'><title>China Watch (Atom)</title>"
            f"<id>tag:newsletter.example,2026:feed</id><updated>{updated}</updated>{entries}</feed>"
        )

    async def _feed(self, request: web.Request, body: str, content_type: str) -> web.Response:
        if self.broken:
            return self._seen(request, web.Response(status=500, text="database is down"))
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        newest = max((p.published for p in self.posts), default=_at(1))
        modified = format_datetime(newest, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified}
        if request.headers.get("If-None-Match") == etag:
            return self._seen(request, web.Response(status=304, headers=headers))
        return self._seen(
            request, web.Response(text=body, content_type=content_type, headers=headers)
        )

    def _seen(self, request: web.Request, response: web.Response) -> web.Response:
        self.requests.append(Seen(request.path, dict(request.headers), response.status))
        return response

    async def _rss(self, request: web.Request) -> web.Response:
        return await self._feed(request, self.rss(), "application/rss+xml")

    async def _atom(self, request: web.Request) -> web.Response:
        return await self._feed(request, self.atom(), "application/atom+xml")

    async def _post(self, request: web.Request) -> web.Response:
        for post in self.posts:
            if post.slug == request.match_info["slug"]:
                return self._seen(request, web.Response(text=post.page(), content_type="text/html"))
        return self._seen(request, web.Response(status=404))

    async def _home(self, request: web.Request) -> web.Response:
        html = (
            "<!doctype html><html><head><title>China Watch</title>"
            "<link rel='alternate' type='application/rss+xml' href='/rss.xml'></head>"
            "<body><h1>China Watch</h1><p>Digests and daily reviews.</p></body></html>"
        )
        return self._seen(request, web.Response(text=html, content_type="text/html"))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/rss.xml", self._rss)
        app.router.add_get("/atom.xml", self._atom)
        app.router.add_get("/posts/{slug}", self._post)
        app.router.add_get("/", self._home)
        return app


@asynccontextmanager
async def running_site(*posts: Post) -> AsyncIterator[FeedSite]:
    site = FeedSite(posts=sorted(posts, key=lambda p: p.published, reverse=True))
    async with TestServer(site.app(), host="127.0.0.1") as server:
        site.server = server
        yield site
