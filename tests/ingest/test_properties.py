"""Whatever they are given, the parsers return a parse or raise ParseError, never crash.

Random text built from the formats' own tokens, truncated documents and shuffled lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest.article import parse_article, parse_html
from bot.ingest.daily_report import parse_report
from bot.ingest.detect import parse_any
from bot.ingest.digest import parse_digest
from bot.ingest.model import ParsedDocument, ParseError
from bot.ingest.tagging import REGION_SLUGS
from tests.ingest.support import FIXTURES, SEEDS

TODAY = date(2026, 11, 23)
PARSERS: dict[str, Callable[[str], ParsedDocument]] = {
    "digest": lambda text: parse_digest(text, today=TODAY),
    "report": parse_report,
    "article": parse_article,
    "any": lambda text: parse_any(text, today=TODAY),
}
SAMPLES = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
SAMPLES += (
    [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))] if SEEDS.is_dir() else []
)

TOKENS = [
    "November Digest | Part 2 — Relations",
    "US-China | Europe | Japan",
    "1. Europe",
    "2.",
    "Huang Jing (黄靖)",
    "A (甲), B (乙) & C (丙):",
    "Ding Chun: (i) on x; and (ii) on y",
    "Li Xing on things.",
    " — Director, Institute",
    "(观察者网, 4 November)",
    "(刊, Issue 5)",
    "N.B.",
    "英文媒体关于中国的报道汇总 2025-08-29",
    "August 30, 2025 114 min 24099 words",
    "摘要",
    "中文标题:",
    "内容摘要：",
    "- Headline",
    "https://x.org/a?utm_source=rss_feedText",
    "http://",
    "ISSN 2330-717X",
    "By He Jun*",
    "*Mr. He",
    "Leave a Reply",
    "**Bold title**",
    "#Tag",
    "Japan",
    "俄罗斯",
    "US$",
    "(",
    ")",
    "（",
    "）",
    ":",
    "：",
    "—",
    "*",
    ".",
    "。",
    " ",
    "\r",
    "\t",
    "",
]
line = st.lists(st.sampled_from(TOKENS) | st.text(max_size=12), max_size=8).map("".join)
documents = st.lists(line, max_size=25).map("\n".join)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(parser: str, text: str) -> None:
    try:
        parsed = PARSERS[parser](text)
    except ParseError as error:
        assert error.reason
        assert error.line is None or 1 <= error.line <= text.count("\n") + text.count("\r") + 1
        return
    assert parsed.entries, "a parse without entries must be a ParseError"
    json.dumps(parsed.to_json(), ensure_ascii=False)
    for entry in parsed.entries:
        assert set(entry.regions) <= set(REGION_SLUGS)
        assert isinstance(entry.text, str) and isinstance(entry.summary, str)
    for skipped in parsed.skipped:
        assert skipped.what and skipped.why


@FAST
@given(parser=st.sampled_from(sorted(PARSERS)), text=documents)
def test_random_documents_parse_or_fail_with_a_line_and_a_reason(parser: str, text: str) -> None:
    check(parser, text)


@FAST
@given(parser=st.sampled_from(sorted(PARSERS)), text=st.text(max_size=400))
def test_arbitrary_unicode_never_crashes_a_parser(parser: str, text: str) -> None:
    check(parser, text)


@FAST
@given(
    parser=st.sampled_from(sorted(PARSERS)), sample=st.sampled_from(SAMPLES), cut=st.floats(0, 1)
)
def test_truncated_documents_parse_partially_or_fail_clearly(
    parser: str, sample: str, cut: float
) -> None:
    check(parser, sample[: int(len(sample) * cut)])


@FAST
@given(parser=st.sampled_from(sorted(PARSERS)), data=st.data())
def test_shuffled_and_thinned_lines_parse_partially_or_fail_clearly(
    parser: str, data: st.DataObject
) -> None:
    lines = data.draw(st.sampled_from(SAMPLES)).splitlines()
    rng = data.draw(st.randoms(use_true_random=False))
    rng.shuffle(lines)
    keep = data.draw(st.floats(0.2, 1))
    check(parser, "\n".join(x for x in lines if rng.random() < keep))


@settings(max_examples=10, deadline=None)
@given(
    text=documents | st.text(max_size=200).map(lambda t: f"<html><body><p>{t}</p></body></html>")
)
def test_html_extraction_never_crashes(text: str) -> None:
    try:
        parse_html(text)
    except ParseError as error:
        assert error.reason
