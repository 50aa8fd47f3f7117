"""Which parser a document needs, and parsing whatever is given."""

from __future__ import annotations

import html

import pytest

from bot.ingest.detect import decode_text, detect_kind, parse_any, parse_bytes
from bot.ingest.model import ParseError
from tests.ingest.support import fixture


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("digest_january.txt", "digest"),
        ("report_2026-01-14.txt", "report"),
        ("think_tank_analysis.txt", "article"),
        ("social_post.txt", "article"),
        ("news_with_bio.txt", "article"),
        ("article_page.html", "article"),
    ],
)
def test_the_kind_is_detected_when_not_given(name: str, kind: str) -> None:
    assert detect_kind(fixture(name)) == kind
    assert parse_any(fixture(name)).kind == kind


def test_a_given_kind_wins_and_a_wrong_one_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_any(fixture("social_post.txt"), "report")
    with pytest.raises(ParseError):
        parse_any(fixture("social_post.txt"), "digest")  # type: ignore[arg-type]
    with pytest.raises(ParseError, match="unknown kind"):
        parse_any("text", "poem")  # type: ignore[arg-type]


def test_an_uploaded_html_file_goes_through_html_extraction() -> None:
    data = fixture("article_page.html").encode()
    doc = parse_bytes(data, filename="page.HTML")
    assert doc.entries[0].title == "Grain Trains Across the Amur"


def test_uploaded_bytes_are_decoded_whatever_the_encoding() -> None:
    text = "英文媒体关于中国的报道汇总"
    assert decode_text(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode_text(text.encode("gb18030")) == text
    assert decode_text(text.encode("utf-16")) == text


def test_an_empty_document_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_any(" \n\t\n")


def test_a_digest_published_as_a_web_page_parses_as_a_digest() -> None:
    lines = fixture("digest_january.txt").splitlines()
    paragraphs = "".join(
        f"<h2>{html.escape(line)}</h2>"
        if line[:2] in {"1.", "2.", "3.", "4.", "5."}
        else f"<p>{html.escape(line)}</p>"
        for line in lines[1:]
    )
    page = (
        f"<html><head><title>{html.escape(lines[0])}</title></head><body><nav>Home</nav>"
        f"<article><h1>{html.escape(lines[0])}</h1>{paragraphs}</article></body></html>"
    )
    doc = parse_bytes(
        page.encode(), filename="digest.html", url="https://example.org/jan?utm_source=x"
    )
    assert (doc.kind, len(doc.entries), doc.url) == ("digest", 6, "https://example.org/jan")
    assert doc.entries[0].commentators[0].name_zh == "白雨桐"
