"""Region and commentator tagging on plain data."""

from __future__ import annotations

from bot.ingest.tagging import (
    DEFAULT_REGIONS,
    KnownCommentator,
    RegionSpec,
    count_region_mentions,
    regions_in_heading,
    tag_commentators,
    tag_regions,
)


def test_english_keywords_match_whole_words_with_their_case() -> None:
    assert count_region_mentions("Let us focus on USB chips on campus.") == {}
    assert count_region_mentions("The US and the U.S. and the USA") == {"us-china": 3}
    assert count_region_mentions("we polish the report; JAPAN and Japan’s") == {"japan": 2}


def test_us_dollars_and_latin_america_do_not_count_as_the_us() -> None:
    assert count_region_mentions("a US$5 billion deal in Latin America") == {}
    assert count_region_mentions("Sea of Japan patrols") == {}


def test_chinese_keywords_and_their_exceptions() -> None:
    assert count_region_mentions("中美关系与美国大选") == {"us-china": 2}
    assert count_region_mentions("埃塞俄比亚的铁路") == {"africa": 1}
    assert count_region_mentions("俄亥俄州的工厂") == {}
    assert count_region_mentions("日本海军在日本海演习") == {"japan": 1}
    assert count_region_mentions("欧美市场") == {"us-china": 1, "europe": 1}


def test_an_item_can_have_several_regions_or_none() -> None:
    assert tag_regions(titles=["Tokyo and Moscow talk gas"]) == ("japan", "russia")
    assert (
        tag_regions(titles=["Palm oil prices rise"], text="Buyers include the United States.") == ()
    )


def test_a_passing_mention_in_the_body_does_not_tag_but_a_sustained_one_does() -> None:
    once = "Lead paragraph about trade.\nThe EU was mentioned once."
    assert tag_regions(text=once) == ()
    often = "Lead about Brussels and the EU.\nEurope again. The EU again."
    assert tag_regions(text=often) == ("europe",)


def test_regions_come_in_the_order_they_are_given() -> None:
    reordered = tuple(reversed(DEFAULT_REGIONS))
    assert tag_regions(titles=["Japan and Russia"], regions=reordered) == ("russia", "japan")


def test_a_region_added_as_data_is_tagged_too() -> None:
    india = RegionSpec(slug="india", name="India", en=("India", "New Delhi"), zh=("印度",))
    assert tag_regions(titles=["India and China flights"], regions=(india,)) == ("india",)


def test_headings_name_regions_in_any_wording() -> None:
    assert regions_in_heading("US-China Relations") == ("us-china",)
    assert regions_in_heading("Sino-Japanese ties") == ("japan",)
    assert regions_in_heading("中非合作") == ("africa",)
    assert regions_in_heading("Russia & Central Asia") == ("russia",)
    assert regions_in_heading("China's Economy") == ()


def test_known_commentators_are_found_by_latin_chinese_or_alias() -> None:
    known = [
        KnownCommentator("Wang Yue", "王悦"),
        KnownCommentator("Li Na", None, aliases=("Nina Li",)),
        KnownCommentator("Zhou Bo", "周波"),
    ]
    found = tag_commentators(["王悦认为", "said Nina Li.", "Yue Wang agreed"], known)
    assert [c.name for c in found] == ["Wang Yue", "Li Na"]
    assert tag_commentators(["Wang Yueming spoke"], known) == ()
    assert tag_commentators(["anything"], []) == ()
