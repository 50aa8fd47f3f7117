"""/post: reading text, links and files, and storing them as drafts to preview."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.editorial import preview
from bot.editorial.posting import (
    MAX_UPLOAD_BYTES,
    PostError,
    PostSource,
    check_upload,
    read_source,
    store,
)
from bot.editorial.refs import ContentRef
from bot.ingest.detect import Known
from bot.ingest.fetch import FetchedPage, FetchError
from bot.ingest.model import CutOff
from bot.ingest.service import load_known
from bot.render import editor as render
from storage.models import AuditLog, DailyReport, Entry, ReportItem
from tests.db_fixtures import Database
from tests.editorial import factories as f
from tests.editorial.documents import ARTICLE_003, DAILY_REPORT, DIGEST

EDITOR = 1000


async def _post(db: Database, source: PostSource, **kw: object):  # type: ignore[no-untyped-def]
    async with db.session_factory() as s:
        known = await load_known(s)
    parsed = await read_source(source, known, **kw)  # type: ignore[arg-type]
    async with db.session_factory() as s, s.begin():
        return await store(s, parsed, actor_id=EDITOR, now=f.NOW)


async def test_a_pasted_article_becomes_a_draft_entry_with_its_author(db: Database) -> None:
    posted = await _post(db, PostSource(text=ARTICLE_003))
    assert posted.ref.kind == "e" and not posted.duplicate
    async with db.session_factory() as s:
        built = await preview.build(s, posted.ref)
    assert built is not None and built.status == "draft"
    entry = built.content
    assert isinstance(entry, Entry)
    assert [c.name for c in entry.commentators] == ["He Jun"]
    assert [r.slug for r in entry.regions] == ["japan"]
    assert built.warnings == []
    # Pasted again (here with other line ends): the same draft, nothing new stored.
    again = await _post(db, PostSource(text=ARTICLE_003.replace("\n", "\r\n")))
    assert again.duplicate and again.ref == posted.ref
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(Entry.id))) == 1


async def test_an_uploaded_report_is_one_draft_with_its_items(db: Database) -> None:
    source = PostSource(data=DAILY_REPORT.encode(), filename="review-2025-09-02.md")
    posted = await _post(db, source)
    assert posted.ref.kind == "r"
    async with db.session_factory() as s:
        built = await preview.build(s, posted.ref)
    assert built is not None and built.is_list
    assert [[r.slug for r in p.regions] for p in built.pieces] == [
        ["japan"],
        ["europe"],
        ["africa"],
    ]
    assert built.warnings == []


async def test_a_link_is_fetched_and_parsed(db: Database) -> None:
    async def fetcher(url: str) -> FetchedPage:
        assert url == "https://think.example.org/analysis/tokyo-beijing"
        return FetchedPage(url, "text/plain", ARTICLE_003.encode(), "utf-8")

    posted = await _post(
        db, PostSource(text=" https://think.example.org/analysis/tokyo-beijing "), fetcher=fetcher
    )
    async with db.session_factory() as s:
        entry = await s.get(Entry, posted.ref.id)
        assert entry is not None and entry.url == "https://think.example.org/analysis/tokyo-beijing"


async def test_a_broken_link_or_a_malformed_post_stores_nothing(db: Database) -> None:
    async def fetcher(url: str) -> FetchedPage:
        raise FetchError("fetch.http_status", url=url, status=404, reason="Not Found")

    with pytest.raises(PostError) as caught:
        await _post(db, PostSource(text="https://example.org/gone"), fetcher=fetcher)
    assert caught.value.reason == "fetch_error"
    assert render.post_error("en", caught.value.reason, caught.value.values).text == (
        "I could not fetch that link: https://example.org/gone answered HTTP 404 Not Found."
        " Nothing was stored."
    )
    for text in ["   ", "英文媒体关于中国的报道汇总 2025-09-02\n摘要\n中文标题: 没有编号的标题\n"]:
        with pytest.raises(PostError) as malformed:
            await _post(db, PostSource(text=text))
        assert malformed.value.reason in ("parse_error", "parse_error_line")
    async with db.session_factory() as s:
        for model in (Entry, DailyReport, ReportItem, AuditLog):
            assert await s.scalar(select(func.count()).select_from(model)) == 0


def test_uploads_are_checked_before_download() -> None:
    check_upload("notes.MD", 10)
    check_upload("page.html", MAX_UPLOAD_BYTES)
    with pytest.raises(PostError) as wrong:
        check_upload("scan.pdf", 10)
    assert wrong.value.reason == "bad_file_type"
    with pytest.raises(PostError) as big:
        check_upload("huge.txt", MAX_UPLOAD_BYTES + 1)
    assert big.value.reason == "too_big"
    with pytest.raises(PostError):
        check_upload(None, 1)


async def test_an_oversized_download_is_refused_too() -> None:
    with pytest.raises(PostError) as caught:
        await read_source(PostSource(data=b"x" * (MAX_UPLOAD_BYTES + 1), filename="a.txt"), Known())
    assert caught.value.reason == "too_big"


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (ELF, "it holds binary data (ELF)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "it holds binary data (PNG)"),
        (b"plain words\x00\x01\x02 with NUL bytes in them", "it holds binary data."),
        (bytes(range(0x80, 0x100)) * 8, "not text in any encoding I can read"),
    ],
)
async def test_a_file_that_is_not_text_is_refused_and_stores_nothing(
    db: Database, data: bytes, why: str
) -> None:
    with pytest.raises(PostError) as caught:
        await _post(db, PostSource(data=data, filename="notes.txt"))
    assert caught.value.reason == "not_text"
    text = render.post_error("en", caught.value.reason, caught.value.values).text
    assert text.startswith("“notes.txt” is not a text document: ") and why in text
    assert text.endswith("Nothing was stored.")
    async with db.session_factory() as s:
        for model in (Entry, DailyReport, ReportItem, AuditLog):
            assert await s.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
async def test_a_chinese_report_saved_in_a_legacy_encoding_is_read(
    db: Database, encoding: str
) -> None:
    source = PostSource(data=DAILY_REPORT.encode(encoding), filename="review.txt")
    posted = await _post(db, source)
    async with db.session_factory() as s:
        report = await s.get(DailyReport, posted.ref.id)
        assert report is not None
        headlines = await s.scalars(select(ReportItem.title_zh).order_by(ReportItem.id))
        assert list(headlines)[0] == "日本与中国在东京举行稀土会谈"


async def test_a_link_whose_body_is_not_text_is_refused(db: Database) -> None:
    async def fetcher(url: str) -> FetchedPage:
        return FetchedPage(url, "text/html", ELF, None)

    with pytest.raises(PostError) as caught:
        await _post(db, PostSource(text="https://example.org/page"), fetcher=fetcher)
    text = render.post_error("zh", caught.value.reason, caught.value.values).text
    assert text.startswith("“https://example.org/page” 不是文本文档：其中是二进制数据（ELF）")


async def test_a_digest_pasted_only_in_part_is_stored_and_its_preview_says_it_looks_cut_off(
    db: Database,
) -> None:
    posted = await _post(db, PostSource(text=DIGEST[: DIGEST.index("2. Europe")]))
    assert posted.cut_off == CutOff("intro", listed=2, found=1)
    async with db.session_factory() as s:
        built = await preview.build(s, posted.ref, cut_off=posted.cut_off)
        assert built is not None and len(built.pieces) == 1
        en = render.preview("en", built).text
        zh = render.preview("zh", built).text
        # Rebuilt later (after an edit), the preview no longer has the pasted text to judge.
        again = await preview.build(s, posted.ref)
    assert f"{posted.ref}: the introduction lists 2 commentators, 1 entry found — the text" in en
    assert f"{posted.ref}：导语列出 2 位评论员，只找到 1 条评论" in zh
    assert again is not None and not any(w.code.startswith("cut_off") for w in again.warnings)


async def test_warnings_name_what_subscribers_would_miss(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        entry = await f.entry(s, regions=(), url="http://exa mple")
        report = await f.report(s, [("Headline", ())])
        report.items[0].title_zh = None
        report.items[0].summary_zh = " "
        report.items[0].summary_en = None
        await s.flush()
        entry_preview = await preview.build(s, ContentRef("e", entry.id))
        report_preview = await preview.build(s, ContentRef("r", report.id))
    assert entry_preview is not None and report_preview is not None
    e, i = f"e{entry.id}", f"i{report.items[0].id}"
    assert [(w.ref, w.code) for w in entry_preview.warnings] == [
        (e, "no_region"),
        (e, "no_commentator"),
        (e, "bad_link"),
    ]
    assert [(w.ref, w.code) for w in report_preview.warnings] == [
        (i, "no_title_zh"),
        (i, "no_summary_zh"),
        (i, "no_summary_en"),
        (i, "no_region"),
    ]
