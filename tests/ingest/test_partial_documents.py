"""Editors paste what they have: a cut-off document is read as far as it goes and says so."""

from __future__ import annotations

from datetime import date

import pytest

from bot.ingest.daily_report import parse_report
from bot.ingest.detect import detect_kind, parse_any
from bot.ingest.digest import parse_digest
from bot.ingest.model import CutOff, ParseError
from tests.ingest.support import fixture, seed

TODAY = date(2027, 3, 1)
REPORT = fixture("report_2026-01-14.txt")
DIGEST = fixture("digest_january.txt")


def test_the_report_title_alone_identifies_a_daily_report_and_its_date() -> None:
    title = "英文媒体关于中国的报道汇总 2026-01-14"
    assert detect_kind(title) == "report"
    assert detect_kind(title + "\nJanuary 15, 2026 14 min 2950 words\n以下是主要内容") == "report"
    with pytest.raises(ParseError) as nothing_yet:
        parse_any(title + "\n以下是媒体报道的主要内容: 1. 港口费用")
    assert "daily report of 2026-01-14" in nothing_yet.value.reason


def test_whole_documents_do_not_look_cut_off() -> None:
    assert parse_report(REPORT).cut_off is None
    assert parse_digest(DIGEST, today=TODAY).cut_off is None


def test_a_digest_cut_after_its_first_entry_says_how_many_the_intro_lists() -> None:
    cut = DIGEST.index("2. China–Japan")
    first_only = parse_digest(DIGEST[:cut], today=TODAY)
    assert len(first_only.entries) == 1
    assert first_only.cut_off == CutOff("intro", listed=7, found=1)
    assert "the introduction lists 7 commentators, 1 entry found" in first_only.notes[-1]


def test_a_digest_cut_mid_sentence_keeps_the_entries_read_so_far() -> None:
    cut = DIGEST.index("fight about fish") + 5
    parsed = parse_digest(DIGEST[:cut], today=TODAY)
    assert [c.name for e in parsed.entries for c in e.commentators] == [
        "Bai Yutong",
        "Feng Qiaoyu",
    ]
    assert parsed.cut_off == CutOff("intro", listed=7, found=2)


def test_a_report_cut_among_its_items_counts_the_headline_list() -> None:
    cut = REPORT.index("3. Brussels weighs")
    parsed = parse_report(REPORT[:cut])
    assert [e.section for e in parsed.entries] == ["1", "2"]
    assert parsed.cut_off == CutOff("headlines", listed=4, found=2)


def test_a_report_cut_in_an_article_names_the_item_and_the_items_left_without_one() -> None:
    cut = REPORT.index("shipments to the EU rose") + 10
    parsed = parse_report(REPORT[:cut])
    assert len(parsed.entries) == 4
    assert parsed.cut_off == CutOff("articles", item="3", missing=1)
    last = parse_report(REPORT[: REPORT.index("simplifies inspections") + 5])
    assert last.cut_off == CutOff("item", item="4")


def test_a_report_without_its_summary_heading_still_reads_its_items() -> None:
    parsed = parse_report(REPORT.replace("\n摘要\n", "\n"))
    assert [e.title_zh for e in parsed.entries][:2] == [
        "东京与北京就新港口费用争执",
        "雅加达棕榈油出口商争取中国炼油厂",
    ]
    assert parsed.cut_off is None


def test_a_byline_at_the_end_is_not_mistaken_for_a_cut() -> None:
    assert parse_report(REPORT + "\nAdditional reporting by Wen Qiao\n").cut_off is None


@pytest.mark.parametrize("share", [0.1, 0.35, 0.6, 0.95])
def test_the_seed_report_cut_anywhere_after_its_items_begin_looks_cut_off(share: float) -> None:
    text = seed("001")
    parsed = parse_report(text[: int(len(text) * share)])
    assert parsed.entries and parsed.cut_off is not None
    assert parse_report(text).cut_off is None


def test_the_seed_digest_cut_after_its_first_entry_looks_cut_off() -> None:
    text = seed("000")
    cut = text.index("\n", text.index("1. US-China Relations") + 30)
    parsed = parse_digest(text[:cut], today=TODAY)
    assert parsed.cut_off is not None and parsed.cut_off.found == 1
    assert parsed.cut_off.listed >= 15
    assert parse_digest(text, today=TODAY).cut_off is None
