"""Resolving what a user typed to a region or a commentator: pure, no database."""

from __future__ import annotations

import pytest

from bot.lookup import CommentatorRecord, LookupIndex, RegionRecord, pinyin_readings

REGIONS = [
    RegionRecord(1, "us-china", "US-China", "中美", ("us", "usa", "united states", "美国")),
    RegionRecord(2, "europe", "Europe", "欧洲", ("eu", "european union", "欧盟")),
    RegionRecord(3, "japan", "Japan", "日本", ("jp",)),
    RegionRecord(4, "africa", "Africa", "非洲"),
    RegionRecord(5, "russia", "Russia", "俄罗斯", ("ru", "俄国")),
]
PEOPLE = [
    CommentatorRecord(10, "Huang Jing", "黄靖"),
    CommentatorRecord(11, "Ding Chen", "丁琛"),
    CommentatorRecord(12, "Steve Tsang", "曾锐生"),
    CommentatorRecord(13, "Shan Renping", "单仁平", ("Shan Ren-ping",)),
    CommentatorRecord(14, "Wang Jisi", "王缉思"),
    CommentatorRecord(15, "Wang Yiwei", "王义桅"),
    CommentatorRecord(16, "Lian Degui", "廉德瑰"),
    CommentatorRecord(17, "Mathieu Duchâtel", None),
]
INDEX = LookupIndex(REGIONS, PEOPLE)


@pytest.mark.parametrize(
    ("typed", "kind", "expected"),
    [
        ("japan", "region", 3),
        ("Japan", "region", 3),
        ("日本", "region", 3),
        ("JP", "region", 3),
        ("us-china", "region", 1),
        ("US China", "region", 1),
        ("美国", "region", 1),
        ("european union", "region", 2),
        ("japn", "region", 3),
        ("Rusia", "region", 5),
        ("Huang Jing", "commentator", 10),
        ("黄靖", "commentator", 10),
        ("huang jing", "commentator", 10),
        ("huangjing", "commentator", 10),
        ("Jing Huang", "commentator", 10),
        ("Huang Jin", "commentator", 10),
        ("Ding Chn", "commentator", 11),
        ("zeng rui sheng", "commentator", 12),  # 曾 read as a surname, not "ceng"
        ("shan ren ping", "commentator", 13),  # 单 read as a surname, not "dan"
        ("Shan Ren-ping", "commentator", 13),
        ("wang jisi", "commentator", 14),
        ("mathieu duchatel", "commentator", 17),  # accents optional
        ("黄晶", "commentator", 10),  # same sound, another character
        ("Degui", "commentator", 16),  # one word of the name
    ],
)
def test_resolves_names_in_every_form(typed: str, kind: str, expected: int) -> None:
    resolution = INDEX.resolve(typed)

    assert resolution.status == "found"
    assert resolution.best is not None
    assert (resolution.best.kind, resolution.best.id) == (kind, expected)


def test_a_shared_surname_is_ambiguous() -> None:
    resolution = INDEX.resolve("Wang")

    assert resolution.status == "ambiguous"
    assert {c.id for c in resolution.matches} == {14, 15}


def test_unknown_input_suggests_the_closest_and_nothing_for_noise() -> None:
    close = INDEX.resolve("Wang Jsii Wng")
    noise = INDEX.resolve("rare earth")

    assert close.status == "unknown" and close.best is not None and close.best.id == 14
    assert noise.status == "unknown" and noise.matches == ()


def test_kinds_restrict_the_search() -> None:
    assert INDEX.resolve("Huang Jing", kinds=("region",)).status == "unknown"
    assert INDEX.resolve("", kinds=("region",)).status == "unknown"


def test_pinyin_readings_include_every_heteronym_and_stay_bounded() -> None:
    assert "zeng rui sheng" in pinyin_readings("曾锐生")
    assert "ceng rui sheng" in pinyin_readings("曾锐生")
    assert pinyin_readings("Huang") == ()
    assert len(pinyin_readings("单单单单单单单单")) == 64
