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
    assert count_region_mentions("Zheng wins the US Open") == {}
    assert count_region_mentions("Sea of Japan patrols") == {}


def test_chinese_keywords_and_their_exceptions() -> None:
    assert count_region_mentions("中美关系与美国大选") == {"us-china": 2}
    assert count_region_mentions("埃塞俄比亚的铁路") == {"africa": 1}
    assert count_region_mentions("俄亥俄州的工厂") == {}
    assert count_region_mentions("日本海军在日本海演习") == {"japan": 1}
    assert count_region_mentions("欧美市场") == {"us-china": 1, "europe": 1}


def test_an_item_can_have_several_regions_or_none() -> None:
    assert tag_regions(
        titles=["Tokyo and Moscow court Beijing over gas"],
        summary="日本和俄罗斯都希望与中国签署天然气协议。",
    ) == ("japan", "russia")
    assert (
        tag_regions(titles=["Palm oil prices rise"], text="Buyers include the United States.") == ()
    )


def test_a_title_that_names_a_region_still_needs_the_region_paired_with_china() -> None:
    # A storm passing Okinawa is not about Japan; Japan protesting to Beijing is.
    storm = tag_regions(
        titles=["Typhoon heads for Ningbo after lashing Okinawa"],
        summary="台风在冲绳造成停电后继续向西北移动。",
        text="The typhoon knocked out power in Okinawa on Monday.\nIt will reach Ningbo next.",
    )
    protest = tag_regions(
        titles=["Okinawa fishermen protest"],
        summary="冲绳渔民抗议中国渔船越界捕捞，日本政府向中方提出交涉。",
        text="Fishermen in Okinawa protested against Chinese trawlers on Monday.",
    )
    assert (storm, protest) == ((), ("japan",))


def test_a_company_story_that_names_the_us_in_passing_is_not_us_china() -> None:
    company = tag_regions(
        titles=["Chengdu chipmaker doubles revenue", "成都芯片企业收入翻番"],
        summary="成都一家芯片企业收入翻番。公司表示，美国出口管制反而加快了国产替代。",
        text=(
            "A Chengdu chipmaker doubled its revenue last year as Chinese phone makers bought"
            " more local parts.\nIts rivals include American firms. US export controls have"
            " helped it win customers. It plans to list in Shanghai."
        ),
    )
    relations = tag_regions(
        titles=["Chip export curbs top agenda as trade envoys meet", "中美贸易代表会晤"],
        summary="中美贸易代表会晤，美方要求中方放宽稀土出口，中方要求美国取消芯片出口管制。",
        text="Chinese and US trade envoys met in London on Monday to discuss export controls.",
    )
    assert (company, relations) == ((), ("us-china",))


def test_without_the_region_in_the_title_the_summary_and_lead_must_be_about_it() -> None:
    lead = "Brussels and Beijing agreed on Monday to hold talks on electric car tariffs."
    body = "\nThe EU said the talks would start soon. Chinese officials welcomed the EU move."
    assert tag_regions(titles=["Electric car tariff talks agreed"], text=lead + body) == ()
    assert tag_regions(
        titles=["Electric car tariff talks agreed"],
        summary="欧盟与中国同意就电动汽车关税举行谈判。欧盟贸易专员将为此访华。",
        text=lead + body,
    ) == ("europe",)


def test_regions_come_in_the_order_they_are_given() -> None:
    reordered = tuple(reversed(DEFAULT_REGIONS))
    titles = ["Japan and Russia hold talks with China"]
    assert tag_regions(titles=titles, regions=reordered) == ("russia", "japan")


def test_a_region_added_as_data_is_tagged_too() -> None:
    india = RegionSpec(slug="india", name="India", en=("India", "New Delhi"), zh=("印度",))
    titles = ["India and China resume direct flights after talks"]
    assert tag_regions(titles=titles, regions=(india,)) == ("india",)


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
