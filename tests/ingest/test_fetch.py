"""Fetching a link, against a local aiohttp server on 127.0.0.1 (no outside network).

The server is loopback, so it is reachable only when its host is allowed: as "127.0.0.1"
itself, or as a name (`intranet.test`) that an injected resolver maps to 127.0.0.1. A name the
resolver maps to a private address stands for a public-looking name that DNS points inward.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.i18n import catalog
from bot.ingest.decoding import NotText
from bot.ingest.detect import parse_bytes
from bot.ingest.fetch import (
    FEED_TYPES,
    FetchClient,
    FetchError,
    FetchPolicy,
    FetchRefused,
    address_refusal,
    fetch,
    fetch_document,
)
from tests.ingest.support import fixture

LOCAL = frozenset({"127.0.0.1"})
INTRANET = "intranet.test"


class StaticResolver(AbstractResolver):
    """DNS for tests: names to addresses; a name it does not know does not exist."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(socket.EAI_NONAME, f"{host} not found")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.table[host]
        ]

    async def close(self) -> None:
        pass


class Site:
    """The local server, counting the requests that reached it."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.hits: list[str] = []

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    hits: list[str] = []

    @web.middleware
    async def count(request: web.Request, handler: web.Handler) -> web.StreamResponse:
        hits.append(request.path_qs)
        return await handler(request)

    async def page(_: web.Request) -> web.Response:
        return web.Response(text=fixture("article_page.html"), content_type="text/html")

    async def pdf(_: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7", content_type="application/pdf")

    async def png_as_html(_: web.Request) -> web.Response:
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
        return web.Response(body=png, content_type="text/html")

    async def gbk_text(_: web.Request) -> web.Response:
        body = "日本与中国在东京举行稀土会谈，双方同意继续沟通。".encode("gbk")
        return web.Response(body=body, headers={"Content-Type": "text/plain; charset=GBK"})

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        for _chunk in range(40):
            await response.write(b"x" * 1024)
        return response

    async def declared_huge(_: web.Request) -> web.Response:
        return web.Response(body=b"y" * 5000, content_type="text/plain")

    async def silent(_: web.Request) -> web.Response:
        await asyncio.Event().wait()  # never answers: the client's time limit ends the wait
        return web.Response(text="late")

    async def missing(_: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def loop_a(_: web.Request) -> web.Response:
        raise web.HTTPFound("/loop-b")

    async def loop_b(_: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/loop-a")

    async def chain(request: web.Request) -> web.Response:
        left = int(request.match_info["left"])
        raise web.HTTPFound(f"/chain/{left - 1}" if left else "/page")

    async def feed(_: web.Request) -> web.Response:
        rss = '<?xml version="1.0"?><rss><channel><title>Harbour notes</title></channel></rss>'
        return web.Response(text=rss, content_type="application/rss+xml")

    async def no_location(_: web.Request) -> web.Response:
        return web.Response(status=302)

    app = web.Application(middlewares=[count])
    app.router.add_get("/page", page)
    app.router.add_get("/paper.pdf", pdf)
    app.router.add_get("/picture", png_as_html)
    app.router.add_get("/gbk", gbk_text)
    app.router.add_get("/huge", huge)
    app.router.add_get("/declared", declared_huge)
    app.router.add_get("/silent", silent)
    app.router.add_get("/missing", missing)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop-a", loop_a)
    app.router.add_get("/loop-b", loop_b)
    app.router.add_get("/chain/{left}", chain)
    app.router.add_get("/no-location", no_location)
    app.router.add_get("/feed.xml", feed)
    async with TestServer(app, host="127.0.0.1") as server:
        found = Site(server)
        found.hits = hits
        yield found


def intranet() -> StaticResolver:
    return StaticResolver({INTRANET: ["127.0.0.1"]})


# --- what is fetched -------------------------------------------------------------------------


async def test_a_web_page_is_fetched_and_parsed_as_an_article(site: Site) -> None:
    fetched = await fetch(site.url("/page"), allow_hosts=LOCAL)
    assert fetched.is_html and fetched.charset == "utf-8"
    doc = parse_bytes(fetched.body, content_type=fetched.content_type, url=fetched.url)
    assert doc.entries[0].title == "Grain Trains Across the Amur"


async def test_a_page_declared_gbk_is_read_as_chinese(site: Site) -> None:
    fetched = await fetch(site.url("/gbk"), allow_hosts=LOCAL)
    assert fetched.text() == "日本与中国在东京举行稀土会谈，双方同意继续沟通。"


async def test_a_page_whose_body_is_not_text_is_refused_when_read(site: Site) -> None:
    fetched = await fetch(site.url("/picture"), allow_hosts=LOCAL)
    with pytest.raises(NotText, match=r"binary data \(PNG\)"):
        fetched.text()
    with pytest.raises(NotText):
        parse_bytes(fetched.body, content_type=fetched.content_type, url=fetched.url)


async def test_a_pdf_is_refused_by_its_content_type(site: Site) -> None:
    with pytest.raises(FetchError, match="application/pdf"):
        await fetch(site.url("/paper.pdf"), allow_hosts=LOCAL)


async def test_a_body_over_the_size_cap_is_refused_while_streaming(site: Site) -> None:
    with pytest.raises(FetchError, match="is larger than the 10000 bytes limit"):
        await fetch(site.url("/huge"), allow_hosts=LOCAL, max_bytes=10_000)


async def test_a_declared_length_over_the_cap_is_refused_before_reading(site: Site) -> None:
    with pytest.raises(FetchError, match="is 5000 bytes, over the 1000 bytes limit"):
        await fetch(site.url("/declared"), allow_hosts=LOCAL, max_bytes=1000)


async def test_a_server_that_does_not_answer_times_out(site: Site) -> None:
    with pytest.raises(FetchError, match="did not answer within 0.2 s"):
        await fetch(site.url("/silent"), allow_hosts=LOCAL, time_limit=0.2)


async def test_an_http_error_is_reported_with_its_status(site: Site) -> None:
    with pytest.raises(FetchError, match="answered HTTP 404 Not Found"):
        await fetch(site.url("/missing"), allow_hosts=LOCAL)


async def test_an_unreachable_host_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="could not connect to 127.0.0.1"):
        await fetch("http://127.0.0.1:9/x", allow_hosts=LOCAL, time_limit=5)


async def test_an_unknown_host_is_named() -> None:
    with pytest.raises(FetchError, match="there is no host called nowhere.test"):
        await fetch("http://nowhere.test/x", resolver=StaticResolver({}))


async def test_a_feed_source_fetches_feeds_through_one_guarded_client(site: Site) -> None:
    async with FetchClient(FetchPolicy(allow_hosts=LOCAL)) as client:
        feed = await client.get(site.url("/feed.xml"), accept=FEED_TYPES)
        assert "<title>Harbour notes</title>" in feed.text()
        with pytest.raises(FetchError, match="application/rss\\+xml, not a web page"):
            await client.get(site.url("/feed.xml"))  # not a document /post could ingest
        with pytest.raises(FetchRefused, match="10.0.0.8 is on a private network"):
            await client.get("http://10.0.0.8/feed.xml", accept=FEED_TYPES)


# --- redirects -------------------------------------------------------------------------------


async def test_redirects_are_followed_to_the_page(site: Site) -> None:
    fetched = await fetch(site.url("/chain/3"), allow_hosts=LOCAL)
    assert fetched.url == site.url("/page")
    assert site.hits == ["/chain/3", "/chain/2", "/chain/1", "/chain/0", "/page"]


async def test_a_redirect_loop_is_named_as_one(site: Site) -> None:
    with pytest.raises(FetchError, match="redirects in a loop") as caught:
        await fetch(site.url("/loop-a"), allow_hosts=LOCAL)
    assert caught.value.key == "fetch.redirect_loop"
    assert site.hits == ["/loop-a", "/loop-b"]


async def test_too_many_redirects_stop_at_the_cap(site: Site) -> None:
    with pytest.raises(FetchError, match="redirects more than 5 times"):
        await fetch(site.url("/chain/9"), allow_hosts=LOCAL)
    assert len(site.hits) == 6


async def test_a_redirect_without_a_location_is_a_clear_error(site: Site) -> None:
    with pytest.raises(FetchError, match="redirects without a valid destination"):
        await fetch(site.url("/no-location"), allow_hosts=LOCAL)


# --- link safety -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://localhost/x", "localhost is this machine"),
        ("http://LOCALHOST.:8080/x", "is this machine"),
        ("http://api.localhost/x", "api.localhost is this machine"),
        ("http://127.0.0.1:8080/x", "127.0.0.1 is this machine"),
        ("http://[::1]:8080/x", "::1 is this machine"),
        ("http://[::ffff:127.0.0.1]/x", "::ffff:7f00:1 is this machine"),
        ("http://10.0.0.8/", "10.0.0.8 is on a private network"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://0.0.0.0:8080/", "0.0.0.0 is the unspecified address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("ftp://example.org/x", "is not an http or https link"),
        ("file:///etc/passwd", "is not an http or https link"),
        ("http://example.org:22/", "example.org port 22 is not a web port"),
    ],
)
async def test_local_addresses_other_schemes_and_ports_are_refused(url: str, why: str) -> None:
    resolver = StaticResolver({})
    with pytest.raises(FetchRefused, match=why):
        await fetch(url, resolver=resolver)
    assert resolver.asked == []  # refused before any lookup or connection


async def test_a_name_resolving_to_a_private_address_is_refused_at_connect(site: Site) -> None:
    # What DNS rebinding does: an innocent name, an inward address. The check runs on the
    # addresses the connection uses, so nothing reaches the server.
    resolver = StaticResolver(
        {"news.example.com": ["127.0.0.1"], "mixed.example.com": ["93.184.216.34", "10.1.1.1"]}
    )
    with pytest.raises(FetchRefused, match="news.example.com is this machine"):
        await fetch(site.url("/page", "news.example.com"), resolver=resolver)
    with pytest.raises(FetchRefused, match=r"mixed.example.com is on a private network \(10"):
        await fetch(site.url("/page", "mixed.example.com"), resolver=resolver)
    assert site.hits == []


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://127.0.0.1:{port}/page", "127.0.0.1 is this machine"),
        ("http://localhost:{port}/page", "localhost is this machine"),
        ("http://[::1]:{port}/page", "::1 is this machine"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://metadata.test/latest/", "metadata.test is a link-local address"),
        ("file:///etc/passwd", "file:///etc/passwd is not an http or https link"),
    ],
)
async def test_a_redirect_to_a_local_address_is_refused(site: Site, target: str, why: str) -> None:
    # intranet.test is allowed (FETCH_ALLOW_HOSTS); where it redirects to is checked again.
    resolver = StaticResolver({INTRANET: ["127.0.0.1"], "metadata.test": ["169.254.169.254"]})
    link = site.url(f"/redirect?to={target.format(port=site.port)}", INTRANET)
    with pytest.raises(FetchRefused, match=f"after a redirect, {why}"):
        await fetch(link, allow_hosts={INTRANET}, resolver=resolver)
    assert len(site.hits) == 1  # the redirect itself, and nothing after it


async def test_the_local_server_is_fetched_when_its_host_is_allowed(site: Site) -> None:
    refused = Settings(fetch_allow_hosts="")
    allowed = Settings(fetch_allow_hosts=f"wiki.corp, {INTRANET.upper()}")
    assert allowed.fetch_allow_hosts == ["wiki.corp", INTRANET]
    with pytest.raises(FetchRefused, match="intranet.test is this machine"):
        await fetch_document(site.url("/page", INTRANET), refused, resolver=intranet())
    page = await fetch_document(site.url("/page", INTRANET), allowed, resolver=intranet())
    assert page.is_html and site.hits == ["/page"]
    local = Settings(fetch_allow_hosts="127.0.0.1")
    assert (await fetch_document(site.url("/page"), local)).url == site.url("/page")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link_local"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "not_public"),  # carrier-grade NAT
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link_local"),
        ("fd00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link_local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link_local"),  # NAT64 around 169.254.169.254
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:93.184.216.34", None),
    ],
)
def test_which_addresses_are_refused(address: str, kind: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == kind


def test_refusals_read_in_chinese_too() -> None:
    error = FetchRefused(
        "fetch.refused.loopback", host="localhost", address="127.0.0.1", redirected=True
    )
    assert error.text("zh") == (
        "重定向后，localhost 指向本机（127.0.0.1）；除非列入 FETCH_ALLOW_HOSTS，否则不会抓取私有和本地地址"
    )
    assert str(error).startswith("after a redirect, localhost is this machine (127.0.0.1)")


def test_every_fetch_and_input_message_has_english_and_chinese() -> None:
    keys = [k for k in catalog() if k.startswith(("fetch.", "input.", "editor.post.not_text"))]
    assert len(keys) > 20 and all(set(catalog()[k]) == {"en", "zh"} for k in keys)
