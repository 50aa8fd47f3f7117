"""Daily press reviews: a dated report with one entry per item, however the editor typed it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.ingest.daily_report import parse_report
from bot.ingest.model import ParseError
from bot.ingest.tagging import KnownCommentator
from tests.ingest.support import fixture

REPORT = fixture("report_2026-01-14.txt")


def test_report_is_dated_from_its_title_and_has_every_item() -> None:
    report = parse_report(REPORT)
    assert (report.kind, report.date, report.published_on) == (
        "report",
        date(2026, 1, 14),
        date(2026, 1, 15),
    )
    assert [e.title for e in report.entries] == [
        "Tokyo and Beijing spar over new port fees",
        "Palm oil exporters in Jakarta court Chinese refiners",
        "Brussels weighs steel quota as Chinese exports climb",
        "Moscow and Beijing extend grain corridor deal",
    ]
    first = report.entries[0]
    assert first.title_zh == "东京与北京就新港口费用争执"
    assert first.summary.startswith("日本交通省宣布")
    assert first.date == date(2026, 1, 14)
    assert report.intro is not None and report.intro.startswith("以下是媒体报道的主要内容")
    assert report.skipped == ()


def test_urls_lose_tracking_parameters_and_come_apart_from_the_glued_paragraph() -> None:
    entries = parse_report(REPORT).entries
    assert (
        entries[0].url == "https://news.example.com/asia/article/1001/tokyo-beijing-spar-port-fees"
    )
    assert entries[0].text.startswith("Japan’s transport ministry announced")
    assert entries[1].url.endswith("/palm-oil-exporters-jakarta-court-chinese-refiners")
    assert entries[1].text.startswith("Indonesian palm oil exporters")
    assert entries[3].text.startswith("“We will move more grain")
    assert all("utm_" not in e.url and "fbclid" not in e.url for e in entries)
    assert entries[0].outlet == "news.example.com"
    assert entries[0].text.count("\n\n") == 3  # four paragraphs


def test_crlf_line_ends_and_full_width_colons_parse_the_same() -> None:
    edited = REPORT.replace("中文标题:", "中文标题：").replace("内容摘要:", "内容摘要：")
    edited = edited.replace("\n", "\r\n")
    assert parse_report(edited).to_json() == parse_report(REPORT).to_json()


def test_an_item_without_a_chinese_title_still_parses() -> None:
    text = REPORT.replace("中文标题:雅加达棕榈油出口商争取中国炼油厂\n", "")
    report = parse_report(text)
    assert len(report.entries) == 4
    assert report.entries[1].title_zh is None
    assert report.entries[1].summary.startswith("印尼棕榈油出口商")
    assert any("no Chinese title" in note for note in report.notes)


def test_a_report_without_its_overview_paragraph_still_parses() -> None:
    lines = [line for line in REPORT.splitlines() if not line.startswith("以下是")]
    report = parse_report("\n".join(lines))
    assert report.intro is None
    assert len(report.entries) == 4


def test_an_item_about_indonesian_palm_oil_has_no_region() -> None:
    regions = [e.regions for e in parse_report(REPORT).entries]
    assert regions == [("japan",), (), ("europe",), ("russia",)]


def test_a_known_commentator_named_in_an_item_is_tagged_in_either_script() -> None:
    known = (KnownCommentator("Han Meixi", "韩美溪"), KnownCommentator("Guo Haoran", "郭浩然"))
    entries = parse_report(REPORT, commentators=known).entries
    assert [c.name for c in entries[2].commentators] == ["Han Meixi"]
    chinese_only = REPORT.replace("Han Meixi, a researcher", "A researcher")
    assert [
        c.name_zh for c in parse_report(chinese_only, commentators=known).entries[2].commentators
    ] == ["韩美溪"]
    assert all(not e.commentators for i, e in enumerate(entries) if i != 2)


def test_a_headline_listed_without_item_or_article_is_skipped_with_a_reason() -> None:
    text = REPORT.replace(
        "- Moscow and Beijing extend grain corridor deal\n",
        "- Moscow and Beijing extend grain corridor deal\n- A story nobody wrote up\n",
    )
    report = parse_report(text)
    assert [s.why for s in report.skipped] == ["listed headline with no numbered item or article"]


def test_an_item_whose_article_headline_was_retyped_still_gets_its_text() -> None:
    text = REPORT.replace(
        "Brussels weighs steel quota as Chinese exports climb\nhttps",
        "Brussels weighs a steel quota as Chinese exports climb\nhttps",
    )
    entry = parse_report(text).entries[2]
    assert entry.text.startswith("The European Commission is studying")


def test_an_article_missing_from_the_items_becomes_an_entry_with_a_note() -> None:
    extra = (
        "\nSeoul and Beijing agree ferry schedule\n"
        "https://news.example.com/asia/article/1005/ferry?utm_source=rss_feedFerries will run daily."
        "\nThe route reopens in April.\n"
    )
    report = parse_report(REPORT + extra)
    assert report.entries[-1].title == "Seoul and Beijing agree ferry schedule"
    assert report.entries[-1].summary
    assert any("not among the numbered items" in note for note in report.notes)


def test_a_report_without_items_raises_a_parse_error() -> None:
    with pytest.raises(ParseError) as error:
        parse_report("英文媒体关于中国的报道汇总 2026-01-14\n摘要\nnothing here\n")
    assert error.value.line == 2  # the “摘要” line
    assert "no numbered items" in error.value.reason
    with pytest.raises(ParseError):
        parse_report("")
