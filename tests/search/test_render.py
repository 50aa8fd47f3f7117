"""Search results as messages: escaped, within Telegram's limits, buttons that parse back."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.i18n import catalog
from bot.render import search as render
from bot.search.query import ParsedQuery, Problem
from bot.search.service import SearchPage, SearchResult


def result(n: int = 1, **changes: object) -> SearchResult:
    values: dict[str, object] = {
        "type": "entry",
        "id": n,
        "title": f"Title {n}",
        "title_zh": f"标题{n}",
        "summary": f"Summary {n}.",
        "commentators": ({"name": "Zeng Zhiwei", "name_zh": "曾志伟"},),
        "regions": ("japan",),
        "date": dt.date(2025, 11, 3),
        "url": f"https://example.org/{n}",
    }
    values.update(changes)
    return SearchResult(**values)  # type: ignore[arg-type]


def page(
    results: list[SearchResult], total: int | None = None, offset: int = 0, **kw
) -> SearchPage:
    return SearchPage(
        ParsedQuery(), tuple(results), total if total is not None else len(results), offset, 5, **kw
    )


def test_a_page_of_results_with_a_more_button() -> None:
    rendered = render.render_page(
        page([result(n) for n in range(1, 6)], 12), "japan", "en", action_id=42
    )
    assert rendered.text.startswith("🔎 <b>japan</b> — 12 results, 1–5:")
    assert (
        "1. <b>Title 1</b>\n<i>Zeng Zhiwei (曾志伟) · Commentary · 3 Nov 2025</i>" in rendered.text
    )
    assert '<a href="https://example.org/5">Open ›</a>' in rendered.text
    assert [[b.text for b in row] for row in rendered.keyboard] == [["More ›"]]
    assert rendered.keyboard[0][0].data == "search:p:42:1"


def test_middle_and_last_pages() -> None:
    middle = render.render_page(page([result(6)], 12, offset=5), "q", "en", action_id=42)
    last = render.render_page(page([result(11)], 11, offset=10), "q", "en", action_id=42)
    assert [b.data for b in middle.keyboard[0]] == ["search:p:42:0", "search:p:42:2"]
    assert [b.data for b in last.keyboard[0]] == ["search:p:42:1"]
    assert "11–11" in last.text


def test_chinese_interface_prefers_chinese_titles() -> None:
    rendered = render.render_page(page([result()]), "稀土", "zh", action_id=None)
    assert "共 1 条结果" in rendered.text
    assert "<b>标题1</b>" in rendered.text and "2025年11月3日" in rendered.text
    assert rendered.keyboard == ()


def test_heading_is_title_else_commentators_else_the_summary() -> None:
    untitled = result(title=None, title_zh=None)
    anonymous = result(title=None, title_zh=None, commentators=())
    assert render.heading(untitled, "en") == "Zeng Zhiwei (曾志伟)"
    assert render.heading(anonymous, "en") == "Summary 1."
    block = render.result_block(anonymous, "en", 1)
    assert block.count("Summary 1.") == 1


def test_stored_and_typed_text_is_escaped() -> None:
    nasty = result(
        title="<script>alert(1)</script>",
        summary="a < b & c > d",
        commentators=({"name": "<b>Bold</b>", "name_zh": None},),
        url='https://example.org/?q="x"&y=<z>',
    )
    rendered = render.render_page(page([nasty]), "<i>query</i>", "en", action_id=None)
    assert "<script>" not in rendered.text and "&lt;script&gt;" in rendered.text
    assert "&lt;i&gt;query&lt;/i&gt;" in rendered.text
    assert 'href="https://example.org/?q=&quot;x&quot;&amp;y=&lt;z&gt;"' in rendered.text
    assert "a &lt; b &amp; c &gt; d" in rendered.text


def test_only_web_links_are_linked() -> None:
    rendered = render.render_page(
        page([result(url="javascript:alert(1)")]), "q", "en", action_id=None
    )
    assert "javascript" not in rendered.text and "Open ›" not in rendered.text


def test_huge_fields_stay_within_telegram_limits() -> None:
    big = [
        result(
            n,
            title="T" * 5000,
            summary="S" * 5000,
            commentators=({"name": "N" * 3000, "name_zh": "名" * 3000},),
        )
        for n in range(5)
    ]
    rendered = render.render_page(page(big, 900), "q" * 4000, "en", action_id=2**40)
    assert len(rendered.text) <= 4096
    assert all(len(b.data.encode()) <= 64 for row in rendered.keyboard for b in row if b.data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("search:p:42:3", (42, 3)),
        ("search:p:42:-1", None),
        ("search:p:0:1", None),
        ("search:p:42", None),
        ("search:x:42:1", None),
        ("other:p:42:1", None),
        ("search:p:4a:1", None),
        ("search:p:42:1:9", None),
        ("", None),
        (None, None),
        ("search:p:" + "9" * 70 + ":1", None),
    ],
)
def test_page_buttons_parse_back_strictly(data: str | None, expected: object) -> None:
    assert render.parse_page_callback(data) == expected


@pytest.mark.parametrize("key", ["since", "until", "type", "region", "by", "range", "terms"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_problem_has_a_hint(key: str, language: str) -> None:
    lines = render.problem_lines(
        [Problem(key, "x<y"), Problem(key, "")], language, [("japan", "日本")]
    )
    assert len(lines) == 2
    assert all(line.startswith("⚠️ ") and "<y" not in line for line in lines)


def test_no_results_says_so_with_a_hint() -> None:
    rendered = render.render_page(page([]), "qwerty", "en", action_id=None)
    assert "No results for <b>qwerty</b>" in rendered.text
    assert "Try fewer words" in rendered.text


def test_every_search_string_exists_in_both_languages() -> None:
    keys = [k for k in catalog() if k.startswith("search.")]
    assert keys and all(set(catalog()[k]) == {"en", "zh"} for k in keys)


def test_inline_article() -> None:
    article = render.inline_article(result(7), "en")
    assert article.id == "entry-7"
    assert article.title == "Title 1".replace("1", "7")
    assert article.description.startswith("Zeng Zhiwei (曾志伟) · Commentary · 3 Nov 2025")
    assert article.url == "https://example.org/7"
    nothing = render.inline_nothing("<x>", "zh")
    assert nothing.id == "none" and "&lt;x&gt;" in nothing.message
