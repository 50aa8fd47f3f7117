"""/post: reading what the editor sent (text, a link, a file), storing it as a draft, and the
preview's buttons — publishing or discarding that draft by ref (also used by /schedule).

Reading happens before any transaction (a link is fetched, a file parsed); only a document that
parsed is stored, through the ingest service, so a bad post leaves nothing behind. A report
publishes with all its items; a digest with its entries still in draft.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import publishing
from bot.editorial.content import digest_entries, load
from bot.editorial.refs import ContentRef
from bot.ingest.decoding import NotText
from bot.ingest.detect import Known
from bot.ingest.fetch import Fetcher, FetchError, fetch
from bot.ingest.model import CutOff, ParsedDocument, ParseError, Skipped
from bot.ingest.reading import parse_document, parse_text
from bot.ingest.service import IngestError, ingest, load_known
from storage import audit
from storage.models import ContentStatus, DailyReport, Digest, Entry

_UNSENT = (ContentStatus.DRAFT, ContentStatus.SCHEDULED)
ALLOWED_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class PostError(Exception):
    """Why a post was refused; `reason` names the catalog message editor.post.<reason>."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code, values)
        self.reason = code
        self.values = values


@dataclass(frozen=True, slots=True)
class PostSource:
    """What the editor sent: pasted text, a link, or a downloaded file."""

    text: str | None = None
    data: bytes | None = None
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    ref: ContentRef
    duplicate: bool  # stored before: the ref is the earlier draft or publication
    skipped: tuple[Skipped, ...] = ()
    cut_off: CutOff | None = None  # the text seems to stop before its end


def check_upload(filename: str | None, size: int | None) -> None:
    """Refuse a file before downloading it: wrong type or over the size cap."""
    name = filename or ""
    if PurePath(name.lower()).suffix not in ALLOWED_EXTENSIONS:
        raise PostError("bad_file_type", name=name or "?")
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise PostError("too_big", size=size, limit=MAX_UPLOAD_BYTES)


def single_link(text: str) -> str | None:
    """The link when `text` is nothing but one http(s) link."""
    text = text.strip()
    if text.startswith(("http://", "https://")) and not any(c.isspace() for c in text):
        return text
    return None


async def read_source(
    source: PostSource, known: Known, *, fetcher: Fetcher = fetch
) -> ParsedDocument:
    """Parse what the editor sent (fetching a lone link); PostError says what went wrong.

    Parsing runs in a worker thread: the bot keeps answering while a large page is read.
    """
    try:
        if source.data is not None:
            check_upload(source.filename, len(source.data))
            try:
                return await parse_document(source.data, filename=source.filename, known=known)
            except NotText as exc:
                raise PostError("not_text", name=source.filename or "?", error=exc) from None
        text = source.text or ""
        link = single_link(text)
        if link is not None:
            try:
                page = await fetcher(link)
            except FetchError as exc:
                raise PostError("fetch_error", error=exc) from None
            try:
                return await parse_document(
                    page.body,
                    content_type=page.content_type,
                    charset=page.charset,
                    url=page.url,
                    known=known,
                )
            except NotText as exc:
                raise PostError("not_text", name=link, error=exc) from None
        return await parse_text(text, known=known)
    except ParseError as exc:
        if exc.line:
            raise PostError("parse_error_line", line=exc.line, reason=exc.reason) from None
        raise PostError("parse_error", reason=exc.reason) from None


async def post(
    session_factory: async_sessionmaker[AsyncSession],
    source: PostSource,
    *,
    actor_id: int,
    now: dt.datetime,
    fetcher: Fetcher = fetch,
) -> Posted:
    """Read `source` (no transaction open while a link is fetched), then store it as a draft."""
    async with session_factory() as session:
        known = await load_known(session)
    parsed = await read_source(source, known, fetcher=fetcher)
    async with session_factory() as session, session.begin():
        return await store(session, parsed, actor_id=actor_id, now=now)


async def store(
    session: AsyncSession, parsed: ParsedDocument, *, actor_id: int | None, now: dt.datetime
) -> Posted:
    """Store a parsed document as a draft (or find it stored before) and name it by ref."""
    if not parsed.entries:
        raise PostError("nothing")
    try:
        result = await ingest(session, parsed, publish=False, actor_id=actor_id, now=now)
    except IngestError as exc:
        raise PostError("parse_error", reason=str(exc)) from None
    if result.digest_id is not None:
        ref = ContentRef("d", result.digest_id)
    elif result.report_id is not None:
        ref = ContentRef("r", result.report_id)
    elif result.matched_entry_ids:
        ref = ContentRef("e", result.matched_entry_ids[0])
    else:
        raise PostError("nothing")
    return Posted(ref, result.duplicate, tuple(result.skipped), result.cut_off)


class PublishOutcome(enum.StrEnum):
    PUBLISHED = "published"
    ALREADY_PUBLISHED = "already_published"
    RETRACTED = "retracted"
    NOT_FOUND = "not_found"
    NOT_PUBLISHABLE = "not_publishable"  # a single report item: its report publishes


class DiscardOutcome(enum.StrEnum):
    DISCARDED = "discarded"
    NOT_FOUND = "not_found"
    PUBLISHED = "published"  # too late: retract it instead
    NOT_DISCARDABLE = "not_discardable"


async def publish_ref(
    session: AsyncSession, ref: ContentRef, *, actor_id: int | None, now: dt.datetime
) -> PublishOutcome:
    content = await load(session, ref)
    if content is None:
        return PublishOutcome.NOT_FOUND
    if ref.kind == "i":
        return PublishOutcome.NOT_PUBLISHABLE
    if content.status == ContentStatus.PUBLISHED:
        return PublishOutcome.ALREADY_PUBLISHED
    if content.status == ContentStatus.RETRACTED:
        return PublishOutcome.RETRACTED
    if isinstance(content, Entry):
        result = await publishing.publish(
            session, entry_ids=[content.id], actor_id=actor_id, now=now
        )
    elif isinstance(content, DailyReport):
        result = await publishing.publish(
            session, report_ids=[content.id], actor_id=actor_id, now=now
        )
    else:
        assert isinstance(content, Digest)
        result = await publishing.publish(
            session,
            digest_ids=[content.id],
            entry_ids=[e.id for e in digest_entries(content) if e.status in _UNSENT],
            actor_id=actor_id,
            now=now,
        )
    # Another editor (or the scheduler) may have published it a moment ago.
    return PublishOutcome.PUBLISHED if result.count else PublishOutcome.ALREADY_PUBLISHED


async def discard(session: AsyncSession, ref: ContentRef, *, actor_id: int) -> DiscardOutcome:
    """Delete a draft (or scheduled) entry, report or digest and everything stored with it."""
    content = await load(session, ref)
    if content is None:
        return DiscardOutcome.NOT_FOUND
    if ref.kind == "i":
        return DiscardOutcome.NOT_DISCARDABLE
    if content.status not in _UNSENT:
        return DiscardOutcome.PUBLISHED
    details: dict[str, object] = {}
    if isinstance(content, Digest):
        entries = digest_entries(content)
        if any(e.status not in _UNSENT for e in entries):
            return DiscardOutcome.PUBLISHED
        details["entries"] = [e.id for e in entries]
        for entry in entries:
            await session.delete(entry)
    elif isinstance(content, DailyReport):
        details["items"] = len(content.items)
    title = getattr(content, "title", None)
    if title:
        details["title"] = str(title)[:200]
    await session.delete(content)
    await session.flush()
    await audit.record(session, actor_id, "discard", str(ref), details)
    return DiscardOutcome.DISCARDED
