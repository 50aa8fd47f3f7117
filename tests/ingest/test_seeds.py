"""The real documents in ../shared/seeds parse to what the newsletter expects.

Skipped where the seeds are absent; the seeds are read, never copied into the project.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bot.ingest.article import parse_article
from bot.ingest.daily_report import parse_report
from bot.ingest.detect import detect_kind, parse_any
from bot.ingest.digest import parse_digest
from bot.ingest.summary import split_sentences
from tests.ingest.support import seed

# The digest states no year; any day of the year after the reviewed November will do.
AFTER_NOVEMBER_2025 = [date(2025, 12, 2), date(2026, 6, 30), date(2026, 11, 23)]


@pytest.mark.parametrize("today", AFTER_NOVEMBER_2025)
def test_november_digest_has_sixteen_entries_in_five_regions(today: date) -> None:
    digest = parse_digest(seed("000"), today=today)
    assert digest.title.startswith("November Digest | Part 2")
    assert (digest.month, digest.year, digest.part) == (11, 2025, 2)
    assert len(digest.entries) == 16
    regions = Counter(r for e in digest.entries for r in e.regions)
    assert regions == {"us-china": 3, "europe": 6, "japan": 4, "africa": 2, "russia": 1}


def test_huang_jing_is_dated_4_november_2025_in_guancha() -> None:
    digest = parse_digest(seed("000"), today=date(2026, 11, 23))
    huang = digest.entries[0]
    assert [(c.name, c.name_zh) for c in huang.commentators] == [("Huang Jing", "黄靖")]
    assert (huang.date, huang.outlet) == (date(2025, 11, 4), "观察者网")
    assert huang.affiliation is not None and huang.affiliation.startswith("Director")
    assert huang.summary.startswith("Huang Jing on ")
    assert huang.regions == ("us-china",)


def test_ding_chun_has_two_entries_each_with_its_own_intro_line() -> None:
    digest = parse_digest(seed("000"), today=date(2026, 11, 23))
    ding = [e for e in digest.entries if [c.name for c in e.commentators] == ["Ding Chun"]]
    assert len(ding) == 2
    assert ding[0].summary != ding[1].summary
    assert all(e.summary.startswith("Ding Chun on ") for e in ding)
    assert [e.regions for e in ding] == [("europe",), ("europe",)]


def test_every_digest_entry_has_names_in_both_scripts_and_its_commentary() -> None:
    digest = parse_digest(seed("000"), today=date(2026, 11, 23))
    for entry in digest.entries:
        assert entry.commentators and all(c.name and c.name_zh for c in entry.commentators)
        assert entry.text and entry.summary and entry.outlet and entry.affiliation
    trio = max(digest.entries, key=lambda e: len(e.commentators))
    assert len(trio.commentators) == 3
    assert sum(1 for e in digest.entries if e.date is None) == 1  # "(journal, Issue 5)"


def test_the_part_one_fragment_is_skipped_with_reasons_not_dropped() -> None:
    text = seed("000")
    digest = parse_digest(text, today=date(2026, 11, 23))
    part_one = next(i for i, line in enumerate(text.splitlines(), 1) if "Part 1 -" in line)
    skipped = {s.line: s.why for s in digest.skipped}
    assert "Part 1" in skipped[part_one]
    later = [n for n, line in enumerate(text.splitlines(), 1) if n > part_one and line.strip()]
    assert all(n in skipped and skipped[n] for n in later)


def test_daily_report_is_dated_from_its_title_with_33_items() -> None:
    report = parse_report(seed("001"))
    assert report.date == date(2025, 8, 29)
    assert len(report.entries) == 33
    assert report.skipped == ()
    for entry in report.entries:
        assert entry.title and entry.title_zh and entry.summary and entry.text
        assert entry.url and entry.url.startswith("https://") and "utm_" not in entry.url
        assert "?" not in entry.url
        assert not entry.text.startswith(("http", "?", "utm", "rss"))
        assert entry.date == date(2025, 8, 29)


def test_every_report_item_gets_a_short_english_summary_from_its_article() -> None:
    for entry in parse_report(seed("001")).entries:
        summary = entry.summary_en
        assert summary and summary != entry.title and len(summary) <= 480
        assert 1 <= len(split_sentences(summary)) <= 3
        # The first sentence of the summary is a sentence of the article, not page furniture.
        assert split_sentences(summary)[0] in entry.text
        for furniture in ("Catch up on", "please consider", "Additional reporting", "http"):
            assert furniture not in summary


def test_the_first_paragraph_comes_clean_off_the_glued_url() -> None:
    first = parse_report(seed("001")).entries[0]
    assert first.url.endswith("/how-china-can-help-rewrite-future-indonesian-palm-oil")
    assert first.text.startswith("Indonesian President")


def test_the_indonesian_palm_oil_item_has_no_region_and_the_others_are_sensible() -> None:
    entries = parse_report(seed("001")).entries
    assert entries[0].regions == ()
    by_title = {e.title: e.regions for e in entries}
    assert "us-china" in by_title[next(t for t in by_title if t.startswith("Trump, Nvidia"))]
    assert "russia" in by_title[next(t for t in by_title if t.startswith("Russian and Chinese"))]
    assert "japan" in by_title[next(t for t in by_title if t.startswith("Japan warns"))]


def test_us_china_means_about_relations_not_a_passing_mention_of_the_us() -> None:
    by_title = {e.title or "": e.regions for e in parse_report(seed("001")).entries}

    def regions(prefix: str) -> tuple[str, ...]:
        return by_title[next(t for t in by_title if t.startswith(prefix))]

    # Talks, visas, espionage reports, a mediator between the two: relations.
    for prefix in ("In Washington, China’s top trade", "Chinese envoy warns", "Singapore can"):
        assert "us-china" in regions(prefix), prefix
    assert "us-china" in regions("US report on Chinese ‘spy threat’")
    # A Chinese company's technology or finances, a central banker on stablecoins: not.
    for prefix in ("Baidu unveils", "XtalPi’s 615%", "Former China central bank", "China races"):
        assert "us-china" not in regions(prefix), prefix
    assert sum("us-china" in r for r in by_title.values()) < len(by_title) / 2


def test_the_report_tolerates_crlf_full_width_colons_and_a_missing_overview() -> None:
    text = seed("001")
    plain = parse_report(text).to_json()
    edited = text.replace("中文标题:", "中文标题：").replace("内容摘要:", "内容摘要：")
    assert parse_report(edited.replace("\n", "\r\n")).to_json() == plain
    lines = text.splitlines()
    without_overview = "\n".join(line for line in lines if not line.startswith("以下是"))
    assert len(parse_report(without_overview).entries) == 33
    first_zh = next(line for line in lines if line.startswith("中文标题"))
    missing_zh = parse_report(text.replace(first_zh + "\n", "", 1))
    assert len(missing_zh.entries) == 33 and missing_zh.entries[0].title_zh is None


def test_news_analysis_article_loses_its_unrelated_author_bio() -> None:
    doc = parse_article(seed("002"))
    entry = doc.entries[0]
    assert "My name is" not in entry.text
    assert [s.why for s in doc.skipped] == ["author bio"]
    assert "us-china" in entry.regions


def test_think_tank_analysis_has_title_author_and_no_boilerplate() -> None:
    doc = parse_article(seed("003"))
    entry = doc.entries[0]
    assert entry.title and entry.title.startswith("Why China Needs To Integrate")
    assert [c.name for c in entry.commentators] == ["He Jun"]
    for boilerplate in ("ISSN", "Leave a Reply", "will not be published", "is an independent"):
        assert boilerplate not in entry.text
    assert not entry.text.startswith("By ")
    assert "us-china" in entry.regions


def test_social_post_title_loses_its_bold_marks() -> None:
    entry = parse_article(seed("004")).entries[0]
    assert entry.title is not None and "**" not in entry.title and "#" not in entry.title
    assert entry.title.startswith("China’s Trade Talks")
    assert "us-china" in entry.regions


@pytest.mark.parametrize("prefix", ["002", "003", "004"])
def test_article_summaries_are_one_to_three_sentences(prefix: str) -> None:
    entry = parse_article(seed(prefix)).entries[0]
    assert 1 <= len(split_sentences(entry.summary)) <= 3


@pytest.mark.parametrize(
    ("prefix", "kind", "entries"),
    [("000", "digest", 16), ("001", "report", 33), ("002", "article", 1), ("003", "article", 1)],
)
def test_each_seed_is_detected_as_its_kind(prefix: str, kind: str, entries: int) -> None:
    text = seed(prefix)
    assert detect_kind(text) == kind
    parsed = parse_any(text, today=date(2026, 11, 23))
    assert len(parsed.entries) == entries
    json_shape = parsed.to_json()
    assert set(json_shape) == {"kind", "title", "date", "entries", "skipped"}
    assert all(
        set(e)
        == {
            "title",
            "title_zh",
            "summary",
            "summary_en",
            "text",
            "url",
            "regions",
            "commentators",
            "outlet",
            "date",
        }
        for e in json_shape["entries"]
    )
