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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import lexicon
from storage.models import (
    ContentStatus,
    DeliveryMode,
    DeliveryStatus,
    Entry,
    FanoutBatch,
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
    """Casefolded NFKC text with traditional characters simplified (`bot.lexicon.fold`)."""
    return lexicon.fold(text)


class KeywordMatcher:
    """Finds which of many keywords occur in a text, in one pass over its words.

    Latin keywords are word sequences looked up by their first word; keywords with CJK
    characters are substrings (Chinese has no spaces between words). Each keyword also matches
    its equivalents in the other language (`bot.lexicon.equivalents`: 关税 matches "tariffs",
    "rare earth" matches 稀土): English equivalents as word sequences compared by stem (so
    plurals match), Chinese ones as substrings; `find` reports the keyword itself. Traditional
    characters are folded to simplified in keywords and texts alike.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        # First word -> (words, keyword, compare stems) for Latin needles; (needle, keyword)
        # for CJK ones. A keyword's own words match as typed ("tariff" is not "tariffs").
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        self._substrings: list[tuple[str, str]] = []
        # First two letters of the words of stemmed needles: only words that begin like one
        # of them are stemmed (the stem of a word begins with its first letters).
        self._stem_prefixes: set[str] = set()
        for keyword in set(keywords):
            folded = fold(keyword)
            self._add(folded, keyword, stemmed=False)
            for equivalent in lexicon.equivalents(folded):
                self._add(equivalent, keyword, stemmed=True)

    def _add(self, needle: str, keyword: str, *, stemmed: bool) -> None:
        if _CJK_RE.search(needle):
            self._substrings.append((needle, keyword))
            return
        words = tuple(_WORD_RE.findall(needle))
        if stemmed:
            words = tuple(lexicon.stem(w) for w in words)
            self._stem_prefixes.update(w[:2] for w in words)
        if words:
            self._by_first.setdefault(words[0], []).append((words, keyword, stemmed))

    def __bool__(self) -> bool:
        return bool(self._by_first or self._substrings)

    def find(self, text: str) -> set[str]:
        folded = fold(text)
        found = {keyword for needle, keyword in self._substrings if needle in folded}
        if self._by_first:
            words = _WORD_RE.findall(folded)
            prefixes = self._stem_prefixes
            stem = lexicon.stem
            stems = [stem(w) if w[:2] in prefixes else w for w in words] if prefixes else words
            by_first = self._by_first
            for i, word in enumerate(words):
                keys = (word,) if stems[i] == word else (word, stems[i])
                for key in keys:
                    for sequence, keyword, stemmed in by_first.get(key, ()):
                        source = stems if stemmed else words
                        n = len(sequence)
                        if source[i] == sequence[0] and (
                            n == 1 or tuple(source[i : i + n]) == sequence
                        ):
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
    checked: frozenset[str] = frozenset()  # every keyword looked for

    @property
    def followed(self) -> bool:
        return any(r["mute"] == 0 for r in self.rows)

    @property
    def muted(self) -> bool:
        return any(r["mute"] == 1 for r in self.rows)

    def only(self, ids: Sequence[int]) -> KeywordHits:
        wanted = set(ids)
        return KeywordHits([r for r in self.rows if r["cid"] in wanted], self.checked)


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
    return KeywordHits(hits, frozenset(followed | muted))


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


async def content_features(
    session: AsyncSession, content_type: str, ids: Sequence[int], hits: KeywordHits
) -> dict[int, Features]:
    """Regions, commentators and keywords found (followed or muted) of each entry or item."""
    regions_table, commentators_table, column = _SOURCES[content_type]
    id_list = ", ".join(str(int(i)) for i in ids)
    found: dict[int, tuple[set[int], set[int], set[str]]] = {i: (set(), set(), set()) for i in ids}
    for table, slot, target in (
        (regions_table, 0, "region_id"),
        (commentators_table, 1, "commentator_id"),
    ):
        pairs = await session.execute(
            text(f"SELECT {column}, {target} FROM {table} WHERE {column} IN ({id_list})")
        )
        for cid, target_id in pairs:
            found[cid][slot].add(target_id)  # type: ignore[attr-defined]
    for hit in hits.rows:
        if hit["cid"] in found:
            found[hit["cid"]][2].add(hit["keyword"])
    return {
        cid: Features(frozenset(r), frozenset(c), frozenset(k)) for cid, (r, c, k) in found.items()
    }


async def plan_alerts(
    session: AsyncSession,
    content_type: str,
    rows: Sequence[Entry | ReportItem],
    *,
    now: dt.datetime,
    priority: int = 10,
    hits: KeywordHits | None = None,
) -> int:
    """Record who may get an instant alert of each entry or item (`content_type` "entry" /
    "item"): a `FanoutBatch` with the content's features and one `FanoutRecipient` per active
    instant-mode subscriber with a follow among them, written by one INSERT ... SELECT.
    Returns how many recipients were recorded. `bot.delivery.recipients` later expands them
    into outbox rows, one per (subscriber, entry or item) that still matches, mutes applied.
    Rows need their commentators loaded (keyword text includes their names); `hits` are the
    keywords found in their text (`find_keyword_hits`) when the caller computed them."""
    if not rows:
        return 0
    if hits is None:
        hits = await find_keyword_hits(session, {r.id: searchable_text(r) for r in rows})
    ordered = sorted(rows, key=lambda r: (getattr(r, "position", 0), r.id))
    features = await content_features(session, content_type, [r.id for r in ordered], hits)
    batch = FanoutBatch(
        content_type=content_type,
        priority=priority,
        features={
            "checked": sorted(hits.checked),
            "content": [
                [r.id, sorted(f.region_ids), sorted(f.commentator_ids), sorted(f.keywords)]
                for r in ordered
                for f in [features[r.id]]
            ],
        },
        created_at=now,
    )
    session.add(batch)
    await session.flush()
    regions = {i for f in features.values() for i in f.region_ids}
    commentators = {i for f in features.values() for i in f.commentator_ids}
    followed = sorted({h["keyword"] for h in hits.rows if h["mute"] == 0})
    conditions = []
    params: dict[str, Any] = {"batch": batch.id}
    if regions:
        conditions.append(f"(f.kind = 'region' AND f.region_id IN ({_ints(regions)}))")
    if commentators:
        conditions.append(
            f"(f.kind = 'commentator' AND f.commentator_id IN ({_ints(commentators)}))"
        )
    if followed:
        names = ", ".join(f":k{i}" for i in range(len(followed)))
        conditions.append(f"(f.kind = 'keyword' AND f.keyword IN ({names}))")
        params |= {f"k{i}": keyword for i, keyword in enumerate(followed)}
    if not conditions:
        return 0
    result = await session.execute(
        text(
            "INSERT INTO fanout_recipients (batch_id, subscriber_id) "
            # The matching follows first, then their subscribers: no plan can turn this into
            # a probe of the subscriptions per subscriber (PostgreSQL did, with stale stats).
            "SELECT :batch, m.sid FROM (SELECT DISTINCT f.subscriber_id AS sid "
            f"FROM subscriptions f WHERE {' OR '.join(conditions)}) m "
            "JOIN subscribers s ON s.id = m.sid "
            f"WHERE s.status = '{SubscriberStatus.ACTIVE}' AND s.mode = '{DeliveryMode.INSTANT}' "
            "ORDER BY m.sid"
        ),
        params,
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _ints(values: Iterable[int]) -> str:
    return ", ".join(str(int(v)) for v in sorted(values))


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
    something among its published entries, with per-follow counts in the reason. A digest
    registered by its link alone (no entries known) goes to every active subscriber who
    follows anything: it is the monthly issue they signed up for. `entries` (commentators
    loaded) and `hits` may be passed when the caller has them."""
    if entries is None:
        entries = await digest_entries(session, digest_id)
    if not entries:
        return await _enqueue_link_only_digest(session, digest_id, now=now, priority=priority)
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


async def _enqueue_link_only_digest(
    session: AsyncSession, digest_id: int, *, now: dt.datetime, priority: int
) -> int:
    statement = (
        f"INSERT INTO deliveries ({_INSERT_COLUMNS}) "
        f"SELECT s.id, s.chat_id, s.thread_id, 'digest', {int(priority)}, 'digest', "
        f"{int(digest_id)}, 'digest:{int(digest_id)}:' || s.id, '', '', :no, "
        f"'{DeliveryStatus.PENDING}', 0, :now, :now FROM subscribers s "
        f"WHERE s.status = '{SubscriberStatus.ACTIVE}' "
        f"AND s.mode IN ('{DeliveryMode.INSTANT}', '{DeliveryMode.DAILY}') "
        "AND s.id IN (SELECT f.subscriber_id FROM subscriptions f "
        f"WHERE f.kind <> '{SubscriptionKind.MUTE}') "
        "ORDER BY s.id ON CONFLICT (dedup_key) DO NOTHING"
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
