"""Messages as subscribers see them, and the local-time rules (quiet hours, summary periods)."""

from __future__ import annotations

import datetime as dt

from bot.localtime import period_of, quiet_until
from bot.render import MAX_MESSAGE_CHARS
from bot.render.content import (
    MAX_PIECE_BUTTONS,
    Shown,
    Why,
    alert_keyboard,
    edition_keyboard,
    item_block,
    item_text,
    piece_bound,
    render_digest,
    render_summary,
    split_sizes,
)
from storage.models import Digest, Region, ReportItem

UTC = dt.UTC


def japan() -> Region:
    return Region(id=3, slug="japan", name_en="Japan", name_zh="日本", position=2)


def item(**fields: object) -> ReportItem:
    values = {
        "id": 1,
        "headline": "Tokyo <weighs> curbs & costs",
        "title_zh": "东京权衡管制",
        "summary_zh": "摘要。" * 10,
        "url": "https://example.org/a?x=1&y=2",
    }
    values.update(fields)
    row = ReportItem(**values)
    row.regions = [japan()]
    row.commentators = []
    return row


def test_item_languages_and_escaping() -> None:
    why = [Why("region", 11, "Japan", target_id=3)]
    both = item_text(item(), language="en", content_language="both", why=why)
    assert both.startswith("🔔 Japan\n<b>Tokyo &lt;weighs&gt; curbs &amp; costs</b>")
    assert "东京权衡管制" in both and "摘要。" in both
    assert 'href="https://example.org/a?x=1&amp;y=2"' in both
    english = item_text(item(), language="en", content_language="en", why=why)
    assert "东京" not in english and "Tokyo" in english
    chinese = item_text(item(), language="zh", content_language="zh", why=[])
    assert "Tokyo" not in chinese and "原文" in chinese
    # No Chinese at all: a Chinese reader still gets the English headline.
    bare = item_text(item(title_zh=None, summary_zh=None), language="zh", content_language="zh")
    assert "Tokyo" in bare


def test_a_huge_summary_is_clipped_to_telegrams_limit() -> None:
    text = item_text(item(summary_zh="长" * 10_000), language="en", content_language="both")
    assert len(text) <= MAX_MESSAGE_CHARS and text.endswith("</a>")


def test_buttons_follow_what_is_not_followed_and_stop_what_brought_it() -> None:
    why = [Why("keyword", 21, "tariffs")]
    rows = alert_keyboard("en", why=why, regions=[japan()], commentators=[])
    texts = [b.text for r in rows for b in r]
    data = [b.data for r in rows for b in r]
    assert texts == ["➕ Follow Japan", "✖ Stop tariffs"]
    assert data == ["dl:fr:3", "dl:u:21"]
    followed = alert_keyboard(
        "en", why=[Why("region", 11, "Japan", target_id=3)], regions=[japan()]
    )
    assert [b.text for r in followed for b in r] == ["✖ Stop Japan"]


def test_digest_counts_read_naturally() -> None:
    digest = Digest(title="November <Digest>", link="https://example.org/d", summary=None)
    why = [
        Why("region", 1, "Europe", target_id=2, count=6),
        Why("commentator", 2, "Ding Chun", target_id=9, count=2),
        Why("region", 3, "Japan", target_id=3, count=1),
    ]
    text = render_digest(digest, language="en", why=why).text
    assert "📰 <b>November &lt;Digest&gt;</b>" in text
    assert "For you: Europe: 6 entries · Ding Chun: 2 · Japan: 1 entry" in text


def test_summaries_split_on_item_boundaries() -> None:
    lines = [f"• item {i} " + "x" * 300 for i in range(40)]
    parts = render_summary("en", "1 Sep 2025", [("Japan", lines[:20]), ("Europe", lines[20:])])
    assert len(parts) > 2 and all(len(p) <= MAX_MESSAGE_CHARS for p in parts)
    joined = "\n".join(parts)
    assert all(joined.count(f"• item {i} ") == 1 for i in range(40))
    assert parts[1].startswith("(continued, 2/")
    assert render_summary("en", "1 Sep 2025", [("Japan", lines[:1])]) == [
        "<b>Your daily summary</b> · 1 Sep 2025\n1 new for you\n\n<b>Japan</b>\n" + lines[0]
    ]


def test_quiet_hours_wrap_midnight_in_local_time() -> None:
    # 23:30 UTC is 07:30 in Shanghai: inside 22:00-08:00, which ends at 00:00 UTC.
    assert quiet_until(
        dt.datetime(2025, 8, 29, 23, 30, tzinfo=UTC), "Asia/Shanghai", "22:00", "08:00"
    ) == (dt.datetime(2025, 8, 30, 0, 0, tzinfo=UTC))
    assert (
        quiet_until(dt.datetime(2025, 8, 29, 1, 0, tzinfo=UTC), "Asia/Shanghai", "22:00", "08:00")
        is None
    )
    assert quiet_until(dt.datetime(2025, 8, 29, 13, 0, tzinfo=UTC), "UTC", "12:00", "14:00") == (
        dt.datetime(2025, 8, 29, 14, 0, tzinfo=UTC)
    )
    assert quiet_until(dt.datetime(2025, 8, 29, 13, 0, tzinfo=UTC), "UTC", "09:00", "09:00") is None


def test_quiet_hours_end_at_the_right_moment_across_a_dst_change() -> None:
    # New York, night of 1-2 November 2025: clocks go back at 02:00; 07:00 EST is 12:00 UTC.
    now = dt.datetime(2025, 11, 2, 9, 0, tzinfo=UTC)  # 04:00 EST
    assert quiet_until(now, "America/New_York", "22:00", "07:00") == dt.datetime(
        2025, 11, 2, 12, 0, tzinfo=UTC
    )


def test_a_summary_period_is_the_local_date() -> None:
    assert period_of(dt.datetime(2025, 11, 1, 0, 0, tzinfo=UTC), "Asia/Shanghai") == "2025-11-01"
    assert period_of(dt.datetime(2025, 11, 1, 3, 0, tzinfo=UTC), "America/New_York") == "2025-10-31"


def test_an_edition_item_shows_the_summaries_the_reader_asked_for() -> None:
    piece = item(summary_en="Tokyo weighs export curbs. " * 20)
    why = [Why("region", 11, "Japan", target_id=3)]
    english = item_block(piece, 1, language="en", content_language="en", why=why)
    assert english.startswith("<b>1. Tokyo &lt;weighs&gt; curbs &amp; costs</b>\n")
    assert "Tokyo weighs export curbs." in english and "摘要" not in english
    assert "东京" not in english
    assert english.endswith('🔔 Japan · <a href="https://example.org/a?x=1&amp;y=2">Source</a>')
    # One line, not the whole summary.
    assert english.count("Tokyo weighs export curbs.") < 20
    chinese = item_block(piece, 2, language="zh", content_language="zh")
    assert chinese.startswith("<b>2. 东京权衡管制</b>\n摘要。") and "Tokyo" not in chinese
    both = item_block(piece, 3, language="en", content_language="both")
    assert "Tokyo weighs export curbs." in both and "摘要。" in both
    # Without an English summary an English reader gets the headline, never the Chinese one.
    bare = item_block(item(), 1, language="en", content_language="en")
    assert "摘要" not in bare and "东京" not in bare
    bounds = piece_bound(piece, ["export curbs"])
    assert len(both) <= bounds["both"] and len(english) <= bounds["en"] < bounds["both"]


def test_an_edition_is_split_in_order_within_the_budget() -> None:
    assert split_sizes([1000, 1000, 1000, 1000, 1000], budget=3000) == [[0, 1], [2, 3], [4]]
    assert split_sizes([5000, 10], budget=4096) == [[0], [1]]
    assert split_sizes([], budget=4096) == []


def test_edition_buttons_stay_within_telegrams_limits() -> None:
    pieces = [item(id=10_000_000 + n) for n in range(40)]
    why = [Why("keyword", 999_999_999, "a" * 200)]
    rows = edition_keyboard("en", [Shown(p, why) for p in pieces], first=7)
    numbered = [b for row in rows for b in row if b.text.startswith("📄")]
    assert [b.text for b in numbered[:2]] == ["📄 7", "📄 8"]
    assert len(numbered) == MAX_PIECE_BUTTONS and all(len(row) <= 8 for row in rows)
    assert all(len((b.data or "").encode()) <= 64 for row in rows for b in row)
    assert sum(len(row) for row in rows) <= MAX_PIECE_BUTTONS + 5
