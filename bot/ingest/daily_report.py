"""Daily press reviews ("英文媒体关于中国的报道汇总 2025-08-29").

Layout: a title with the date; a line "August 30, 2025 114 min 24099 words"; a Chinese overview
paragraph; a list of English headlines ("- ..."); "摘要" and numbered items (English headline,
"中文标题:" Chinese title, "内容摘要:" Chinese summary); then the full articles, each a
headline followed by its source URL glued to the first paragraph.

Editors are not consistent, so full-width colons, CRLF line ends, items without a Chinese
title, a missing overview and articles whose headline differs slightly from the item's are
all accepted. Items and articles are matched by headline; anything that cannot be matched is
either kept as an entry with a note or listed in ``skipped``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from rapidfuzz import fuzz, process

from bot.ingest.cutoff import ends_mid_sentence
from bot.ingest.english_summary import english_summary
from bot.ingest.model import CutOff, ParsedDocument, ParsedEntry, ParseError, Skipped
from bot.ingest.summary import summarize
from bot.ingest.tagging import (
    DEFAULT_REGIONS,
    KnownCommentator,
    RegionSpec,
    tag_commentators,
    tag_regions,
)
from bot.ingest.textutil import collapse_spaces, headline_key, safe_date, shorten, split_lines
from bot.ingest.urls import URL_RE, outlet_from_url, split_glued_url

ITEM_FORMAT = "'1. English headline' then '中文标题: …' and '内容摘要: …'"

_TITLE_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_META = re.compile(
    r"^(?P<pub>[A-Z][a-z]+\.? \d{1,2}, \d{4})(?:\s+(?P<min>\d+)\s*min)?(?:\s+(?P<words>\d+)\s*words)?",
)
_SECTION = re.compile(r"^(?:#{1,6}\s*)?(?:\*\*)?摘要(?:\*\*)?\s*[:：]?\s*$")
_ITEM = re.compile(r"^(?:#{1,6}\s*)?(\d{1,3})\s*[.、．)）]\s*(\S.*)$")
_TITLE_ZH = re.compile(r"^(?:\*\*)?(?:中文标题|标题)(?:\*\*)?\s*[:：]\s*(.*)$")
_SUMMARY_ZH = re.compile(r"^(?:\*\*)?(?:内容摘要|摘要)(?:\*\*)?\s*[:：]\s*(.*)$")
_BULLET = re.compile(r"^[-•*·]\s+(\S.*)$")


@dataclass(slots=True)
class _Item:
    line: int
    number: int
    headline: str
    title_zh: str | None = None
    summary: list[str] = field(default_factory=list)
    field: str = "headline"


@dataclass(slots=True)
class _Article:
    line: int
    headline: str
    url: str | None
    paragraphs: list[str]


def parse_report(
    text: str,
    *,
    regions: Sequence[RegionSpec] = DEFAULT_REGIONS,
    commentators: Sequence[KnownCommentator] = (),
) -> ParsedDocument:
    """Parse a daily press review into a report and one entry per item."""
    doc = _Lines(text)
    lines = doc.text
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        raise ParseError(None, "the document is empty")
    title = lines[first]
    notes: list[str] = []
    skipped: list[Skipped] = []
    report_date = None
    if m := _TITLE_DATE.search(title):
        report_date = safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if report_date is None:
        notes.append(f"line {first + 1}: the title has no date (YYYY-MM-DD)")

    section = next((i for i in range(first + 1, len(lines)) if _SECTION.match(lines[i])), None)
    items_start = section + 1 if section is not None else _unlabelled_items(doc, first + 1)
    head_end = section if section is not None else items_start
    if head_end is None:
        # Neither "摘要" nor labelled items: the articles, if any, start the body.
        head_end = next((i for i in range(first + 1, len(lines)) if doc.before_url[i]), len(lines))
    published_on, overview, listed = _read_head(lines, first + 1, head_end)

    items: list[_Item] = []
    body_start = head_end
    if items_start is not None:
        items, body_start = _read_items(doc, items_start, skipped)
        if not items:
            raise ParseError(
                items_start, f"“摘要” is followed by no numbered items; expected {ITEM_FORMAT}"
            )
    known = {headline_key(i.headline) for i in items} | {headline_key(h) for _, h in listed}
    articles = _read_articles(doc, body_start, known, skipped)
    if not items and not articles:
        what = f"the daily report of {report_date.isoformat()}" if report_date else "the report"
        raise ParseError(
            first + 1,
            f"{what} has no “摘要” section with numbered items ({ITEM_FORMAT}) and no articles "
            "(a headline followed by its source URL): the text may stop before them",
        )

    entries = _merge(items, articles, listed, report_date, notes, skipped, regions, commentators)
    cut_off = _cut_off(items, entries, listed, text)
    if cut_off is not None:
        notes.append(cut_off.note())
    return ParsedDocument(
        kind="report",
        title=title,
        date=report_date,
        entries=tuple(entries),
        skipped=tuple(skipped),
        intro=" ".join(overview) or None,
        published_on=published_on,
        notes=tuple(notes),
        cut_off=cut_off,
    )


def _unlabelled_items(doc: _Lines, start: int) -> int | None:
    """Where numbered items begin when the "摘要" line is missing: the first "1. Headline"
    whose next line is a "中文标题:" or "内容摘要:" label."""
    lines = doc.text
    for i in range(start, len(lines)):
        if not _ITEM.match(lines[i]):
            continue
        following = next((line for line in lines[i + 1 :] if line), "")
        if _TITLE_ZH.match(following) or _SUMMARY_ZH.match(following):
            return i
    return None


def _cut_off(
    items: list[_Item], entries: list[ParsedEntry], listed: list[tuple[int, str]], text: str
) -> CutOff | None:
    """Fewer items than the headline list names, trailing items without their article (the
    articles follow the items' order), or a last line that stops mid-sentence."""
    numbered = [e for e in entries if e.section is not None] if items else entries
    if listed and len(numbered) < len(listed):
        return CutOff("headlines", listed=len(listed), found=len(numbered))
    with_text = [i for i, e in enumerate(numbered) if e.text]
    if items and with_text and with_text[-1] < len(numbered) - 1:
        last = numbered[with_text[-1]]
        return CutOff(
            "articles", item=last.section or "", missing=len(numbered) - 1 - with_text[-1]
        )
    if numbered and ends_mid_sentence(text):
        last = numbered[with_text[-1]] if with_text else numbered[-1]
        return CutOff("item", item=last.section or str(len(numbered)))
    return None


def _read_head(
    lines: list[str], start: int, end: int
) -> tuple[date | None, list[str], list[tuple[int, str]]]:
    """The publication line, the overview paragraph(s) and the "- headline" list."""
    published_on = None
    overview: list[str] = []
    listed: list[tuple[int, str]] = []
    for i in range(start, end):
        line = lines[i]
        if not line:
            continue
        if published_on is None and not overview and not listed and (m := _META.match(line)):
            published_on = _parse_us_date(m.group("pub"))
            if published_on is not None:
                continue
        if m := _BULLET.match(line):
            listed.append((i + 1, m.group(1)))
        else:
            overview.append(line)
    return published_on, overview, listed


def _parse_us_date(text: str) -> date | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _Lines:
    """The document's lines with, for each, whether it is a URL line or precedes one."""

    def __init__(self, text: str) -> None:
        self.text = [_clean(line) for line in split_lines(text)]
        self.is_url = [bool(line) and URL_RE.match(line) is not None for line in self.text]
        self.before_url = [False] * len(self.text)
        following = False
        for i in range(len(self.text) - 1, -1, -1):
            self.before_url[i] = following
            if self.text[i]:
                following = self.is_url[i]

    def starts_article(self, i: int, known: set[str]) -> bool:
        """Whether line ``i`` is the headline of a full article."""
        line = self.text[i]
        if not line or self.is_url[i] or len(line) > 300:
            return False
        if self.before_url[i]:
            return True
        if line[-1] == "." and not line.endswith(".."):
            return False  # headlines don't end in a full stop; paragraphs do
        return headline_key(line) in known


def _clean(line: str) -> str:
    line = line.strip()
    return collapse_spaces(line) if "  " in line or "\t" in line else line


def _read_items(doc: _Lines, start: int, skipped: list[Skipped]) -> tuple[list[_Item], int]:
    """Numbered items after "摘要"; returns them and the index where the articles begin."""
    lines = doc.text
    items: list[_Item] = []
    known: set[str] = set()
    i = start
    while i < len(lines):
        line = lines[i]
        n = i + 1
        if not line:
            i += 1
            continue
        if m := _ITEM.match(line):
            items.append(_Item(line=n, number=int(m.group(1)), headline=m.group(2).strip()))
            known.add(headline_key(items[-1].headline))
            i += 1
            continue
        item = items[-1] if items else None
        if item is not None and (m := _TITLE_ZH.match(line)):
            item.title_zh = m.group(1).strip() or None
            item.field = "title_zh"
        elif item is not None and (m := _SUMMARY_ZH.match(line)):
            if m.group(1).strip():
                item.summary.append(m.group(1).strip())
            item.field = "summary"
        elif items and doc.starts_article(i, known):
            return items, i
        elif item is not None and item.field == "summary":
            item.summary.append(line)
        elif item is not None and item.field == "headline" and not item.summary:
            # An item with neither label: the line under the headline is its summary.
            item.summary.append(line)
            item.field = "summary"
        elif item is not None and item.field == "title_zh":
            item.summary.append(line)
            item.field = "summary"
        else:
            skipped.append(
                Skipped(
                    f"line {n}: “{shorten(line, 90)}”", "text before the first numbered item", n
                )
            )
        i += 1
    return items, i


def _read_articles(
    doc: _Lines, start: int, known: set[str], skipped: list[Skipped]
) -> list[_Article]:
    lines = doc.text
    articles: list[_Article] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if doc.starts_article(i, known):
            articles.append(_Article(line=i + 1, headline=line, url=None, paragraphs=[]))
        elif articles:
            article = articles[-1]
            if article.url is None and not article.paragraphs and doc.is_url[i]:
                article.url, rest = split_glued_url(line)
                if rest:
                    article.paragraphs.append(rest)
            else:
                article.paragraphs.append(line)
        else:
            skipped.append(
                Skipped(
                    f"line {i + 1}: “{shorten(line, 90)}”",
                    "text after the items that starts no article",
                    i + 1,
                )
            )
        i += 1
    return articles


def _merge(
    items: list[_Item],
    articles: list[_Article],
    listed: list[tuple[int, str]],
    report_date: date | None,
    notes: list[str],
    skipped: list[Skipped],
    regions: Sequence[RegionSpec],
    commentators: Sequence[KnownCommentator],
) -> list[ParsedEntry]:
    by_key: dict[str, list[int]] = {}
    for index, candidate in enumerate(articles):
        by_key.setdefault(headline_key(candidate.headline), []).append(index)
    used: set[int] = set()

    def take(headline: str) -> _Article | None:
        for index in by_key.get(headline_key(headline), []):
            if index not in used:
                used.add(index)
                return articles[index]
        # Editors retype headlines: accept a close match among the unused articles.
        choices = {i: a.headline for i, a in enumerate(articles) if i not in used}
        if not choices:
            return None
        best = process.extractOne(headline, choices, scorer=fuzz.ratio, score_cutoff=85)
        if best is None:
            return None
        used.add(best[2])
        return articles[best[2]]

    entries: list[ParsedEntry] = []
    seen_numbers: set[int] = set()
    for item in items:
        if item.number in seen_numbers:
            notes.append(f"line {item.line}: item number {item.number} appears twice")
        seen_numbers.add(item.number)
        article = take(item.headline)
        summary = " ".join(item.summary)
        if article is None:
            notes.append(f"line {item.line}: item {item.number} has no full article")
        if item.title_zh is None:
            notes.append(f"line {item.line}: item {item.number} has no Chinese title")
        if not summary:
            notes.append(f"line {item.line}: item {item.number} has no Chinese summary")
        entries.append(
            _entry(
                item.headline,
                item.title_zh,
                summary,
                article,
                report_date,
                str(item.number),
                item.line,
                regions,
                commentators,
            )
        )
    for index, unmatched in enumerate(articles):
        if index in used:
            continue
        if not unmatched.paragraphs:
            skipped.append(
                Skipped(
                    f"line {unmatched.line}: “{shorten(unmatched.headline, 90)}”",
                    "a headline with no article text under it",
                    unmatched.line,
                )
            )
            continue
        notes.append(
            f"line {unmatched.line}: article not among the numbered items; summary extracted"
        )
        text = "\n\n".join(unmatched.paragraphs)
        entries.append(
            _entry(
                unmatched.headline,
                None,
                summarize(text),
                unmatched,
                report_date,
                None,
                unmatched.line,
                regions,
                commentators,
            )
        )
    covered = {headline_key(e.title or "") for e in entries}
    for n, headline in listed:
        if headline_key(headline) not in covered and not any(
            fuzz.ratio(headline, e.title or "") >= 85 for e in entries
        ):
            skipped.append(
                Skipped(
                    f"line {n}: “{shorten(headline, 90)}”",
                    "listed headline with no numbered item or article",
                    n,
                )
            )
    return entries


def _entry(
    headline: str,
    title_zh: str | None,
    summary: str,
    article: _Article | None,
    report_date: date | None,
    number: str | None,
    line: int,
    regions: Sequence[RegionSpec],
    commentators: Sequence[KnownCommentator],
) -> ParsedEntry:
    text = "\n\n".join(article.paragraphs) if article else ""
    url = article.url if article else None
    return ParsedEntry(
        text=text,
        summary=summary,
        summary_en=english_summary(text),
        title=headline,
        title_zh=title_zh,
        url=url,
        regions=tag_regions(
            titles=(headline, title_zh), summary=summary, text=text, regions=regions
        ),
        commentators=tag_commentators((headline, title_zh, summary, text), commentators),
        outlet=outlet_from_url(url),
        date=report_date,
        section=number,
        line=line,
    )
