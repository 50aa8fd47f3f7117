"""Which parser a document needs, and one entry point that picks it: :func:`parse_any`."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from bot.ingest.article import extract_html, parse_article
from bot.ingest.daily_report import parse_report
from bot.ingest.decoding import decode_document
from bot.ingest.digest import looks_like_digest, parse_digest
from bot.ingest.model import KINDS, Kind, ParsedDocument, ParseError
from bot.ingest.tagging import DEFAULT_REGIONS, KnownCommentator, RegionSpec
from bot.ingest.urls import canonical_url

_REPORT_TITLE = re.compile(r"报道汇总|媒体.{0,6}汇总|press review|daily report", re.IGNORECASE)
_TITLE_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_REPORT_SECTION = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?摘要(?:\*\*)?\s*[:：]?\s*$", re.MULTILINE)
_REPORT_LABEL = re.compile(r"^\s*(?:中文标题|内容摘要)\s*[:：]", re.MULTILINE)
_HTML = re.compile(r"^\s*(?:<!doctype html|<html\b|<head\b|<body\b|<\?xml)", re.IGNORECASE)
_HTML_TAGS = re.compile(r"<(?:p|div|article|h1|h2|br|span)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Known:
    """What the database already knows, handed to the parsers as plain data."""

    regions: tuple[RegionSpec, ...] = DEFAULT_REGIONS
    commentators: tuple[KnownCommentator, ...] = ()


def looks_like_html(text: str) -> bool:
    head = text[:2000]
    return bool(_HTML.match(head)) or len(_HTML_TAGS.findall(head)) >= 3


def detect_kind(text: str) -> Kind:
    """ "report" for a daily press review, "digest" for a monthly digest, else "article"."""
    if looks_like_html(text):
        return "article"
    head = text[:400]
    first_line = head.strip().split("\n", 1)[0] if head.strip() else ""
    if _REPORT_SECTION.search(text) and _REPORT_LABEL.search(text):
        return "report"
    if _REPORT_TITLE.search(first_line) and (
        _REPORT_LABEL.search(text) or _TITLE_DATE.search(first_line)
    ):
        # "英文媒体关于中国的报道汇总 2025-08-29" alone says what the document is, however
        # little of it was pasted.
        return "report"
    if looks_like_digest(text):
        return "digest"
    return "article"


def parse_any(
    text: str,
    kind: Kind | None = None,
    *,
    url: str | None = None,
    known: Known | None = None,
    today: date | None = None,
    year: int | None = None,
) -> ParsedDocument:
    """Parse ``text`` as ``kind`` (detected when None). Raises only :class:`ParseError`."""
    known = known or Known()
    if kind is not None and kind not in KINDS:
        raise ParseError(None, f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not text.strip():
        raise ParseError(None, "the document is empty")
    if looks_like_html(text):
        return parse_html_any(text, kind, url=url, known=known, today=today, year=year)
    kind = kind or detect_kind(text)
    if kind == "digest":
        return parse_digest(text, year=year, today=today, regions=known.regions)
    if kind == "report":
        return parse_report(text, regions=known.regions, commentators=known.commentators)
    return parse_article(text, url=url, regions=known.regions, commentators=known.commentators)


def parse_html_any(
    html: str | bytes,
    kind: Kind | None = None,
    *,
    url: str | None = None,
    known: Known | None = None,
    today: date | None = None,
    year: int | None = None,
) -> ParsedDocument:
    """An HTML page: its main text (trafilatura), parsed as whatever kind that text is.

    A digest or report published as a web page keeps its line structure in the extracted
    text, with the page title in front when the text does not start with it.
    """
    known = known or Known()
    page = extract_html(html, url=url)
    first_line = page.text.lstrip().split("\n", 1)[0].strip()
    framed = page.text
    if page.title and first_line != page.title.strip():
        framed = f"{page.title}\n{page.text}"
    kind = kind or detect_kind(framed)
    if kind == "article":
        return parse_article(
            page.text,
            url=url,
            title=page.title,
            author=page.author,
            published=page.date,
            outlet=page.sitename,
            regions=known.regions,
            commentators=known.commentators,
        )
    parsed = parse_any(framed, kind, url=url, known=known, today=today, year=year)
    return replace(parsed, url=canonical_url(url)) if url else parsed


def parse_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    charset: str | None = None,
    kind: Kind | None = None,
    url: str | None = None,
    known: Known | None = None,
    today: date | None = None,
    year: int | None = None,
) -> ParsedDocument:
    """Parse an uploaded or fetched file: HTML goes through trafilatura, text is parsed as is.

    Either way the bytes must be text (:func:`bot.ingest.decoding.decode_document`, which
    raises NotText); `charset` is what a server declared. CPU-bound: callers on the event
    loop use :func:`bot.ingest.reading.parse_document`, which runs this in a worker thread.
    """
    text = decode_document(data, declared=charset).text
    name = (filename or "").lower()
    if name.endswith((".html", ".htm", ".xhtml")) or "html" in (content_type or ""):
        return parse_html_any(text, kind, url=url, known=known, today=today, year=year)
    return parse_any(text, kind, url=url, known=known, today=today, year=year)


def decode_text(data: bytes) -> str:
    """The text in `data` (NotText when it is none): :func:`decode_document`'s text."""
    return decode_document(data).text
