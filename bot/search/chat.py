"""Search as the chat uses it: /search pages that remember their query, plain messages in a
private chat read as queries (`text_query`), and inline mode.

A query does not fit in 64 bytes of callback data, so a /search whose results run past one page
stores it in a `PendingAction` (kind "search", two days) and its buttons carry that id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.search.query import parse_query
from bot.search.service import SearchPage, SearchResult, search
from storage.models import Digest, Entry, PendingAction, ReportItem

ACTION_KIND = "search"
ACTION_TTL = dt.timedelta(days=2)
PER_PAGE = 5
INLINE_PER_PAGE = 10
MAX_QUERY_CHARS = 4096


# A plain message in a private chat is searched when it reads like a query: at least two
# characters ("EU", "日本"), at most what a question needs. Longer text is a pasted article or
# a letter to the editors, not something to search for.
MIN_TEXT_QUERY_CHARS = 2
MAX_TEXT_QUERY_CHARS = 200
# Messages people send a bot that mean "hello" or "what now?", not a search.
_SMALL_TALK = """hi hello hey hallo hiya yo thanks thx ty ok okay yes no help start menu
你好 您好 嗨 哈喽 谢谢 多谢 好 好的 帮助 开始 菜单"""
SMALL_TALK = frozenset(_SMALL_TALK.split()) | {"thank you", "good morning", "good evening"}
_TRAILING = " !.?,~。！？，～"


def clean(text: str) -> str:
    """At most MAX_QUERY_CHARS, and valid text (a lone surrogate would fail to encode when
    the query is echoed back)."""
    return text[:MAX_QUERY_CHARS].encode("utf-8", "replace").decode("utf-8")


def text_query(text: str) -> str | None:
    """What a plain message sent to the bot in a private chat searches for; None when it is
    not a query: too short or too long, greetings and thanks, or nothing searchable (emoji,
    punctuation)."""
    text = " ".join(clean(text).split())
    if not MIN_TEXT_QUERY_CHARS <= len(text) <= MAX_TEXT_QUERY_CHARS:
        return None
    if text.casefold().rstrip(_TRAILING) in SMALL_TALK:
        return None
    if not any(ch.isalnum() for ch in text):  # letters, digits and Chinese characters
        return None
    return text


@dataclass(frozen=True)
class ChatSearch:
    page: SearchPage
    query_text: str
    action_id: int | None  # the stored query behind "More" / "Back"; None: one page only


async def start_search(
    session: AsyncSession,
    *,
    text: str,
    chat_id: int,
    user_id: int | None,
    now: dt.datetime,
) -> ChatSearch:
    """The first page of results for `text`; stores the query when there are more pages."""
    text = clean(text)
    today = now.date()
    page = await search(session, parse_query(text, today=today), limit=PER_PAGE, today=today)
    action_id = None
    if page.has_more:
        await session.execute(
            delete(PendingAction).where(
                PendingAction.kind == ACTION_KIND, PendingAction.expires_at < now
            )
        )
        action = PendingAction(
            kind=ACTION_KIND,
            owner_id=user_id,
            chat_id=chat_id,
            payload={"q": text, "today": today.isoformat()},
            created_at=now,
            expires_at=now + ACTION_TTL,
        )
        session.add(action)
        await session.flush()
        action_id = action.id
    return ChatSearch(page, text, action_id)


async def show_page(
    session: AsyncSession,
    *,
    action_id: int,
    number: int,
    chat_id: int,
    now: dt.datetime,
) -> ChatSearch | None:
    """Page `number` (0-based) of a stored search; None when the button is stale or belongs
    to another chat."""
    action = await session.get(PendingAction, action_id)
    if (
        action is None
        or action.kind != ACTION_KIND
        or action.chat_id != chat_id
        or (action.expires_at is not None and action.expires_at < now)
    ):
        return None
    payload = action.payload or {}
    text = str(payload.get("q", ""))
    try:
        today = dt.date.fromisoformat(str(payload.get("today")))
    except ValueError:
        today = now.date()
    query = parse_query(text, today=today)
    offset = max(0, number) * PER_PAGE
    page = await search(session, query, limit=PER_PAGE, offset=offset, today=today)
    if not page.results and page.total:  # a button from before a retraction: the last page
        offset = (page.total - 1) // PER_PAGE * PER_PAGE
        page = await search(session, query, limit=PER_PAGE, offset=offset, today=today)
    return ChatSearch(page, text, action_id)


# --- inline mode --------------------------------------------------------------------------


@dataclass(frozen=True)
class InlineSearch:
    results: tuple[SearchResult, ...]
    # The content behind each result, loaded for rendering as subscribers see it.
    rows: dict[tuple[str, int], Entry | ReportItem | Digest]
    next_offset: str  # "" when there is nothing more


async def inline_search(
    session: AsyncSession, *, text: str, offset: str, now: dt.datetime
) -> InlineSearch:
    """Results for an inline query (the newest content while nothing is typed yet)."""
    start = int(offset) if offset.isdigit() and len(offset) < 6 else 0
    today = now.date()
    page = await search(
        session,
        parse_query(clean(text), today=today),
        limit=INLINE_PER_PAGE,
        offset=start,
        today=today,
        latest_when_empty=True,
    )
    rows = await load_content(session, page.results)
    next_offset = str(start + len(page.results)) if page.has_more else ""
    return InlineSearch(page.results, rows, next_offset)


async def load_content(
    session: AsyncSession, results: tuple[SearchResult, ...]
) -> dict[tuple[str, int], Entry | ReportItem | Digest]:
    """The rows behind `results`, with what bot.render.content needs loaded."""
    ids: dict[str, list[int]] = {}
    for result in results:
        ids.setdefault(result.type, []).append(result.id)
    out: dict[tuple[str, int], Entry | ReportItem | Digest] = {}
    if ids.get("entry"):
        entries = await session.scalars(
            select(Entry)
            .where(Entry.id.in_(ids["entry"]))
            .options(selectinload(Entry.commentators), selectinload(Entry.regions))
        )
        out.update({("entry", e.id): e for e in entries})
    if ids.get("item"):
        items = await session.scalars(select(ReportItem).where(ReportItem.id.in_(ids["item"])))
        out.update({("item", i.id): i for i in items})
    if ids.get("digest"):
        digests = await session.scalars(select(Digest).where(Digest.id.in_(ids["digest"])))
        out.update({("digest", d.id): d for d in digests})
    return out
