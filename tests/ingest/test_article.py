"""Single articles and posts: title, author, clean body, summary and regions."""

from __future__ import annotations

from datetime import date

import pytest

from bot.ingest.article import parse_article, parse_html, strip_markdown
from bot.ingest.model import ParseError
from bot.ingest.summary import split_sentences
from tests.ingest.support import fixture


def test_think_tank_analysis_loses_issn_byline_bio_publisher_and_comment_form() -> None:
    doc = parse_article(fixture("think_tank_analysis.txt"))
    entry = doc.entries[0]
    assert doc.kind == "article"
    assert entry.title == doc.title == "Why Port Cities Decide Trade Quarrels – Analysis"
    assert entry.text.startswith("Port cities on both sides")
    assert entry.text.endswith("on the quayside.")
    for boilerplate in ("ISSN", "By Lin", "Harbourview", "Leave a Reply", "email address", "*Dr."):
        assert boilerplate not in entry.text
    assert "Final assessment:" in entry.text  # a closing section is content, not boilerplate
    assert [s.why for s in doc.skipped] == [
        "journal ISSN line",
        "byline",
        "author note (footnote to the byline)",
        "publisher blurb",
        "comment form or comment thread",
        "comment form or comment thread",
    ]


def test_the_byline_author_becomes_the_commentator_with_the_bio_as_affiliation() -> None:
    (author,) = parse_article(fixture("think_tank_analysis.txt")).entries[0].commentators
    assert (author.name, author.name_zh) == ("Lin Qiaosheng", None)
    assert author.affiliation == (
        "Dr. Lin Qiaosheng is a senior researcher at the Coastal Economy Forum."
    )


def test_a_social_post_title_loses_its_markdown_and_its_hashtag_counts_for_regions() -> None:
    doc = parse_article(fixture("social_post.txt"))
    entry = doc.entries[0]
    assert entry.title == "Steel, Quotas and the Long Game in Brussels"
    assert "**" not in entry.text and "#EUChinaSteel" not in entry.text
    assert entry.regions == ("europe",)
    assert entry.commentators == ()


def test_a_news_article_without_a_title_drops_its_bio_footer() -> None:
    doc = parse_article(fixture("news_with_bio.txt"))
    entry = doc.entries[0]
    assert entry.title is None
    assert doc.title.startswith("Chinese shipbuilders, facing a slump")
    assert "My name is" not in entry.text
    assert entry.text.endswith("made some customers hesitate.")
    assert [s.why for s in doc.skipped] == ["author bio"]


@pytest.mark.parametrize(
    "name", ["think_tank_analysis.txt", "social_post.txt", "news_with_bio.txt"]
)
def test_the_summary_is_one_to_three_sentences_taken_from_the_text(name: str) -> None:
    entry = parse_article(fixture(name)).entries[0]
    sentences = split_sentences(entry.summary)
    assert 1 <= len(sentences) <= 3
    assert all(s in entry.text for s in sentences)


def test_an_article_from_a_url_keeps_its_canonical_url_and_outlet() -> None:
    doc = parse_article(
        fixture("social_post.txt"), url="https://Blog.Example.org/steel?utm_source=x&gclid=1&id=7"
    )
    assert doc.url == doc.entries[0].url == "https://blog.example.org/steel?id=7"
    assert doc.entries[0].outlet == "blog.example.org"


def test_an_html_page_is_reduced_to_its_main_text() -> None:
    doc = parse_html(
        fixture("article_page.html"), url="https://review.example.org/grain?utm_medium=social"
    )
    entry = doc.entries[0]
    assert entry.title == "Grain Trains Across the Amur"
    assert entry.text.startswith("Freight trains loaded with Russian wheat")
    assert "Subscribe" not in entry.text and "All rights reserved" not in entry.text
    assert entry.url == "https://review.example.org/grain"
    assert entry.date == date(2026, 2, 3)
    assert [c.name for c in entry.commentators] == ["Zhao Ruoxi"]
    assert entry.regions == ("russia",)


def test_an_html_page_without_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_html("<html><body><nav>Home</nav></body></html>")


def test_a_post_that_is_all_boilerplate_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as error:
        parse_article("ISSN 1234-5678\nLeave a Reply\n")
    assert "no article text" in error.value.reason


def test_markdown_marks_come_off_titles() -> None:
    assert (
        strip_markdown("## **Bold** and _italic_ [link](https://x.org)") == "Bold and italic link"
    )


def test_hard_wrapped_lines_are_joined_but_bullets_and_sentences_are_not() -> None:
    text = (
        "A Note on Ports\n\n"
        "This paragraph was wrapped by an editor at sixty\n"
        "columns, so it continues on the next line.\n"
        "A new sentence on its own line is its own paragraph.\n"
        "* a bullet point stays a bullet point\n"
    )
    entry = parse_article(text).entries[0]
    assert entry.title == "A Note on Ports"
    assert entry.text.split("\n\n") == [
        "This paragraph was wrapped by an editor at sixty columns, so it continues on the next line.",
        "A new sentence on its own line is its own paragraph.",
        "* a bullet point stays a bullet point",
    ]
