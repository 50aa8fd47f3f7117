"""Reading what a reader typed: terms, phrases, filters and polite problems. Pure."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.match import term_alternatives, to_fts5, to_tsquery
from bot.search.query import ParsedQuery, Problem, parse_date, parse_query

TODAY = dt.date(2025, 11, 19)  # a Wednesday


def words(query: ParsedQuery) -> list[str]:
    return [t.text for t in query.terms]


def test_filters_and_terms() -> None:
    query = parse_query(
        'region:japan by:"Ding Chun" since:2025-11-01 until:2025-11-30 type:entry rare earths'
    )
    assert query.regions == ("japan",)
    assert query.people == ("Ding Chun",)
    assert query.since == dt.date(2025, 11, 1)
    assert query.until == dt.date(2025, 11, 30)
    assert query.types == ("entry",)
    assert words(query) == ["rare earths"]
    assert query.problems == ()


def test_chinese_filters_and_full_width_punctuation() -> None:
    query = parse_query("地区：日本 作者:丁纯 类型:报道 “稀土 出口”")
    assert query.regions == ("日本",)
    assert query.people == ("丁纯",)
    assert query.types == ("item",)
    assert [(t.text, t.quoted) for t in query.terms] == [("稀土 出口", True)]


def test_quoted_phrase_is_one_term() -> None:
    query = parse_query('"grand bargain" Taiwan')
    assert [(t.text, t.quoted) for t in query.terms] == [
        ("grand bargain", True),
        ("taiwan", False),
    ]


def test_a_word_with_punctuation_stays_one_term() -> None:
    assert words(parse_query("Sino-US China's AI模型")) == ["sino us", "china s", "ai 模型"]


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2025-11-01", False, dt.date(2025, 11, 1)),
        ("2025-11", False, dt.date(2025, 11, 1)),
        ("2025-11", True, dt.date(2025, 11, 30)),
        ("2024-02", True, dt.date(2024, 2, 29)),
        ("2025", True, dt.date(2025, 12, 31)),
        ("2025/11/3", False, dt.date(2025, 11, 3)),
        ("2025年11月3日", False, dt.date(2025, 11, 3)),
        ("２０２５-１１-０３", False, dt.date(2025, 11, 3)),
        ("2025-13-01", False, None),
        ("2025-02-30", False, None),
        ("yesterday", False, None),
        ("11/03/2025", False, None),
    ],
)
def test_dates(value: str, end: bool, expected: dt.date | None) -> None:
    assert parse_date(value, end=end) == expected


def test_malformed_filters_are_problems_not_errors() -> None:
    query = parse_query("since:2025-13-01 type:podcast region: submarine")
    assert query.problems == (
        Problem("since", "2025-13-01"),
        Problem("type", "podcast"),
        Problem("region", ""),
    )
    assert query.since is None and query.types == ()
    assert words(query) == ["submarine"]


def test_reversed_dates_are_a_problem() -> None:
    query = parse_query("since:2025-12-01 until:2025-11-01")
    assert Problem("range", "2025-12-01 > 2025-11-01") in query.problems


def test_unknown_keys_are_words() -> None:
    assert words(parse_query("10:30 https://example.org")) == ["10 30", "https example org"]


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("everything on Japan this month", dt.date(2025, 11, 1), TODAY),
        ("last month", dt.date(2025, 10, 1), dt.date(2025, 10, 31)),
        ("this week", dt.date(2025, 11, 17), TODAY),
        ("today", TODAY, TODAY),
        ("日本 本月", dt.date(2025, 11, 1), TODAY),
        ("上个月的稀土新闻", dt.date(2025, 10, 1), dt.date(2025, 10, 31)),
    ],
)
def test_relative_dates(text: str, since: dt.date, until: dt.date) -> None:
    query = parse_query(text, today=TODAY)
    assert (query.since, query.until) == (since, until)


def test_relative_dates_need_a_today_and_an_explicit_date_wins() -> None:
    assert parse_query("this month").since is None
    query = parse_query("since:2025-01-01 this month", today=TODAY)
    assert (query.since, query.until) == (dt.date(2025, 1, 1), TODAY)


def test_question_words_are_dropped_when_something_else_is_asked() -> None:
    assert words(parse_query("what did Ding Chun say about rare earths")) == [
        "ding",
        "chun",
        "rare earths",  # a term of the lexicon (稀土): kept together
    ]
    assert words(parse_query("everything on Japan this month", today=TODAY)) == ["japan"]
    assert words(parse_query("the")) == ["the"]  # all it has: kept
    assert words(parse_query('"what about"')) == ["what about"]  # quoted: kept


def test_a_chinese_sentence_is_searched_by_its_words() -> None:
    assert words(parse_query("丁纯关于稀土说了什么")) == ["丁纯", "稀土"]
    # Up to four characters are one string, searched as a substring.
    assert words(parse_query("人民币结算")) != ["人民币结算"]
    assert words(parse_query("出口管制")) == ["出口管制"]


def test_a_very_long_query_keeps_its_first_terms_and_says_so() -> None:
    query = parse_query(" ".join(f"word{n}" for n in range(100)))
    assert len(query.terms) == 16
    assert Problem("terms", "16") in query.problems


def test_empty() -> None:
    assert parse_query("").is_empty
    assert parse_query("   😀  ").is_empty
    assert not parse_query("type:digest").is_empty


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_into_expressions_made_of_quoted_tokens(text: str) -> None:
    query = parse_query(text, today=TODAY)
    expression = [term_alternatives(t) for t in query.terms]
    fts5 = to_fts5(expression)
    tsquery = to_tsquery(expression)
    # Every token is quoted: outside quotes only our own operators remain.
    outside = "".join(part for n, part in enumerate(fts5.split('"')) if n % 2 == 0)
    assert set(outside) <= set(" ()+*ANDOR")
    outside_ts = "".join(part for n, part in enumerate(tsquery.split("'")) if n % 2 == 0)
    assert set(outside_ts) <= set(" ()&|<->:*")
