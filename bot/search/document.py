"""What the index stores for one piece of content: its tokens by field, its filters, its card.

Pure: built from plain records, so it can be tested (and benchmarked) without a database.

Fields: `title` (English and Chinese titles, a report item's headline), `names` (commentators:
Latin, Chinese, pinyin), `body` (summary, text, outlet, affiliation, region names) and `facets`
(filter tokens: content type, month, region ids, commentator ids). A match in the title or the names is
a strong one. English stems follow their field's words after a separator token, so they match
as words of the field but never join a phrase. Facet tokens and the separator start with "§", a
character the tokenizer never emits, so nothing a reader types can match them.

A document's id is its date and its content: `(date ordinal << 32) | (content id << 2) | type`.
Ids then sort by date, so the newest matches are the highest ids (what bounds the candidates of
a common term), and `since:`/`until:` are an id range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.search.names import name_tokens
from bot.search.tokenize import tokenize

FIELDS = ("title", "names", "body", "facets")
# Nothing past this many tokens of a body is indexed: PostgreSQL keeps positions up to 16383
# and phrases need exact positions; the same cut on SQLite keeps the two databases identical.
MAX_BODY_TOKENS = 15000
FACET_MARK = "§"
SEPARATOR = FACET_MARK
TYPE_CODES = {"entry": 1, "item": 2, "digest": 3}
MAX_CONTENT_ID = (1 << 30) - 1


def doc_id(content_type: str, content_id: int, date: dt.date | None) -> int:
    if not 0 < content_id <= MAX_CONTENT_ID:
        raise ValueError(f"content id out of range: {content_id}")
    ordinal = date.toordinal() if date else 0
    return (ordinal << 32) | (content_id << 2) | TYPE_CODES[content_type]


def id_range(since: dt.date | None, until: dt.date | None) -> tuple[int, int]:
    """The document ids of content dated from `since` to `until` (inclusive)."""
    low = since.toordinal() << 32 if since else 0
    high = ((until.toordinal() + 1) << 32) - 1 if until else (1 << 62)
    return low, high


def month_facet(day: dt.date) -> str:
    return f"{FACET_MARK}m{day.year:04d}{day.month:02d}"


def type_facet(content_type: str) -> str:
    return f"{FACET_MARK}t{content_type}"


def region_facet(region_id: int) -> str:
    return f"{FACET_MARK}r{region_id}"


def commentator_facet(commentator_id: int) -> str:
    return f"{FACET_MARK}c{commentator_id}"


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    name: str
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RegionRecord:
    id: int
    slug: str
    name_en: str = ""
    name_zh: str = ""


@dataclass(frozen=True)
class SourceRecord:
    """One published entry, report item or digest, as search sees it."""

    type: str  # entry | item | digest
    id: int
    title: str | None
    title_zh: str | None = None
    summary: str | None = None
    text: str | None = None
    extra: tuple[str | None, ...] = ()  # outlet, affiliation: searched like the body
    url: str | None = None
    date: dt.date | None = None
    commentators: Sequence[PersonRecord] = ()
    regions: Sequence[RegionRecord] = ()
    # Digests: commentators of their entries, for `by:` only (their names are not text).
    facet_commentators: Sequence[int] = ()


@dataclass
class SearchDocument:
    type: str
    content_id: int
    date: dt.date | None
    card: dict[str, Any]
    fields: dict[str, list[str]] = field(default_factory=dict)
    _tsvector: str | None = field(default=None, repr=False)

    @property
    def id(self) -> int:
        return doc_id(self.type, self.content_id, self.date)

    def field_text(self, name: str) -> str:
        return " ".join(self.fields.get(name, ()))

    def terms(self) -> set[str]:
        """The distinct tokens, for the vocabulary (prefix expansion and document counts)."""
        out = {t for tokens in self.fields.values() for t in tokens}
        out.discard(SEPARATOR)
        return out

    def tsvector_literal(self) -> str:
        """The PostgreSQL tsvector of this document as a literal: positions count up through
        the fields (with a gap between fields, so no phrase spans two), weights A title,
        B names, C body, D facets. The separator is left out, leaving a gap of its own."""
        if self._tsvector is None:
            self._tsvector = self._tsvector_literal()
        return self._tsvector

    def _tsvector_literal(self) -> str:
        positions: dict[str, list[str]] = {}
        position = 1
        for name in ("title", "names", "facets", "body"):
            labels = _POSITION_LABELS[_WEIGHTS[name]]
            for token in self.fields.get(name, ()):
                if token != SEPARATOR:
                    found = positions.get(token)
                    if found is None:
                        positions[token] = [labels[min(position, 16383)]]
                    elif len(found) < 256:  # PostgreSQL keeps 256 positions per lexeme
                        found.append(labels[min(position, 16383)])
                position += 1
            position += 8
        return " ".join(f"'{token}':{','.join(p)}" for token, p in positions.items())


_WEIGHTS = {"title": "A", "names": "B", "body": "C", "facets": "D"}
# "1A", "2A", ...: formatted once rather than for every token of every document.
_POSITION_LABELS = {w: [f"{p}{w}" for p in range(16384)] for w in "ABCD"}


def _with_stems(words: list[str], stems: list[str]) -> list[str]:
    return [*words, SEPARATOR, *dict.fromkeys(stems)] if stems else words


def build_document(source: SourceRecord) -> SearchDocument:
    title = tokenize(source.title)
    title_zh = tokenize(source.title_zh)
    body: list[str] = []
    body_stems: list[str] = []
    for text in (source.summary, source.text, *source.extra):
        stream = tokenize(text)
        body.extend(stream.words)
        body_stems.extend(stream.stems)
        if len(body) >= MAX_BODY_TOKENS:
            break
    body = _with_stems(body[:MAX_BODY_TOKENS], body_stems)
    if source.regions:
        # "japan" finds what is filed under Japan even when the text says Tokyo.
        body.append(SEPARATOR)
        for region in source.regions:
            body.extend(tokenize(f"{region.name_en} {region.name_zh}").words)
    names: list[str] = []
    for person in source.commentators:
        names.extend(name_tokens(person.name, person.name_zh, person.aliases))
    commentator_ids = [c.id for c in source.commentators] + list(source.facet_commentators)
    facets = [type_facet(source.type)]
    if source.date:
        # Lets PostgreSQL look for the newest matches month by month (bot.search.service).
        facets.append(month_facet(source.date))
    facets += [region_facet(r.id) for r in source.regions]
    facets += [commentator_facet(i) for i in dict.fromkeys(commentator_ids)]
    fields = {
        "title": _with_stems(title.words + title_zh.words, title.stems + title_zh.stems),
        "names": names,
        "body": body,
        "facets": facets,
    }
    return SearchDocument(source.type, source.id, source.date, card(source), fields)


def card(source: SourceRecord) -> dict[str, Any]:
    """The result as `digestbot search --json` prints it and the chat renders it."""
    return {
        "type": source.type,
        "id": source.id,
        "title": source.title,
        "title_zh": source.title_zh,
        "summary": source.summary,
        "commentators": [{"name": c.name, "name_zh": c.name_zh} for c in source.commentators],
        "regions": [r.slug for r in source.regions],
        "date": source.date.isoformat() if source.date else None,
        "url": source.url,
    }
