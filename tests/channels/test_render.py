"""Channel posts of an edition: every piece once, in order, in posts within Telegram's limit,
split between pieces; later posts say which part they are; labels follow the content language."""

from __future__ import annotations

import datetime as dt

from bot.channels.edition import Edition, Section
from bot.channels.render import edition_posts
from storage.models import DailyReport, Digest, Entry, Region, ReportItem

JAPAN = Region(id=3, slug="japan", name_en="Japan", name_zh="日本", position=3)


def item(n: int, summary_repeat: int = 20) -> ReportItem:
    return ReportItem(
        id=100 + n,
        position=n,
        headline=f"Item {n} & co",
        title_zh=f"标题{n}",
        summary_zh=f"摘要{n}：" + "稀土出口与芯片管制的最新进展。" * summary_repeat,
        url=f"https://news.example.org/{n}",
        regions=[JAPAN],
        commentators=[],
    )


def report_edition(items: list[ReportItem]) -> Edition:
    report = DailyReport(id=7, title="Daily review", date=dt.date(2026, 12, 5))
    return Edition("report", 7, report=report, sections=(Section(None, tuple(items)),))


def test_a_long_report_is_a_few_posts_each_within_the_limit_and_no_item_is_cut() -> None:
    items = [item(n) for n in range(1, 31)]

    posts = edition_posts(report_edition(items))

    assert 3 <= len(posts) < 30
    assert all(len(p.text) <= 4096 for p in posts)
    for it in items:
        holders = [p for p in posts if f"<b>{it.headline.replace('&', '&amp;')}</b>" in p.text]
        assert len(holders) == 1
        assert it.summary_zh in holders[0].text  # whole, not clipped
    shown = [ref for p in posts for ref in p.items]
    assert shown == [["report", 7]] + [["item", it.id] for it in items]
    assert posts[0].text.startswith("🗞 <b>Daily review</b>")
    assert posts[1].text.startswith(f"<b>Daily review</b> · part 2/{len(posts)}")


def test_a_short_report_is_one_post() -> None:
    posts = edition_posts(report_edition([item(1, 1), item(2, 1)]))

    assert len(posts) == 1 and "Item 1" in posts[0].text and "Item 2" in posts[0].text


def test_a_piece_longer_than_a_post_is_shortened_to_fit_rather_than_cut() -> None:
    huge = item(1)
    huge.summary_zh = "&" * 5000  # escapes to five times its length
    posts = edition_posts(report_edition([huge, item(2, 1)]))

    assert all(len(p.text) <= 4096 for p in posts)
    assert "Item 1" in posts[0].text and posts[0].text.count("<b>") == posts[0].text.count("</b>")


def test_chinese_channels_get_chinese_labels_and_english_ones_no_chinese_summary() -> None:
    edition = report_edition([item(1, 1)])

    zh = edition_posts(edition, content_language="zh")[0].text
    en = edition_posts(edition, content_language="en")[0].text

    assert "原文" in zh and "摘要1" in zh and "Item 1" not in zh
    assert "Source" in en and "Item 1" in en and "摘要1" not in en


def test_digest_sections_repeat_their_heading_when_they_continue_in_the_next_post() -> None:
    entries = tuple(
        Entry(
            id=n,
            kind="digest",
            title=f"Entry {n}",
            summary="Long analysis of the chip trade. " * 40,
            regions=[JAPAN],
            commentators=[],
        )
        for n in range(1, 8)
    )
    digest = Digest(id=2, title="Monthly", link="https://example.org/d2", summary=None)
    edition = Edition("digest", 2, digest=digest, sections=(Section(JAPAN, entries),), grouped=True)

    posts = edition_posts(edition)

    assert len(posts) >= 2
    assert all("<b>▍Japan</b>" in p.text for p in posts)
    assert posts[0].text.count("▍Japan") == 1
