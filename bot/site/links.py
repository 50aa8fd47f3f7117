"""Addresses on the public site, and the tracked links that count clicks.

Permalinks are plain paths (`/entries/12`), made absolute with `PUBLIC_URL` where a link leaves
the site (messages, feeds). A tracked link is `PUBLIC_URL/r/<token>`: the token names the
publication and the item (`r7i45`, `d3e12`, `d3`) and carries an HMAC of them, so the redirect
only ever leads to the source of content the bot issued a link for (no open redirect), and the
same link is made every time (stable, no row per link).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from bot.config import Settings
from bot.editorial.content import ref_of
from bot.editorial.refs import ContentRef, RefKind
from bot.render import esc_attr
from storage.models import DailyReport, Digest, Entry, ReportItem

PERMALINK_PREFIX: dict[RefKind, str] = {
    "e": "/entries/",
    "i": "/items/",
    "r": "/reports/",
    "d": "/digests/",
}
REDIRECT_PREFIX = "/r/"
SIGNATURE_CHARS = 11  # 66 bits of the HMAC: not guessable, short enough for a message
_TOKEN_RE = re.compile(r"([eird])(\d{1,12})(?:([eird])(\d{1,12}))?\.([A-Za-z0-9_-]{11})\Z")


def permalink(ref: ContentRef) -> str:
    """The site path of an entry, item, report or digest."""
    return f"{PERMALINK_PREFIX[ref.kind]}{ref.id}"


def absolute(public_url: str | None, path: str) -> str:
    return f"{public_url}{path}" if public_url else path


def digest_url(digest: Digest, public_url: str | None) -> str | None:
    """Where the link in a monthly digest's message leads: its page on the site when the
    digest was ingested (its entries are stored, so the page has them) and the site has an
    address; the digest's own link otherwise."""
    if public_url and digest.content_hash is not None:
        return absolute(public_url, permalink(ContentRef("d", digest.id)))
    return digest.link


def publication_of(content: Entry | ReportItem | Digest | DailyReport) -> ContentRef:
    """The publication a piece of content went out in: a report item's report, a digest
    entry's digest; an article, a report or a digest is its own."""
    if isinstance(content, ReportItem):
        return ContentRef("r", content.report_id)
    if isinstance(content, Entry):
        return (
            ContentRef("d", content.digest_id) if content.digest_id else ContentRef("e", content.id)
        )
    if isinstance(content, DailyReport):
        return ContentRef("r", content.id)
    return ContentRef("d", content.id)


@dataclass(frozen=True, slots=True)
class Tracked:
    """What a valid token names."""

    publication: ContentRef
    item: ContentRef | None


@lru_cache(maxsize=8)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"digestbot click links\0" + secret.encode()).digest()


def _secret(settings: Settings) -> str:
    return settings.click_secret or settings.telegram_bot_token or "digestbot"


def _signature(settings: Settings, body: str) -> str:
    mac = hmac.new(_key(_secret(settings)), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:SIGNATURE_CHARS]


def click_token(settings: Settings, publication: ContentRef, item: ContentRef | None) -> str:
    body = f"{publication}{item or ''}"
    return f"{body}.{_signature(settings, body)}"


def read_token(settings: Settings, token: str) -> Tracked | None:
    """The publication and item of a token this bot signed; None for anything else."""
    match = _TOKEN_RE.match(token)
    if match is None:
        return None
    kind, number, item_kind, item_number, signature = match.groups()
    body = token.rsplit(".", 1)[0]
    if not hmac.compare_digest(signature, _signature(settings, body)):
        return None
    # The pattern admits only the ref letters.
    publication = ContentRef(cast(RefKind, kind), int(number))
    item = ContentRef(cast(RefKind, item_kind), int(item_number)) if item_kind else None
    return Tracked(publication, item)


def tracked_url(
    settings: Settings, publication: ContentRef, item: ContentRef | None, url: str | None
) -> str | None:
    """The link to put in a pushed message for `url`, the source of `item` (or of the
    publication itself, `item=None`, e.g. a digest's link): `PUBLIC_URL/r/<token>` when
    click tracking is on, `url` unchanged otherwise (and for anything not http(s))."""
    if not url or not url.startswith(("http://", "https://")) or not settings.tracks_clicks:
        return url
    return f"{settings.public_url}{REDIRECT_PREFIX}{click_token(settings, publication, item)}"


def message_links(
    settings: Settings, pieces: Iterable[Entry | ReportItem | Digest]
) -> dict[str, str]:
    """Where each source link of a pushed message should lead instead (source URL -> tracked
    link, or a digest's page on the site), for the pieces the message shows."""
    swaps: dict[str, str] = {}
    for piece in pieces:
        if isinstance(piece, Digest):
            original = piece.link
            target = tracked_url(
                settings, publication_of(piece), None, digest_url(piece, settings.public_url)
            )
        else:
            original = piece.url
            target = tracked_url(settings, publication_of(piece), ref_of(piece), piece.url)
        if original and target and target != original:
            swaps[original] = target
    return swaps


def with_message_links(
    text: str, settings: Settings | None, pieces: Iterable[Entry | ReportItem | Digest]
) -> str:
    """`text` (a rendered message, HTML) with its source links made tracked links and digest
    links made site pages (see `message_links`): the one place every push path (editions,
    daily summaries, channel posts) turns sources into links. No settings: unchanged."""
    if settings is None:
        return text
    for original, target in message_links(settings, pieces).items():
        text = text.replace(f'href="{esc_attr(original)}"', f'href="{esc_attr(target)}"')
    return text
