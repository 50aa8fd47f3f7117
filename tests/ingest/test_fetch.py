"""Fetching a page to ingest, against a local aiohttp server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.ingest.detect import parse_bytes
from bot.ingest.fetch import FetchError, fetch
from tests.ingest.support import fixture


async def page(_: web.Request) -> web.Response:
    return web.Response(text=fixture("article_page.html"), content_type="text/html")


async def pdf(_: web.Request) -> web.Response:
    return web.Response(body=b"%PDF-1.7", content_type="application/pdf")


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


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_get("/page", page)
    app.router.add_get("/paper.pdf", pdf)
    app.router.add_get("/huge", huge)
    app.router.add_get("/declared", declared_huge)
    app.router.add_get("/silent", silent)
    app.router.add_get("/missing", missing)
    async with TestServer(app) as test_server:
        yield test_server


async def test_a_web_page_is_fetched_and_parsed_as_an_article(server: TestServer) -> None:
    fetched = await fetch(str(server.make_url("/page")), allow_private=True)
    assert fetched.is_html and fetched.charset == "utf-8"
    doc = parse_bytes(fetched.body, content_type=fetched.content_type, url=fetched.url)
    assert doc.entries[0].title == "Grain Trains Across the Amur"


async def test_a_pdf_is_refused_by_its_content_type(server: TestServer) -> None:
    with pytest.raises(FetchError, match="application/pdf"):
        await fetch(str(server.make_url("/paper.pdf")), allow_private=True)


async def test_a_body_over_the_size_cap_is_refused_while_streaming(server: TestServer) -> None:
    with pytest.raises(FetchError, match="larger than"):
        await fetch(str(server.make_url("/huge")), allow_private=True, max_bytes=10_000)


async def test_a_declared_length_over_the_cap_is_refused_before_reading(server: TestServer) -> None:
    with pytest.raises(FetchError, match="over the"):
        await fetch(str(server.make_url("/declared")), allow_private=True, max_bytes=1000)


async def test_a_server_that_does_not_answer_times_out(server: TestServer) -> None:
    with pytest.raises(FetchError, match="did not answer within 0.2 s"):
        await fetch(str(server.make_url("/silent")), allow_private=True, time_limit=0.2)


async def test_an_http_error_is_reported_with_its_status(server: TestServer) -> None:
    with pytest.raises(FetchError, match="404"):
        await fetch(str(server.make_url("/missing")), allow_private=True)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.0.0.8/", "ftp://example.org/x"]
)
async def test_private_addresses_and_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError):
        await fetch(url)


async def test_an_unreachable_host_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="could not fetch"):
        await fetch("http://127.0.0.1:9/x", allow_private=True, time_limit=5)
