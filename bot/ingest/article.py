"""Single articles and posts: pasted text, a text file, or an HTML page (via trafilatura).

An article becomes one entry: its title (markdown marks removed), its author as commentator
where one is named ("By He Jun*"), the body without boilerplate (author-bio and publisher
footers, "Leave a Reply" blocks, ISSN lines), an extractive summary and its regions. Every
removed paragraph is listed in ``skipped`` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.ingest.model import ParsedCommentator, ParsedDocument, ParsedEntry, ParseError, Skipped
from bot.ingest.names import Name, parse_name_list
from bot.ingest.summary import split_sentences, summarize
from bot.ingest.tagging import (
    DEFAULT_REGIONS,
    KnownCommentator,
    RegionSpec,
    tag_commentators,
    tag_regions,
)
from bot.ingest.textutil import collapse_spaces, shorten, split_lines
from bot.ingest.urls import canonical_url, outlet_from_url


@dataclass(frozen=True, slots=True)
class _Para:
    line: int
    text: str


_ISSN = re.compile(r"^(?:e-?|p-?)?ISSN[:\s]*\d{4}-?\d{3}[\dXx]\b", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:by|written by|words by)\s+(.{2,120}?)\s*[*†‡]*$", re.IGNORECASE)
_BYLINE_ZH = re.compile(r"^(?:作者|文)\s*[:：|｜]\s*(.{2,40})$")
_HASHTAGS = re.compile(r"^((?:#[^\s#]+\s*)+)")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\3(?![\w*])")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Where comment forms start; everything after is boilerplate.
_COMMENTS = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|your email address will not be published"
    r"|\d+\s+(?:comments?|responses?)\b|comments?\s*$|related posts?\s*:?\s*$)",
    re.IGNORECASE,
)
# Footer paragraphs, checked from the end of the text backwards. Each is (reason, pattern).
_FOOTERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "*Mr. He Jun is ..." -- but not a markdown bullet ("* point").
    ("author note (footnote to the byline)", re.compile(r"^[*†‡][^\s*]")),
    (
        "author bio",
        re.compile(
            r"^(?:about the author|\(?the (?:author|writer)s? (?:is|are)\b|"
            r"(?:hello|hi|hey)\b.{0,40}\b(?:my name is|i am|i'm)\b)|"
            r"\bmy name is\b.{0,200}\b(?:i'm|i am)\b|\bi'm a passionate\b",
            re.IGNORECASE,
        ),
    ),
    (
        "publisher blurb",
        re.compile(
            r"^[A-Z][^.]{0,80}?\bis (?:an?|the) (?:[\w-]+ ){0,3}(?:think[- ]?tank|consultancy|"
            r"research (?:institute|centre|center|organi[sz]ation)|news (?:site|agency|outlet)|"
            r"media (?:company|outlet|platform)|publication|publisher|non-?profit)\b|"
            r"\b(?:established|founded) in (?:19|20)\d\d\b.{0,200}\bspeciali[sz]",
            re.IGNORECASE,
        ),
    ),
    (
        "copyright or republication notice",
        re.compile(
            r"^(?:©|\(c\)\s|copyright\b|all rights reserved|this (?:article|piece|post) "
            r"(?:was|is|first) (?:originally |first )?(?:published|appeared)|"
            r"the views expressed\b|disclaimer:)",
            re.IGNORECASE,
        ),
    ),
    (
        "share or subscribe prompt",
        re.compile(
            r"^(?:share this|share on|subscribe\b|sign up\b|follow us\b|click here\b|"
            r"read more\b|related\s*:|tags?\s*:|filed under\b|advertisement\s*$)",
            re.IGNORECASE,
        ),
    ),
)
_MAX_FOOTERS = 6
# Fewer words than this (and under 30 characters of Chinese) is a fragment, not an article.
MIN_WORDS = 5


def parse_article(
    text: str,
    *,
    url: str | None = None,
    title: str | None = None,
    author: str | None = None,
    published: date | None = None,
    outlet: str | None = None,
    regions: Sequence[RegionSpec] = DEFAULT_REGIONS,
    commentators: Sequence[KnownCommentator] = (),
) -> ParsedDocument:
    """Parse one article or post. ``title``/``author``/... come from HTML metadata when known."""
    paras = _paragraphs(text)
    if not paras:
        raise ParseError(None, "the document is empty")
    removed: list[tuple[_Para, str]] = []
    notes: list[str] = []

    while paras and _ISSN.match(paras[0].text):
        removed.append((paras.pop(0), "journal ISSN line"))
    paras, found_title, tags = _take_title(paras, title)
    names, footnoted = _take_byline(paras, author, removed)
    paras = _drop_comment_block(paras, removed)
    paras = _drop_footers(paras, removed)
    if not paras:
        last = removed[-1][0].line if removed else 1
        raise ParseError(
            last, "no article text left once title, byline and boilerplate are removed"
        )

    body = "\n\n".join(p.text for p in paras)
    if len(body.split()) < MIN_WORDS and len(body) < MIN_WORDS * 6:
        raise ParseError(
            paras[0].line, f"only “{shorten(body, 40)}” is left: too short to be an article"
        )
    summary = summarize(body)
    if found_title is None:
        notes.append("no title line; the first sentence stands in for it")
    doc_title = found_title or shorten(_first_sentence(body), 100)
    tag_text = " ".join(" ".join(_CAMEL.findall(t)) for t in tags)

    bio = next((p.text for p, why in removed if why.startswith("author note")), None)
    people = _byline_commentators(names, bio if footnoted else None)
    seen = {c.name.casefold() for c in people}
    people.extend(
        c
        for c in tag_commentators((found_title, body), commentators)
        if c.name.casefold() not in seen
    )

    canonical = canonical_url(url) if url else None
    entry = ParsedEntry(
        text=body,
        summary=summary,
        title=found_title,
        url=canonical,
        # Without a title line the first sentence stands in for it, for tagging too.
        regions=tag_regions(
            titles=(found_title or _first_sentence(body), tag_text),
            summary=summary,
            text=body,
            regions=regions,
        ),
        commentators=tuple(people),
        outlet=outlet or outlet_from_url(canonical),
        date=published,
        line=paras[0].line,
    )
    return ParsedDocument(
        kind="article",
        title=doc_title,
        date=published,
        entries=(entry,),
        skipped=tuple(_skip(p, why) for p, why in sorted(removed, key=lambda r: r[0].line)),
        url=canonical,
        notes=tuple(notes),
    )


def parse_html(
    html: str | bytes,
    *,
    url: str | None = None,
    regions: Sequence[RegionSpec] = DEFAULT_REGIONS,
    commentators: Sequence[KnownCommentator] = (),
) -> ParsedDocument:
    """Extract the main text of an HTML page with trafilatura, then parse it as an article."""
    page = extract_html(html, url=url)
    return parse_article(
        page.text,
        url=url,
        title=page.title,
        author=page.author,
        published=page.date,
        outlet=page.sitename,
        regions=regions,
        commentators=commentators,
    )


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    text: str
    title: str | None
    author: str | None
    date: date | None
    sitename: str | None


def extract_html(html: str | bytes, *, url: str | None = None) -> ExtractedPage:
    """The main text and metadata of a page; ParseError when there is none."""
    # Imported here: trafilatura pulls in lxml and friends, which the other parsers don't need.
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            # htmldate's extensive search runs regexes over the whole page while holding the
            # GIL (it stalled the event loop for 200-400 ms on a 1.3 MB page even in a worker
            # thread); the page's own metadata and URL are where a date is found anyway.
            date_extraction_params={"extensive_search": False},
        )
    except Exception as exc:  # trafilatura raises whatever lxml raises on broken input
        raise ParseError(None, f"the HTML page could not be read ({type(exc).__name__})") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise ParseError(None, "no article text found in the HTML page")
    published = None
    raw_date = getattr(doc, "date", None)
    if raw_date:
        try:
            published = date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            published = None
    return ExtractedPage(
        text=text,
        title=getattr(doc, "title", None) or None,
        author=getattr(doc, "author", None) or None,
        date=published,
        sitename=getattr(doc, "sitename", None) or None,
    )


def _paragraphs(text: str) -> list[_Para]:
    """Paragraphs with their first line number.

    Each line is a paragraph, except that a hard-wrapped line (short, ending mid-sentence,
    followed by a line starting in lower case) is joined to the next.
    """
    paras: list[_Para] = []
    joinable = False
    for n, raw in enumerate(split_lines(text), start=1):
        line = collapse_spaces(raw)
        if not line:
            joinable = False
            continue
        if joinable and line[0].islower():
            paras[-1] = _Para(paras[-1].line, f"{paras[-1].text} {line}")
        else:
            paras.append(_Para(n, line))
        joinable = len(raw) < 100 and line[-1] not in _ENDS_SENTENCE
    return paras


_ENDS_SENTENCE = '.!?。！？:;：；"”’)]）*'


def strip_markdown(text: str) -> str:
    """Markdown marks removed: headings, emphasis, links."""
    text = _MD_HEADING.sub("", text.strip())
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(3):
        new = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(4) or "", text)
        if new == text:
            break
        text = new
    return collapse_spaces(text.replace("**", "").replace("__", "")).strip()


def _take_title(paras: list[_Para], given: str | None) -> tuple[list[_Para], str | None, list[str]]:
    tags: list[str] = []
    if given:
        title = strip_markdown(given)
        if paras and strip_markdown(paras[0].text).casefold() == title.casefold():
            paras = paras[1:]
        return paras, title or None, tags
    while paras:
        first = paras[0].text
        m = _HASHTAGS.match(first)
        rest = first[m.end() :].strip() if m else first
        if m:
            tags.extend(t.lstrip("#") for t in m.group(1).split())
        if not rest:
            paras = paras[1:]  # a line of hashtags only
            continue
        if _looks_like_title(rest, has_more=len(paras) > 1):
            title = strip_markdown(rest)
            return paras[1:], title or None, tags
        if m:
            paras = [_Para(paras[0].line, rest), *paras[1:]]
        return paras, None, tags
    return paras, None, tags


def _looks_like_title(line: str, *, has_more: bool) -> bool:
    if not has_more:
        return False
    if line.startswith(("**", "__")) and line.endswith(("**", "__")):
        return True
    if _MD_HEADING.match(line):
        return True
    plain = strip_markdown(line)
    if not plain or len(plain) > 200 or len(plain.split()) > 30:
        return False
    return plain[-1] not in ".。!！:：;,"


def _take_byline(
    paras: list[_Para], author: str | None, removed: list[tuple[_Para, str]]
) -> tuple[list[Name], bool]:
    """Author names from a "By ..." line near the top (removed from ``paras``), or metadata.

    The flag says whether the byline carries a footnote mark ("By He Jun*"), in which case a
    closing "*..." paragraph is the author's bio.
    """
    for index, para in enumerate(paras[:3]):
        m = _BYLINE.match(para.text) or _BYLINE_ZH.match(para.text)
        if m:
            del paras[index]
            names = _split_authors(m.group(1))
            removed.append((para, "byline" if names else "byline names no person"))
            return names, para.text.endswith(("*", "†", "‡"))
    if author:
        return _split_authors(author), False
    return [], False


def _split_authors(text: str) -> list[Name]:
    text = text.strip().rstrip("*†‡ ").strip()
    return parse_name_list(text.replace(";", ",")) or []


def _byline_commentators(names: list[Name], bio: str | None) -> list[ParsedCommentator]:
    affiliation = None
    if bio and len(names) == 1:
        # "*Mr. He Jun takes the roles as Partner, ..." -- its first sentence says who they are.
        sentences = split_sentences(bio.lstrip("*†‡ "))
        affiliation = shorten(sentences[0], 200) if sentences else None
    return [
        ParsedCommentator(name=latin, name_zh=zh, affiliation=affiliation) for latin, zh in names
    ]


def _drop_comment_block(paras: list[_Para], removed: list[tuple[_Para, str]]) -> list[_Para]:
    # Only look in the last third: "Comments" can be a word in the body's first lines.
    for index in range(len(paras) * 2 // 3, len(paras)):
        if _COMMENTS.match(paras[index].text):
            removed.extend((p, "comment form or comment thread") for p in paras[index:])
            return paras[:index]
    return paras


def _drop_footers(paras: list[_Para], removed: list[tuple[_Para, str]]) -> list[_Para]:
    for _ in range(_MAX_FOOTERS):
        reason = _footer_reason(paras[-1].text) if len(paras) > 1 else None
        if reason is None:
            break
        removed.append((paras.pop(), reason))
    return paras


def _footer_reason(text: str) -> str | None:
    for reason, pattern in _FOOTERS:
        if pattern.search(text):
            return reason
    return None


def _first_sentence(body: str) -> str:
    sentences = split_sentences(body)
    return sentences[0] if sentences else body


def _skip(para: _Para, why: str) -> Skipped:
    return Skipped(f"line {para.line}: “{shorten(para.text, 90)}”", why, para.line)
