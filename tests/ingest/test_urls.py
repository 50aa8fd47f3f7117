"""Canonical URLs and URLs glued to text."""

from __future__ import annotations

import pytest

from bot.ingest.urls import canonical_url, outlet_from_url, split_glued_url


def test_tracking_parameters_fragment_and_default_port_go() -> None:
    url = "HTTPS://News.Example.com:443/a/b?utm_source=rss&utm_medium=x&fbclid=1&gclid=2&id=9#top"
    assert canonical_url(url) == "https://news.example.com/a/b?id=9"


def test_content_parameters_stay_in_order() -> None:
    assert canonical_url("http://x.org/?page=2&q=china") == "http://x.org/?page=2&q=china"


@pytest.mark.parametrize(
    ("line", "url", "rest"),
    [
        (
            "https://x.org/a?utm_source=rss_feedIndonesian exporters",
            "https://x.org/a",
            "Indonesian exporters",
        ),
        ("https://x.org/a?utm_source=rss_feed“We will”", "https://x.org/a", "“We will”"),
        ("https://x.org/a?utm_source=rss_feedUS officials", "https://x.org/a", "US officials"),
        ("https://x.org/a?fbclid=AbC123Traders said", "https://x.org/a", "Traders said"),
        ("https://x.org/a?id=5", "https://x.org/a?id=5", ""),
        ("https://x.org/slug-textThe story", "https://x.org/slug-text", "The story"),
        ("https://x.org/a?id=5 The story", "https://x.org/a?id=5", "The story"),
        ("not a url", None, "not a url"),
    ],
)
def test_a_url_comes_apart_from_the_paragraph_glued_to_it(
    line: str, url: str | None, rest: str
) -> None:
    assert split_glued_url(line) == (url, rest)


def test_the_outlet_is_the_host_without_www() -> None:
    assert outlet_from_url("https://www.scmp.example/news") == "scmp.example"
    assert outlet_from_url(None) is None
