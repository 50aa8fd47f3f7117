"""What the ingest parsers return: plain frozen dataclasses, and the one exception they raise.

The parsers never touch the database; the ingest service stores what is described here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["digest", "report", "article"]
KINDS: tuple[Kind, ...] = ("digest", "report", "article")


class ParseError(Exception):
    """A document (or a part of it) that cannot be parsed.

    ``line`` is 1-based and points at the line at fault (``None`` when the whole document is
    at fault, e.g. it is empty); ``reason`` says what was expected there.
    """

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(line, reason)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True, slots=True)
class ParsedCommentator:
    name: str
    name_zh: str | None = None
    affiliation: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "name_zh": self.name_zh}


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One storable piece: a digest commentary paragraph, a report item or an article."""

    text: str
    # A report item's Chinese summary; an entry's summary in the document's language.
    summary: str
    title: str | None = None
    title_zh: str | None = None
    url: str | None = None
    regions: tuple[str, ...] = ()
    commentators: tuple[ParsedCommentator, ...] = ()
    outlet: str | None = None
    date: dt.date | None = None
    # Digest only: the text after " — " (for all commentators of the paragraph, ";"-separated).
    affiliation: str | None = None
    # Digest: the section heading; report: the item number as text.
    section: str | None = None
    line: int | None = None
    # Report items: the lead of the English article ("" when there is no English prose).
    summary_en: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_zh": self.title_zh,
            "summary": self.summary,
            "summary_en": self.summary_en,
            "text": self.text,
            "url": self.url,
            "regions": list(self.regions),
            "commentators": [c.to_json() for c in self.commentators],
            "outlet": self.outlet,
            "date": self.date.isoformat() if self.date else None,
        }

    def content_hash(self) -> str:
        """Stable across line endings and spacing, so a re-pasted entry is recognised."""
        return _hash(self.url or "", self.title or "", self.text or self.summary)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A part of the document that did not become an entry, and why."""

    what: str
    why: str
    line: int | None = None

    def to_json(self) -> dict[str, str]:
        return {"what": self.what, "why": self.why}


CutOffReason = Literal["intro", "entry", "headlines", "item", "articles"]


@dataclass(frozen=True, slots=True)
class CutOff:
    """Why a document looks cut off; :meth:`code` names the catalog message editor.warn.<code>.

    intro: the digest's intro list names `listed` commentators, `found` entries were read;
    entry: the digest's last entry stops mid-sentence; headlines: the report's headline list
    names `listed` stories, `found` items were read; item: report item `item` stops
    mid-sentence; articles: the text stops in the article of item `item` and the `missing`
    items after it have none.
    """

    reason: CutOffReason
    listed: int = 0
    found: int = 0
    item: str = ""
    missing: int = 0

    def code(self) -> str:
        """cut_off_<reason>, with "_one" when one entry or item was found (English plurals)."""
        one = self.found == 1 and self.reason in ("intro", "headlines")
        return f"cut_off_{self.reason}" + ("_one" if one else "")

    def values(self) -> dict[str, int | str]:
        return {
            "listed": self.listed,
            "found": self.found,
            "item": self.item,
            "missing": self.missing,
        }

    def note(self) -> str:
        """The same, in English, for the command line."""
        says = {
            "intro": (
                f"the introduction lists {self.listed} commentators, {self.found} "
                + ("entry" if self.found == 1 else "entries")
                + " found"
            ),
            "entry": "the last entry stops mid-sentence",
            "headlines": (
                f"the headline list names {self.listed} stories, {self.found} "
                + ("item" if self.found == 1 else "items")
                + " found"
            ),
            "item": f"item {self.item} stops mid-sentence",
            "articles": (
                f"the text stops in the article of item {self.item}; "
                f"later items have no article ({self.missing})"
            ),
        }
        return f"the text looks cut off: {says[self.reason]}"


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    kind: Kind
    title: str
    date: dt.date | None
    entries: tuple[ParsedEntry, ...]
    skipped: tuple[Skipped, ...] = ()
    # Digest metadata ("November Digest | Part 2 — International Relations").
    month: int | None = None
    year: int | None = None
    part: int | None = None
    subtitle: str | None = None
    # Digest intro paragraph or report overview paragraph.
    intro: str | None = None
    # Report: the publication date on the line under the title (the title date is the news day).
    published_on: dt.date | None = None
    url: str | None = None
    # Assumptions the parser made (an inferred year, an item without full text, ...).
    notes: tuple[str, ...] = field(default=())
    # Set when the text seems to stop before its end (an editor pasted part of it).
    cut_off: CutOff | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "entries": [e.to_json() for e in self.entries],
            "skipped": [s.to_json() for s in self.skipped],
        }

    def content_hash(self) -> str:
        """Identifies the document by what was parsed out of it, not by its bytes."""
        return _hash(
            self.kind,
            self.title,
            self.date.isoformat() if self.date else "",
            *(e.content_hash() for e in self.entries),
        )


def _hash(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(" ".join(part.split()).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()
