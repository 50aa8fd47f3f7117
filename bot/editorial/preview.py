"""What an editor checks before publishing: the content, and what subscribers would miss.

A preview is rebuilt from the stored draft each time (after an edit, after a restart), so the
buttons under it only carry the draft's ref.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.editorial.content import Content, digest_entries, load
from bot.editorial.digests import BadLink, check_link
from bot.editorial.refs import ContentRef
from bot.ingest.model import CutOff
from storage.models import DailyReport, Digest, Entry, ReportItem


@dataclass(frozen=True, slots=True)
class PreviewWarning:
    """`code` names the catalog message editor.warn.<code>; `ref` the piece it is about;
    `values` fill the message's other placeholders (counts, an item number)."""

    ref: str
    code: str
    detail: str = ""
    values: tuple[tuple[str, int | str], ...] = ()


@dataclass
class Preview:
    ref: ContentRef
    content: Content
    # The pieces subscribers receive one by one: the entry itself, a report's items, a
    # digest's entries.
    pieces: list[Entry | ReportItem] = field(default_factory=list)
    warnings: list[PreviewWarning] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.content.status)

    @property
    def is_list(self) -> bool:
        return self.ref.kind in ("r", "d")


async def build(
    session: AsyncSession, ref: ContentRef, *, cut_off: CutOff | None = None
) -> Preview | None:
    """The preview of `ref`; `cut_off` (known right after posting) adds that warning first."""
    content = await load(session, ref)
    if content is None:
        return None
    if isinstance(content, DailyReport):
        pieces: list[Entry | ReportItem] = list(content.items)
    elif isinstance(content, Digest):
        pieces = list(digest_entries(content))
    else:
        pieces = [content]
    preview = Preview(ref, content, pieces)
    if cut_off is not None:
        values = tuple(cut_off.values().items())
        preview.warnings.append(PreviewWarning(str(ref), cut_off.code(), "", values))
    if isinstance(content, Digest):
        if not content.link:
            preview.warnings.append(PreviewWarning(str(ref), "no_link"))
        if not pieces:
            preview.warnings.append(PreviewWarning(str(ref), "no_entries"))
        preview.warnings += _link_warnings(str(ref), content.link)
    for piece in pieces:
        preview.warnings += warnings_for(piece)
    return preview


def warnings_for(piece: Entry | ReportItem) -> list[PreviewWarning]:
    """What a subscriber would miss: a report item without its Chinese title or a summary, an
    entry without region or commentator (followers would not get it), a broken link."""
    found: list[PreviewWarning] = []
    if isinstance(piece, ReportItem):
        ref = f"i{piece.id}"
        if not (piece.title_zh or "").strip():
            found.append(PreviewWarning(ref, "no_title_zh"))
        if not (piece.summary_zh or "").strip():
            found.append(PreviewWarning(ref, "no_summary_zh"))
        if not (piece.summary_en or "").strip():
            found.append(PreviewWarning(ref, "no_summary_en"))
        if not piece.regions:
            found.append(PreviewWarning(ref, "no_region"))
    else:
        ref = f"e{piece.id}"
        if not piece.regions:
            found.append(PreviewWarning(ref, "no_region"))
        if not piece.commentators:
            found.append(PreviewWarning(ref, "no_commentator"))
    found += _link_warnings(ref, piece.url)
    return found


def _link_warnings(ref: str, link: str | None) -> list[PreviewWarning]:
    if not link:
        return []
    try:
        check_link(link)
    except BadLink:
        return [PreviewWarning(ref, "bad_link", link)]
    return []
