"""Monthly digests: one entry per commentary paragraph, nothing dropped silently."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bot.ingest.digest import parse_digest, parse_digest_header
from bot.ingest.model import ParseError
from tests.ingest.support import fixture

TODAY = date(2027, 3, 1)


@pytest.fixture
def digest():
    return parse_digest(fixture("digest_january.txt"), today=TODAY)


def test_each_commentary_paragraph_becomes_an_entry_in_its_sections_region(digest) -> None:
    assert digest.kind == "digest"
    assert digest.title == "January Digest | Part 2 — Foreign Policy"
    assert (digest.month, digest.part, digest.subtitle) == (1, 2, "Foreign Policy")
    assert Counter(r for e in digest.entries for r in e.regions) == {
        "russia": 1,
        "japan": 1,
        "us-china": 2,
        "europe": 1,
        "africa": 1,
    }
    assert all(len(e.regions) == 1 for e in digest.entries)


def test_headings_in_any_order_and_wording_map_to_regions(digest) -> None:
    sections = {e.section: e.regions for e in digest.entries}
    assert sections["China–Japan"] == ("japan",)
    assert sections["Sino-US Relations"] == ("us-china",)
    assert sections["The EU and Europe"] == ("europe",)


def test_three_names_joined_by_comma_and_ampersand_are_three_commentators(digest) -> None:
    trio = next(e for e in digest.entries if len(e.commentators) > 1)
    assert [(c.name, c.name_zh) for c in trio.commentators] == [
        ("Han Meixi", "韩美溪"),
        ("Lu Zhenbang", "陆振邦"),
        ("Qiu Wenjie", "邱文杰"),
    ]
    # "Research Fellows, X; Professor, Y": the plural segment covers the first two.
    assert [c.affiliation for c in trio.commentators] == [
        "Research Fellows, Centre for European Ports, Xiamen Coastal University",
        "Research Fellows, Centre for European Ports, Xiamen Coastal University",
        "Professor, School of Law, Fuzhou Polytechnic",
    ]


def test_an_intro_line_with_i_and_ii_summarises_two_entries(digest) -> None:
    guo = [e for e in digest.entries if e.commentators[0].name == "Guo Haoran"]
    assert [e.summary for e in guo] == [
        "Guo Haoran on tariff truces as instruments of domestic politics.",
        "Guo Haoran on why chip controls outlast the administrations that impose them.",
    ]
    assert guo[0].text.startswith("Tariff truces are announced")  # full-width colon accepted


def test_entry_keeps_commentary_affiliation_outlet_and_date(digest) -> None:
    bai = digest.entries[0]
    assert bai.text.startswith("Arctic routes will matter less")
    assert bai.text.endswith("a common customs window.")
    # A dash inside the commentary is not the affiliation separator.
    assert "— and insurers remain wary —" in bai.text
    assert (
        bai.affiliation == "Senior Fellow, Institute of Polar Logistics, Harbin Maritime University"
    )
    assert (bai.outlet, bai.date) == ("北极观察", date(2027, 1, 9))


def test_year_is_inferred_and_a_december_piece_in_a_january_digest_is_last_year(digest) -> None:
    assert digest.year == 2027
    feng = next(e for e in digest.entries if e.commentators[0].name == "Feng Qiaoyu")
    assert feng.date == date(2026, 12, 28)
    assert any("assumed 2027" in note for note in digest.notes)


def test_year_in_the_title_or_given_wins_over_the_clock() -> None:
    text = fixture("digest_january.txt").replace("January Digest", "January 2024 Digest", 1)
    assert parse_digest(text, today=TODAY).entries[0].date == date(2024, 1, 9)
    assert parse_digest(fixture("digest_january.txt"), year=2030).entries[0].date == date(
        2030, 1, 9
    )


def test_an_issue_number_gives_no_date_but_keeps_the_outlet(digest) -> None:
    chips = [e for e in digest.entries if e.commentators[0].name == "Guo Haoran"][1]
    assert (chips.outlet, chips.date) == ("《国际经济评论》", None)


def test_part_one_fragment_and_notes_are_listed_as_skipped_with_reasons(digest) -> None:
    whys = {s.line: s.why for s in digest.skipped}
    assert "editorial note" in whys[12]
    assert "Part 1" in whys[21]
    assert "review list" in whys[24] and "review list" in whys[25]
    assert all(s.what and s.why for s in digest.skipped)


def test_every_line_is_an_entry_metadata_or_skipped(digest) -> None:
    lines = fixture("digest_january.txt").splitlines()
    entry_lines = {e.line for e in digest.entries}
    skipped_lines = {s.line for s in digest.skipped}
    metadata = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 17, 19}  # title, labels, intro, list, headings
    for n, line in enumerate(lines, start=1):
        if line.strip():
            assert n in entry_lines | skipped_lines | metadata, f"line {n} vanished: {line}"


def test_intro_line_without_a_paragraph_is_skipped_and_paragraph_without_one_gets_a_summary() -> (
    None
):
    text = fixture("digest_january.txt").replace(
        "Ruan Jiaming on the slow rise", "Someone Else on the slow rise"
    )
    parsed = parse_digest(text, today=TODAY)
    ruan = parsed.entries[-1]
    assert ruan.summary.startswith("Ruan Jiaming: Yuan settlement")
    assert any("no matching commentary" in s.why for s in parsed.skipped)


def test_a_chinese_only_name_is_romanised() -> None:
    text = "1. Japan\n周明远：日本的港口政策正在改变。 — 研究员 (海洋评论, 3 March)\n"
    entry = parse_digest(text, today=TODAY).entries[0]
    assert (entry.commentators[0].name, entry.commentators[0].name_zh) == (
        "Zhou Mingyuan",
        "周明远",
    )


def test_a_document_without_commentary_raises_a_parse_error_naming_the_section() -> None:
    with pytest.raises(ParseError) as error:
        parse_digest("March Digest | Part 1\n1. Europe\nJust some prose here.\n", today=TODAY)
    assert error.value.line == 2
    assert "no commentary paragraphs" in str(error.value)


def test_plain_prose_raises_a_parse_error_at_the_first_line() -> None:
    with pytest.raises(ParseError) as error:
        parse_digest("Hello there.\nNothing to see.", today=TODAY)
    assert error.value.line == 1


def test_digest_header_is_recognised_with_or_without_part() -> None:
    header = parse_digest_header("**May Digest — Trade and Tech**")
    assert header is not None and (header.month, header.part, header.subtitle) == (
        5,
        None,
        "Trade and Tech",
    )
    assert parse_digest_header("Our digest of opinion") is None
