"""Editor messages stay within Telegram's limits, escape what users typed, and their buttons
parse back (forged ones do not)."""

from __future__ import annotations

import datetime as dt

from bot.editorial.audit_view import AuditPage
from bot.editorial.preview import Preview, warnings_for
from bot.editorial.refs import ContentRef
from bot.render import MAX_CALLBACK_BYTES, MAX_MESSAGE_CHARS
from bot.render import editor as render
from storage.models import AuditLog, Commentator, DailyReport, Entry, Region, ReportItem

JAPAN = Region(id=3, slug="japan", name_en="Japan", name_zh="日本", aliases=[], position=2)


def _report(n: int) -> Preview:
    report = DailyReport(id=7, title="Press review <2025-09-02>", status="draft")
    items = [
        ReportItem(
            id=100 + i,
            position=i,
            headline=f"Headline number {i} with <tags> & ampersands " + "x" * 150,
            title_zh=None,
            summary_zh="摘要" * 400,
            url="not a link" if i % 2 else f"https://news.example.com/{i}",
            status="draft",
            regions=[JAPAN] if i % 3 else [],
            commentators=[],
        )
        for i in range(60)
    ]
    report.items = items
    built = Preview(ContentRef("r", 7), report, list(items))
    for item in items:
        built.warnings += warnings_for(item)
    return built


def test_a_long_report_preview_fits_pages_and_escapes() -> None:
    built = _report(60)
    seen_items = set()
    for page in range(5):
        rendered = render.preview("en", built, page=page)
        assert len(rendered.text) <= MAX_MESSAGE_CHARS
        assert "<tags>" not in rendered.text and "&lt;tags&gt; &amp; ampersands" in rendered.text
        seen_items |= {i for i in range(100, 160) if f"<b>i{i}</b>" in rendered.text}
        for row in rendered.keyboard:
            for button in row:
                assert button.data is None or len(button.data.encode()) <= MAX_CALLBACK_BYTES
    assert seen_items == set(range(100, 160))
    first = render.preview("en", built, page=0)
    assert "Subscribers would miss" in first.text
    assert "no Chinese title" in first.text and "the link does not parse" in first.text
    assert [b.text for b in first.keyboard[0]] == ["1/5", "▶"]


def test_a_single_entry_preview_keeps_to_the_limit_with_a_huge_summary() -> None:
    entry = Entry(
        id=12,
        kind="article",
        title="T" * 500,
        summary="Long & winding <summary> " * 400,
        status="draft",
        regions=[],
        commentators=[Commentator(id=1, name="He Jun", name_zh=None, aliases=[])],
        url="https://example.org/a",
    )
    built = Preview(ContentRef("e", 12), entry, [entry], warnings_for(entry))
    for language in ("en", "zh"):
        rendered = render.preview(language, built, notice="<b>notice</b>")
        assert len(rendered.text) <= MAX_MESSAGE_CHARS
        assert "He Jun" in rendered.text
        assert "&lt;summary&gt;" in rendered.text
    zh = render.preview("zh", built)
    assert "没有地区" in zh.text and "✅ 发布" in [b.text for b in zh.keyboard[0]]


def test_buttons_parse_back_and_forgeries_do_not() -> None:
    assert render.parse(render.cb("pub", "e12")) == ("pub", ContentRef("e", 12), [])
    assert render.parse(render.cb("rt", "i45", 3)) == ("rt", ContentRef("i", 45), [3])
    assert render.parse(render.cb("bc", 9)) == ("bc", None, [9])
    for forged in [
        "ed:pub:12",
        "ed:pub:x12",
        "ed:pub:e12:1",
        "ed:rt:e12:a",
        "ed:zz:e12",
        "s:pub:e12",
        "ed:bc:e1",
        None,
        "ed:pub:e" + "1" * 60,
    ]:
        assert render.parse(forged) is None, forged


def test_the_audit_page_is_escaped_and_bounded() -> None:
    when = dt.datetime(2025, 11, 5, 9, 0, tzinfo=dt.UTC)
    rows = [
        AuditLog(
            id=n,
            actor_id=1000,
            action="edit.summary",
            target=f"e{n}",
            details={"old": "<script>" * 200, "new": "x" * 2000},
            created_at=when,
        )
        for n in range(10)
    ]
    rendered = render.audit_page("en", AuditPage(rows, 1, 4, {1000: "@chief<>"}), "Asia/Shanghai")
    assert len(rendered.text) <= MAX_MESSAGE_CHARS
    assert "<script>" not in rendered.text
    assert "2025-11-05 17:00 · @chief&lt;&gt; (1000) · edit.summary <b>e0</b>" in rendered.text
    assert [b.data for b in rendered.keyboard[0]] == ["ed:au:0", "ed:au:1", "ed:au:2"]


def test_the_commentators_prompt_names_its_ref() -> None:
    for language in ("en", "zh"):
        he_jun = Commentator(id=1, name="He Jun", name_zh=None, aliases=[])
        prompt = render.commentators_prompt(language, ContentRef("e", 42), [he_jun])
        assert render.ref_in_prompt(prompt) == ContentRef("e", 42)
    assert render.ref_in_prompt("Commentators of e42") is None
    assert render.ref_in_prompt(None) is None


def test_every_editor_message_has_both_languages_with_the_same_placeholders() -> None:
    import string

    from bot.i18n.editor import MESSAGES

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    for key, texts in MESSAGES.items():
        assert key.startswith("editor."), key
        assert set(texts) == {"en", "zh"}, key
        assert fields(texts["en"]) == fields(texts["zh"]), key
