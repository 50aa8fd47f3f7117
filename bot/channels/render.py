"""A whole edition as channel posts: every piece, in order, in a few posts of at most 4096
characters, split between pieces (never inside one).

Each piece is rendered by the same functions that render it for subscribers
(`bot.render.content.item_text` / `entry_text`: English headline, Chinese title, summaries per
the content language, link), without the "why it came" line and the follow buttons, which mean
nothing in a channel. `edition_posts` is the one entry point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.channels.edition import Edition, Piece, ref_of
from bot.i18n import t
from bot.render import MAX_MESSAGE_CHARS, clip, esc, esc_attr
from bot.render.content import SUMMARY_CHARS, entry_text, item_text, region_name
from storage.models import ReportItem

SEPARATOR = "\n\n"
_MIN_BODY = 80  # below this a summary is not worth keeping: the piece goes without it


@dataclass(frozen=True, slots=True)
class Post:
    """One channel message: its HTML and what it shows ([content type, id] pairs)."""

    text: str
    items: list[list[Any]]


def interface_language(content_language: str) -> str:
    """Labels in a channel ("Source", headings) follow its content: Chinese for zh only."""
    return "zh" if content_language == "zh" else "en"


def edition_posts(
    edition: Edition,
    *,
    content_language: str = "both",
    limit: int = MAX_MESSAGE_CHARS,
    piece_chars: int | None = None,
) -> list[Post]:
    """The edition as posts; a post after the first starts with "<title> · part n/m".
    `piece_chars` caps each piece (summaries shortened to fit), for a post re-rendered in
    place that must keep every piece it showed (`bot.channels.rerender`)."""
    language = interface_language(content_language)
    header = _header(edition, language)
    title = _title(edition)
    reserve = len(t(language, "channels.post.part", title=title, n=99, count=99)) + 2
    bodies: list[list[str]] = [[header] if header else []]
    shown: list[list[list[Any]]] = [[]]
    sizes = [len(header)]
    room_left = limit - reserve
    for section in edition.sections:
        heading = _heading(edition, section.region, language)
        written = False
        for row in section.rows:
            # A piece must fit a post of its own with both headers, whatever its length.
            room = limit - max(len(header), reserve) - len(heading) - 3 * len(SEPARATOR)
            if piece_chars is not None:
                room = min(room, piece_chars)
            block = _block(row, language, content_language, room)
            add = ([heading] if heading and not written else []) + [block]
            extra = sum(len(b) + len(SEPARATOR) for b in add)
            if shown[-1] and sizes[-1] + extra > room_left:
                add = ([heading] if heading else []) + [block]
                bodies.append(add)
                shown.append([])
                sizes.append(sum(len(b) + len(SEPARATOR) for b in add))
            else:
                bodies[-1].extend(add)
                sizes[-1] += extra
            shown[-1].append(list(ref_of(row)))
            written = True
    texts = [SEPARATOR.join(body) for body in bodies]
    if len(texts) > 1:
        texts = [
            text
            if n == 1
            else t(language, "channels.post.part", title=title, n=n, count=len(texts))
            + SEPARATOR
            + text
            for n, text in enumerate(texts, 1)
        ]
    head_refs: list[list[Any]] = [[edition.kind, edition.id]] if edition.kind != "article" else []
    return [
        Post(text, (head_refs if n == 0 else []) + refs)
        for n, (text, refs) in enumerate(zip(texts, shown, strict=True))
        if text
    ]


def _title(edition: Edition) -> str:
    if edition.report is not None:
        return esc(clip(edition.report.title, 120))
    if edition.digest is not None:
        return esc(clip(edition.digest.title, 120))
    return ""


def _header(edition: Edition, language: str) -> str:
    if edition.report is not None:
        lines = [t(language, "channels.post.report", title=esc(clip(edition.report.title, 300)))]
        if edition.report.overview:
            lines.append(esc(clip(edition.report.overview, 600)))
        return "\n".join(lines)
    if edition.digest is not None:
        digest = edition.digest
        lines = [t(language, "delivery.digest.title", title=esc(clip(digest.title, 300)))]
        if digest.summary:
            lines.append(esc(clip(digest.summary, 600)))
        link = digest.link or ""
        if link.startswith(("http://", "https://")) and len(link) <= 1000:
            lines.append(f'<a href="{esc_attr(link)}">{t(language, "delivery.digest.read")}</a>')
        return "\n".join(lines)
    return ""


def _heading(edition: Edition, region: Any, language: str) -> str:
    if not edition.grouped:
        return ""
    name = region_name(region, language) if region is not None else t(language, "channels.other")
    return f"<b>▍{esc(name)}</b>"


def _block(row: Piece, language: str, content_language: str, room: int) -> str:
    """The piece as subscribers see it, its summary shortened only if the piece alone would
    not fit in a post."""
    body_chars = SUMMARY_CHARS
    while True:
        if isinstance(row, ReportItem):
            text = item_text(
                row, language=language, content_language=content_language, body_chars=body_chars
            )
        else:
            text = entry_text(
                row, language=language, content_language=content_language, body_chars=body_chars
            )
        if len(text) <= room:
            return text
        if body_chars == 0:
            # Headline and a very long link do not fit: the headline alone.
            name = row.headline if isinstance(row, ReportItem) else (row.title or row.summary)
            return f"<b>{esc(clip(name or '', min(room, 300)))}</b>"
        body_chars = body_chars // 2 if body_chars // 2 >= _MIN_BODY else 0
