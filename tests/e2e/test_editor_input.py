"""What editors send that the bot must not take: files that are not text, links into the bot's
own network. And what it must take: Chinese text saved as GBK, intranet pages it is told to
trust. Links point at a local aiohttp server on 127.0.0.1; nothing leaves the machine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.ingest import detect
from storage.models import DailyReport, Digest, Entry, ReportItem
from tests.e2e.conftest import RunningBot
from tests.editorial.documents import DAILY_REPORT
from tests.loop_probe import OffLoopProbe

EDITOR = 8001
READER = 8201
# The start of a program binary (an ELF header) and then bytes of machine code.
PROGRAM = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + bytes(range(256)) * 64
PARAGRAPH = (
    "<p>Port officials in Yokohama and Shanghai met again this week to compare notes on "
    "container fees, customs paperwork and the schedules of the ferries that link them.</p>"
)


class Site:
    def __init__(self, server: TestServer) -> None:
        self.server = server

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server.port}{path}"


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async def article(_: web.Request) -> web.Response:
        return web.Response(text=_page(paragraphs=12), content_type="text/html")

    async def long_read(_: web.Request) -> web.Response:
        return web.Response(text=_page(paragraphs=3000), content_type="text/html")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def loop(_: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    app = web.Application()
    app.router.add_get("/article", article)
    app.router.add_get("/long-read", long_read)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop", loop)
    async with TestServer(app, host="127.0.0.1") as server:
        yield Site(server)


def _page(paragraphs: int) -> str:
    return (
        "<!doctype html><html><head><title>Harbour Fees Between Japan and China</title>"
        '<meta name="author" content="Ono Haruka"></head><body><article>'
        "<h1>Harbour Fees Between Japan and China</h1>"
        + PARAGRAPH * paragraphs
        + "</article></body></html>"
    )


async def _nothing_stored(running_bot: RunningBot) -> None:
    async with running_bot.session_factory() as session:
        for model in (Entry, DailyReport, ReportItem, Digest):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_program_renamed_notes_txt_is_refused_and_no_draft_is_stored(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    running_bot.emulator.send_document(EDITOR, PROGRAM, "notes.txt")
    refused = await running_bot.emulator.wait_for_message(EDITOR, "is not a text document")
    assert refused.text == (
        "“notes.txt” is not a text document: it holds binary data (ELF). Send a .txt, .md or"
        " .html file saved as text. Nothing was stored."
    )
    await _nothing_stored(running_bot)


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_chinese_editor_sees_the_refusal_in_chinese(running_bot: RunningBot) -> None:
    running_bot.user(EDITOR, "编辑", language_code="zh-hans")
    running_bot.emulator.send_document(EDITOR, bytes(range(0x80, 0x100)) * 16, "简报.md")
    refused = await running_bot.emulator.wait_for_message(EDITOR, "不是文本文档")
    assert (refused.text or "").startswith("“简报.md” 不是文本文档：无法以任何可识别的编码")
    await _nothing_stored(running_bot)


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_report_saved_as_gbk_is_read_as_chinese(running_bot: RunningBot) -> None:
    running_bot.user(EDITOR, "Editor")
    running_bot.emulator.send_document(EDITOR, DAILY_REPORT.encode("gbk"), "汇总.txt")
    preview = await running_bot.emulator.wait_for_message(EDITOR, "Daily report r")
    assert "(draft)" in (preview.text or "")
    async with running_bot.session_factory() as session:
        titles = (await session.scalars(select(ReportItem.title_zh))).all()
    assert "日本与中国在东京举行稀土会谈" in titles


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_localhost_link_is_refused(running_bot: RunningBot, site: Site) -> None:
    running_bot.user(EDITOR, "Editor")
    reply = await running_bot.command(EDITOR, f"/post {site.url('/article', 'localhost')}")
    assert reply.text == (
        "I could not fetch that link: localhost is this machine (localhost); private and local"
        " addresses are not fetched unless listed in FETCH_ALLOW_HOSTS. Nothing was stored."
    )
    await _nothing_stored(running_bot)


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"])
async def test_an_allowed_host_is_fetched_but_its_redirects_inward_are_not(
    running_bot: RunningBot, site: Site
) -> None:
    running_bot.user(EDITOR, "Editor")
    for target, why in [
        (site.url("/article", "localhost"), "localhost is this machine"),
        (site.url("/article", "[::1]"), "::1 is this machine (::1)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ]:
        reply = await running_bot.command(EDITOR, f"/post {site.url('/redirect?to=' + target)}")
        assert (reply.text or "").startswith(
            f"I could not fetch that link: after a redirect, {why}"
        )
    looping = await running_bot.command(EDITOR, f"/post {site.url('/loop')}")
    assert looping.text == (
        f"I could not fetch that link: {site.url('/loop')} redirects in a loop. Nothing was stored."
    )
    await _nothing_stored(running_bot)

    # The allowed server itself (127.0.0.1, in FETCH_ALLOW_HOSTS) is fetched.
    preview = await running_bot.command(EDITOR, f"/post {site.url('/article')}")
    assert "Preview of e" in (preview.text or "")
    assert "Harbour Fees Between Japan and China" in (preview.text or "")


@pytest.mark.bot(admin_ids=[EDITOR], fetch_allow_hosts=["127.0.0.1"])
async def test_the_bot_answers_others_while_a_long_page_is_parsed(
    running_bot: RunningBot, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    running_bot.user(EDITOR, "Editor")
    running_bot.user(READER, "Reader")
    probe = OffLoopProbe(detect.extract_html)  # trafilatura's extraction of the page
    monkeypatch.setattr(detect, "extract_html", probe)

    running_bot.emulator.send_message(EDITOR, f"/post {site.url('/long-read')}")
    await probe.started()
    # The long page is being parsed now; a reader's command is answered meanwhile.
    help_reply = await running_bot.command(READER, "/help")
    assert "/subscribe" in (help_reply.text or "")
    probe.loop_answered()

    preview = await running_bot.emulator.wait_for_message(EDITOR, "Preview of e", timeout=30)
    assert "Harbour Fees Between Japan and China" in (preview.text or "")
    assert probe.answered_during_call == [True]
