"""Atom feeds (feedgen): everything, one per region, one per commentator.

Each entry's id and link are its permalink, its authors the commentators (names in both
scripts), its categories the regions; the text is bilingual like the pages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from bot.editorial.refs import ContentRef
from bot.site.links import permalink
from bot.site.queries import Card, DigestCard, Person

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# Characters XML 1.0 does not allow in a document (lxml refuses them): a stray one in a stored
# title must not take the feed down.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def person_name(person: Person) -> str:
    """ "Huang Jing (黄靖)": both scripts wherever a name is shown."""
    if person.name_zh and person.name_zh != person.name:
        return f"{person.name} ({person.name_zh})"
    return person.name


def card_title(card: Card) -> str:
    parts = [p for p in (card.title, card.title_zh) if p]
    if parts:
        return " / ".join(parts)
    return (card.summary or card.summary_zh or f"{card.kind}{card.id}")[:120]


def atom(
    *,
    base: str,
    path: str,
    page_path: str,
    title: str,
    subtitle: str,
    cards: Sequence[Card],
    digests: Sequence[DigestCard] = (),
    language: str = "en",
) -> bytes:
    """The Atom document for `cards` (and `digests`), newest first; `base` is the site's
    absolute address, `path` the feed's own path, `page_path` the page it mirrors."""
    feed = FeedGenerator()
    feed.id(base + path)
    feed.title(_xml(title))
    feed.subtitle(_xml(subtitle))
    feed.author({"name": _xml(title)})
    feed.link(href=base + page_path, rel="alternate", type="text/html")
    feed.link(href=base + path, rel="self", type="application/atom+xml")
    feed.language(language)
    stamps = [c.published_at for c in cards] + [d.published_at for d in digests if d.published_at]
    feed.updated(max(stamps, default=EPOCH))
    # Newest first, as the pages list them: cards come that way, digests slot in by time.
    dated: list[tuple[dt.datetime, Card | DigestCard]] = [(c.published_at, c) for c in cards]
    for digest in digests:
        if digest.published_at is not None:
            at = next((n for n, (when, _) in enumerate(dated) if when < digest.published_at), None)
            dated.insert(len(dated) if at is None else at, (digest.published_at, digest))
    for when, row in dated:
        entry = feed.add_entry(order="append")
        if isinstance(row, DigestCard):
            link = base + permalink(ContentRef("d", row.id))
            entry.title(_xml(row.title))
            entry.summary(_xml(row.summary or row.title))
        else:
            link = base + permalink(ContentRef(row.kind, row.id))  # type: ignore[arg-type]
            entry.title(_xml(card_title(row)))
            text = "\n\n".join(p for p in (row.summary, row.summary_zh) if p)
            entry.summary(_xml(text or card_title(row)))
            for person in row.commentators:
                entry.author({"name": _xml(person_name(person))})
            for place in row.regions:
                entry.category(term=place.slug, label=f"{place.name_en} / {place.name_zh}")
        entry.id(link)
        entry.link(href=link, rel="alternate", type="text/html")
        entry.published(when)
        entry.updated(when)
    return feed.atom_str(pretty=False)  # type: ignore[no-any-return]
