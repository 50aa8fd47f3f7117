"""Who gets what: matching published content against subscriptions.

A subscriber gets an entry or a report item when it follows one of its regions or
commentators, or a keyword that occurs in its text, unless a muted keyword occurs in it too.
Keywords match English on word boundaries, casefolded ("eu" does not match "Europe", "trade
war" matches "trade-war"), and Chinese (or any phrase with CJK characters) as a substring.

Matching runs at two scales:

- a fan-out (`enqueue_alerts`, `enqueue_digest`) queues the recipients of freshly published
  content in one set-based INSERT ... SELECT per batch: region and commentator follows are
  joins; keywords are found in Python with `KeywordMatcher` over the distinct keywords people
  follow (far fewer than subscribers) and joined through a temporary table. `dedup_key`
  (content, subscriber) with ON CONFLICT DO NOTHING makes a second fan-out of the same content,
  from this process or another, queue nothing;
- a daily summary (`bot.scheduling`) matches a day's content against one subscriber's
  subscriptions in memory with `why_matched`.

Each queued row keeps why it matched in `Delivery.reason`, as refs (`encode_ref`): "r:<sub
id>:<region id>", "c:<sub id>:<commentator id>", "k:<sub id>:<keyword>", one per line; digest
refs carry a count ("6*r:12:3"). The sender turns them into "Japan · Lian Degui" in the
subscriber's language and into the unfollow buttons.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    ContentStatus,
    DeliveryMode,
    DeliveryStatus,
    Entry,
    ReportItem,
    SubscriberStatus,
    Subscription,
    SubscriptionKind,
    UtcDateTime,
)

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD_RE = re.compile(r"\w+")
REF_SEPARATOR = "\n"
KIND_CODES = {
    SubscriptionKind.REGION: "r",
    SubscriptionKind.COMMENTATOR: "c",
    SubscriptionKind.KEYWORD: "k",
}
CODE_KINDS = {v: str(k) for k, v in KIND_CODES.items()}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class KeywordMatcher:
    """Finds which of many keywords occur in a text, in one pass over its words.

    Latin keywords are word sequences looked up by their first word; keywords with CJK
    characters are substrings (Chinese has no spaces between words).
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._substrings: list[tuple[str, str]] = []
        for keyword in set(keywords):
            folded = fold(keyword)
            if _CJK_RE.search(folded):
                self._substrings.append((folded, keyword))
                continue
            words = tuple(_WORD_RE.findall(folded))
            if words:
                self._by_first.setdefault(words[0], []).append((words, keyword))

    def __bool__(self) -> bool:
        return bool(self._by_first or self._substrings)

    def find(self, text: str) -> set[str]:
        folded = fold(text)
        found = {keyword for needle, keyword in self._substrings if needle in folded}
        if self._by_first:
            words = _WORD_RE.findall(folded)
            by_first = self._by_first
            for i, word in enumerate(words):
                candidates = by_first.get(word)
                if candidates:
                    for sequence, keyword in candidates:
                        n = len(sequence)
                        if n == 1 or tuple(words[i : i + n]) == sequence:
                            found.add(keyword)
        return found


def keyword_in_text(keyword: str, text: str) -> bool:
    return bool(KeywordMatcher([keyword]).find(text))


def searchable_text(row: Entry | ReportItem) -> str:
    """The text keywords and mutes are looked for in (relationships must be loaded)."""
    if isinstance(row, Entry):
        parts = [row.title, row.title_zh, row.summary, row.text, row.outlet, row.affiliation]
        for c in row.commentators:
            parts += [c.name, c.name_zh]
    else:
        parts = [row.headline, row.title_zh, row.summary_zh, row.text]
    return "\n".join(p for p in parts if p)


# --- refs (why something matched) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    kind: str  # region | commentator | keyword
    subscription_id: int
    target_id: int | None = None
    keyword: str | None = None
    count: int | None = None


def encode_ref(ref: Ref) -> str:
    code = KIND_CODES[SubscriptionKind(ref.kind)]
    tail = ref.keyword if ref.kind == SubscriptionKind.KEYWORD else str(ref.target_id)
    prefix = f"{ref.count}*" if ref.count is not None else ""
    return f"{prefix}{code}:{ref.subscription_id}:{tail}"


def decode_refs(reason: str | None) -> list[Ref]:
    """Refs from `Delivery.reason`, regions first, then commentators, then keywords; anything
    malformed is skipped (a reason is an explanation, never a reason not to send)."""
    refs = []
    for part in (reason or "").split(REF_SEPARATOR):
        count = None
        head, _, rest = part.partition(":")
        if "*" in head:
            n, _, head = head.partition("*")
            count = int(n) if n.isdigit() else None
        sub_id, _, tail = rest.partition(":")
        kind = CODE_KINDS.get(head)
        if kind is None or not sub_id.isdigit() or not tail:
            continue
        if kind == SubscriptionKind.KEYWORD:
            refs.append(Ref(kind, int(sub_id), keyword=tail, count=count))
        elif tail.isdigit():
            refs.append(Ref(kind, int(sub_id), target_id=int(tail), count=count))
    order = {"region": 0, "commentator": 1, "keyword": 2}
    return sorted(refs, key=lambda r: (order[r.kind], -(r.count or 0), r.subscription_id))


# --- in-memory matching (daily summaries) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Follow:
    """A subscription as plain data."""

    id: int
    kind: str
    region_id: int | None = None
    commentator_id: int | None = None
    keyword: str | None = None

    @classmethod
    def of(cls, row: Subscription) -> Follow:
        return cls(row.id, row.kind, row.region_id, row.commentator_id, row.keyword)


@dataclass(frozen=True, slots=True)
class Features:
    """What matching needs to know about one entry or item."""

    region_ids: frozenset[int]
    commentator_ids: frozenset[int]
    keywords: frozenset[str]  # the followed or muted keywords found in its text


def features_of(row: Entry | ReportItem, matcher: KeywordMatcher) -> Features:
    return Features(
        frozenset(r.id for r in row.regions),
        frozenset(c.id for c in row.commentators),
        frozenset(matcher.find(searchable_text(row)) if matcher else ()),
    )


def why_matched(follows: Sequence[Follow], features: Features) -> list[Ref]:
    """The follows that bring this content, or [] when none does or a mute excludes it."""
    refs = []
    for f in follows:
        if f.kind == SubscriptionKind.MUTE:
            if f.keyword in features.keywords:
                return []
        elif f.kind == SubscriptionKind.REGION and f.region_id in features.region_ids:
            refs.append(Ref(f.kind, f.id, target_id=f.region_id))
        elif (
            f.kind == SubscriptionKind.COMMENTATOR and f.commentator_id in features.commentator_ids
        ):
            refs.append(Ref(f.kind, f.id, target_id=f.commentator_id))
        elif f.kind == SubscriptionKind.KEYWORD and f.keyword in features.keywords:
            refs.append(Ref(f.kind, f.id, keyword=f.keyword))
    return refs


# --- set-based fan-out ------------------------------------------------------------------

_SOURCES = {
    "item": ("item_regions", "item_commentators", "item_id"),
    "entry": ("entry_regions", "entry_commentators", "entry_id"),
}


def _agg(dialect: str, expression: str) -> str:
    if dialect == "postgresql":
        return f"string_agg({expression}, chr(10))"
    return f"group_concat({expression}, char(10))"


@dataclass
class KeywordHits:
    """The followed and muted keywords found in each piece of content (`cid`)."""

    rows: list[dict[str, Any]]

    @property
    def followed(self) -> bool:
        return any(r["mute"] == 0 for r in self.rows)

    @property
    def muted(self) -> bool:
        return any(r["mute"] == 1 for r in self.rows)

    def only(self, ids: Sequence[int]) -> KeywordHits:
        wanted = set(ids)
        return KeywordHits([r for r in self.rows if r["cid"] in wanted])


async def find_keyword_hits(session: AsyncSession, texts: dict[int, str]) -> KeywordHits:
    """Look for every distinct followed or muted keyword in each text (one pass per text)."""
    rows = await session.execute(
        select(Subscription.kind, Subscription.keyword)
        .where(Subscription.kind.in_([SubscriptionKind.KEYWORD, SubscriptionKind.MUTE]))
        .distinct()
    )
    followed: set[str] = set()
    muted: set[str] = set()
    for kind, keyword in rows:
        if keyword:
            (muted if kind == SubscriptionKind.MUTE else followed).add(keyword)
    hits: list[dict[str, Any]] = []
    matcher = KeywordMatcher(followed | muted)
    if matcher:
        for cid, body in texts.items():
            for keyword in matcher.find(body):
                if keyword in followed:
                    hits.append({"cid": cid, "keyword": keyword, "mute": 0})
                if keyword in muted:
                    hits.append({"cid": cid, "keyword": keyword, "mute": 1})
    return KeywordHits(hits)


async def _load_hits(session: AsyncSession, hits: KeywordHits) -> None:
    """Put `hits` in the temporary table `keyword_hits(cid, keyword, mute)` of this session's
    connection, where the fan-out statements join them with subscriptions."""
    await session.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS keyword_hits "
            "(cid INTEGER, keyword TEXT, mute INTEGER)"
        )
    )
    await session.execute(text("DELETE FROM keyword_hits"))
    if hits.rows:
        await session.execute(
            text("INSERT INTO keyword_hits (cid, keyword, mute) VALUES (:cid, :keyword, :mute)"),
            hits.rows,
        )


def _matches_sql(content_type: str, ids: Sequence[int], hits: KeywordHits) -> str:
    """(cid, sid, ref) for every follow that brings content `cid` to subscriber `sid`, muted
    content excluded. Used for digests, where counts need every match."""
    regions, commentators, column = _SOURCES[content_type]
    id_list = ", ".join(str(int(i)) for i in ids)
    parts = [
        f"SELECT x.{column} AS cid, f.subscriber_id AS sid, "
        "'r:' || f.id || ':' || f.region_id AS ref "
        f"FROM {regions} x JOIN subscriptions f ON f.region_id = x.region_id AND f.kind = 'region' "
        f"WHERE x.{column} IN ({id_list})",
        f"SELECT x.{column}, f.subscriber_id, 'c:' || f.id || ':' || f.commentator_id "
        f"FROM {commentators} x JOIN subscriptions f "
        f"ON f.commentator_id = x.commentator_id AND f.kind = 'commentator' "
        f"WHERE x.{column} IN ({id_list})",
    ]
    if hits.followed:
        parts.append(
            "SELECT h.cid, f.subscriber_id, 'k:' || f.id || ':' || f.keyword "
            "FROM keyword_hits h JOIN subscriptions f "
            "ON f.keyword = h.keyword AND f.kind = 'keyword' WHERE h.mute = 0"
        )
    matches = " UNION ALL ".join(parts)
    if not hits.muted:
        return matches
    return (
        f"SELECT m.cid, m.sid, m.ref FROM ({matches}) m WHERE NOT EXISTS ("
        "SELECT 1 FROM keyword_hits h JOIN subscriptions f "
        "ON f.keyword = h.keyword AND f.kind = 'mute' "
        "WHERE h.mute = 1 AND h.cid = m.cid AND f.subscriber_id = m.sid)"
    )


_INSERT_COLUMNS = (
    "subscriber_id, chat_id, thread_id, kind, priority, content_type, content_id, dedup_key, "
    "reason, text, disable_preview, status, attempts, created_at, updated_at"
)


def _typed(statement: str) -> Any:
    params = [bindparam("now", type_=UtcDateTime())]
    if re.search(r":no\b", statement):
        params.append(bindparam("no", value=False))
    return text(statement).bindparams(*params)


def _alert_insert(dialect: str, content_type: str, priority: int, source: str) -> str:
    """INSERT one alert row per (content `cid`, subscriber `sid`, `ref`) that `source` selects,
    for active instant-mode subscribers. A second follow bringing the same content to the same
    subscriber in this fan-out adds its ref to the row's reason instead of a second row."""
    newline = "chr(10)" if dialect == "postgresql" else "char(10)"
    return (
        f"INSERT INTO deliveries ({_INSERT_COLUMNS}) "
        f"SELECT s.id, s.chat_id, s.thread_id, 'alert', {int(priority)}, '{content_type}', m.cid, "
        f"'{content_type}:' || m.cid || ':' || s.id, m.ref, '', :no, "
        f"'{DeliveryStatus.PENDING}', 0, :now, :now "
        f"FROM ({source}) m JOIN subscribers s ON s.id = m.sid "
        f"WHERE s.status = '{SubscriberStatus.ACTIVE}' AND s.mode = '{DeliveryMode.INSTANT}' "
        "ON CONFLICT (dedup_key) DO UPDATE "
        f"SET reason = deliveries.reason || {newline} || excluded.reason "
        "WHERE deliveries.created_at = excluded.created_at "
        f"AND deliveries.status = '{DeliveryStatus.PENDING}'"
    )


async def enqueue_alerts(
    session: AsyncSession,
    content_type: str,
    rows: Sequence[Entry | ReportItem],
    *,
    now: dt.datetime,
    priority: int = 10,
    hits: KeywordHits | None = None,
) -> int:
    """Queue an instant alert of each entry or item (`content_type` "entry" / "item") for every
    active instant-mode subscriber it matches; returns how many rows were written (new rows,
    plus rows whose reason gained a second follow). Rows need
    their commentators loaded (keyword text includes their names).

    One statement per (content, region) and (content, commentator) pair: a subscriber follows a
    region or a commentator at most once, so each statement writes each row once, with no
    GROUP BY over hundreds of thousands of rows; statements go content by content, which also
    interleaves chats in the queue (the sender never waits on one chat's per-second limit).
    `hits` are the keywords found in the rows' text (`find_keyword_hits`), when the caller
    computed them already."""
    if not rows:
        return 0
    dialect = session.bind.dialect.name
    if dialect == "sqlite":
        # A fan-out touches a few hundred thousand index entries: keep the pages in memory.
        await session.execute(text("PRAGMA cache_size = -65536"))
    regions_table, commentators_table, column = _SOURCES[content_type]
    ids = sorted(r.id for r in rows)
    id_list = ", ".join(str(int(i)) for i in ids)
    region_pairs = (
        await session.execute(
            text(f"SELECT {column}, region_id FROM {regions_table} WHERE {column} IN ({id_list})")
        )
    ).all()
    commentator_pairs = (
        await session.execute(
            text(
                f"SELECT {column}, commentator_id FROM {commentators_table} "
                f"WHERE {column} IN ({id_list})"
            )
        )
    ).all()
    if hits is None:
        hits = await find_keyword_hits(session, {r.id: searchable_text(r) for r in rows})
    await _load_hits(session, hits)
    with_keywords, with_mutes = hits.followed, hits.muted
    by_region = _alert_insert(
        dialect,
        content_type,
        priority,
        "SELECT :cid AS cid, f.subscriber_id AS sid, 'r:' || f.id || ':' || f.region_id AS ref "
        "FROM subscriptions f WHERE f.region_id = :target AND f.kind = 'region'",
    )
    by_commentator = _alert_insert(
        dialect,
        content_type,
        priority,
        "SELECT :cid AS cid, f.subscriber_id AS sid, "
        "'c:' || f.id || ':' || f.commentator_id AS ref "
        "FROM subscriptions f "
        "WHERE f.commentator_id = :target AND f.kind = 'commentator'",
    )
    written = 0
    work = sorted(
        [(cid, 0, target) for cid, target in region_pairs]
        + [(cid, 1, target) for cid, target in commentator_pairs]
    )
    for cid, kind, target in work:
        statement = _typed(by_commentator if kind else by_region).bindparams(
            bindparam("cid", type_=Integer()), bindparam("target", type_=Integer())
        )
        result = await session.execute(statement, {"now": now, "cid": cid, "target": target})
        written += int(result.rowcount or 0)  # type: ignore[attr-defined]
    if with_keywords:
        # Two followed keywords can bring one item: aggregate (this branch is small).
        refs = _agg(dialect, "'k:' || f.id || ':' || f.keyword")
        by_keyword = _alert_insert(
            dialect,
            content_type,
            priority,
            f"SELECT h.cid AS cid, f.subscriber_id AS sid, "
            f"{refs} AS ref "
            "FROM keyword_hits h JOIN subscriptions f "
            "ON f.keyword = h.keyword AND f.kind = 'keyword' "
            f"WHERE h.mute = 0 GROUP BY h.cid, f.subscriber_id",
        )
        result = await session.execute(_typed(by_keyword), {"now": now})
        written += int(result.rowcount or 0)  # type: ignore[attr-defined]
    if with_mutes:
        # Muted content is taken back out (mutes are few; this beats testing every row).
        result = await session.execute(
            _typed(
                # By dedup_key (unique, indexed): the rows of muted (content, subscriber) pairs.
                "DELETE FROM deliveries WHERE dedup_key IN ("
                f"SELECT '{content_type}:' || h.cid || ':' || f.subscriber_id "
                "FROM keyword_hits h "
                "JOIN subscriptions f ON f.keyword = h.keyword AND f.kind = 'mute' "
                "WHERE h.mute = 1) "
                f"AND created_at = :now AND status = '{DeliveryStatus.PENDING}'"
            ),
            {"now": now},
        )
        written -= int(result.rowcount or 0)  # type: ignore[attr-defined]
    return written


async def enqueue_digest(
    session: AsyncSession,
    digest_id: int,
    *,
    now: dt.datetime,
    priority: int = 15,
    entries: Sequence[Entry] | None = None,
    hits: KeywordHits | None = None,
) -> int:
    """Queue the digest's link for every active subscriber (instant or daily) who follows
    something among its published entries, with per-follow counts in the reason. `entries`
    (commentators loaded) and `hits` may be passed when the caller has them."""
    if entries is None:
        entries = await digest_entries(session, digest_id)
    if not entries:
        return 0
    dialect = session.bind.dialect.name
    if hits is None:
        hits = await find_keyword_hits(session, {e.id: searchable_text(e) for e in entries})
    await _load_hits(session, hits)
    matches = _matches_sql("entry", [e.id for e in entries], hits)
    counted = "c.n || '*' || c.ref"
    statement = (
        f"INSERT INTO deliveries ({_INSERT_COLUMNS}) "
        f"SELECT s.id, s.chat_id, s.thread_id, 'digest', {int(priority)}, 'digest', "
        f"{int(digest_id)}, 'digest:{int(digest_id)}:' || s.id, {_agg(dialect, counted)}, '', "
        f":no, '{DeliveryStatus.PENDING}', 0, :now, :now "
        f"FROM (SELECT m.sid, m.ref, count(DISTINCT m.cid) AS n FROM ({matches}) m "
        "GROUP BY m.sid, m.ref) c JOIN subscribers s ON s.id = c.sid "
        f"WHERE s.status = '{SubscriberStatus.ACTIVE}' "
        f"AND s.mode IN ('{DeliveryMode.INSTANT}', '{DeliveryMode.DAILY}') "
        "GROUP BY s.id, s.chat_id, s.thread_id ORDER BY s.id "
        "ON CONFLICT (dedup_key) DO NOTHING"
    )
    result = await session.execute(_typed(statement), {"now": now})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def digest_entries(session: AsyncSession, digest_id: int) -> list[Entry]:
    return list(
        await session.scalars(
            select(Entry)
            .where(Entry.digest_id == digest_id, Entry.status == ContentStatus.PUBLISHED)
            .options(selectinload(Entry.commentators))
        )
    )
