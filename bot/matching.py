"""Who gets what: the one rule that matches published content against subscriptions.

A subscriber gets an entry or a report item when it follows one of its regions or
commentators, or a keyword that occurs in its text, unless a muted keyword occurs in it too
(`why_matched`). A publication (a daily report, a digest, a single article) brings a subscriber
the pieces that match, in the publication's order, as one message; a digest known only by its
link brings everyone who follows anything (`edition_for`). Keywords match English on word
boundaries, casefolded ("eu" does not match "Europe", "trade war" matches "trade-war"), and
Chinese (or any phrase with CJK characters) as a substring.

Every path applies these two functions to plain data (`Follow`, `Features`): instant editions
(`bot.delivery.recipients`), daily summaries (`bot.delivery.summaries`) and catch-up
(`bot.catchup`). SQL is only a pre-filter: at publication `plan_publication` records, in one
INSERT ... SELECT, every active instant-mode subscriber with a follow among the publication's
regions, commentators and keywords found (mutes are applied later, by the rule).

Why something came is kept as refs (`encode_ref`): "r:<sub id>:<region id>", "c:<sub id>:
<commentator id>", "k:<sub id>:<keyword>". The sender turns them into "Japan · Lian Degui" in
the subscriber's language and into the unfollow buttons.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import false, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import lexicon
from storage.models import (
    ContentStatus,
    DeliveryMode,
    Entry,
    FanoutBatch,
    FanoutRecipient,
    ReportItem,
    Subscriber,
    SubscriberStatus,
    Subscription,
    SubscriptionKind,
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
        parts = [row.headline, row.title_zh, row.summary_zh, row.summary_en, row.text]
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


def decode_refs(reason: str | Iterable[str] | None) -> list[Ref]:
    """Refs from `Delivery.reason` (one per line) or an edition's "why" list, regions first,
    then commentators, then keywords; anything malformed is skipped (a reason is an
    explanation, never a reason not to send)."""
    parts = (reason or "").split(REF_SEPARATOR) if isinstance(reason, str | None) else reason
    refs = []
    for part in parts:
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


# --- the rule ---------------------------------------------------------------------------


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
    """`row.regions` and `row.commentators` must be loaded."""
    return Features(
        frozenset(r.id for r in row.regions),
        frozenset(c.id for c in row.commentators),
        frozenset(matcher.find(searchable_text(row)) if matcher else ()),
    )


# Plain strings: comparing with them is several times cheaper than with enum members, and
# this runs for every (subscriber, piece) pair of a fan-out.
_REGION = SubscriptionKind.REGION.value
_COMMENTATOR = SubscriptionKind.COMMENTATOR.value
_KEYWORD = SubscriptionKind.KEYWORD.value
_MUTE = SubscriptionKind.MUTE.value


def why_matched(follows: Sequence[Follow], features: Features) -> list[Ref]:
    """The follows that bring this content, or [] when none does or a mute excludes it."""
    refs = []
    for f in follows:
        kind = f.kind
        if kind == _REGION:
            if f.region_id in features.region_ids:
                refs.append(Ref(kind, f.id, f.region_id))
        elif kind == _COMMENTATOR:
            if f.commentator_id in features.commentator_ids:
                refs.append(Ref(kind, f.id, f.commentator_id))
        elif kind == _KEYWORD:
            if f.keyword in features.keywords:
                refs.append(Ref(kind, f.id, keyword=f.keyword))
        elif kind == _MUTE and f.keyword in features.keywords:
            return []
    return refs


def follows_anything(follows: Sequence[Follow]) -> bool:
    return any(f.kind != SubscriptionKind.MUTE for f in follows)


@dataclass(frozen=True, slots=True)
class Match:
    """A piece of a publication (item or entry id) and the follows that bring it."""

    piece_id: int
    refs: list[Ref]


def edition_for(
    follows: Sequence[Follow],
    pieces: Sequence[tuple[int, Features]],
    *,
    link_only: bool = False,
) -> list[Match] | None:
    """What one publication brings a subscriber: its matching pieces in order, or None when it
    brings nothing. A digest known only by its link (`link_only`, no pieces) is the monthly
    issue everyone who follows anything signed up for: [] for them."""
    if link_only:
        return [] if follows_anything(follows) else None
    matched = [
        Match(pid, refs) for pid, features in pieces if (refs := why_matched(follows, features))
    ]
    return matched or None


# --- publication: the SQL pre-filter ----------------------------------------------------


@dataclass
class KeywordSets:
    """Every keyword someone follows or mutes, and a matcher that finds them all at once."""

    followed: frozenset[str]
    muted: frozenset[str]
    matcher: KeywordMatcher

    @property
    def checked(self) -> frozenset[str]:
        return self.followed | self.muted


async def keyword_sets(session: AsyncSession) -> KeywordSets:
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
    return KeywordSets(frozenset(followed), frozenset(muted), KeywordMatcher(followed | muted))


@dataclass(frozen=True)
class Publication:
    """What one fan-out batch delivers: a daily report ("report", its published items), a
    digest ("digest", its published entries; none known: link only) or a single article
    ("entry", the entry itself). Pieces need `regions` and `commentators` loaded."""

    content_type: str
    id: int
    pieces: Sequence[Entry | ReportItem]
    priority: int = 10


async def plan_publication(
    session: AsyncSession,
    publication: Publication,
    *,
    now: dt.datetime,
    keywords: KeywordSets,
    sizes: Callable[[Entry | ReportItem, frozenset[str]], dict[str, int]] | None = None,
    header: int = 0,
) -> int:
    """Record who may get an instant edition of `publication`: a `FanoutBatch` with its
    pieces' features and one `FanoutRecipient` per active instant-mode subscriber with a follow
    among them (everyone who follows anything, for a link-only digest), written by one
    INSERT ... SELECT. Returns how many recipients were recorded. `bot.delivery.recipients`
    later applies the rule (`edition_for`) to each of them. `sizes(piece, followed keywords
    found)` bounds a piece's rendered length per content language and `header` the edition's
    header, for splitting it into messages."""
    features = [(p.id, features_of(p, keywords.matcher)) for p in publication.pieces]
    link_only = publication.content_type == "digest" and not features
    if not features and not link_only:
        return 0
    batch = FanoutBatch(
        content_type=publication.content_type,
        priority=publication.priority,
        features={
            "publication": publication.id,
            "link_only": link_only,
            "header": header,
            "checked": sorted(keywords.checked),
            "content": [
                [
                    pid,
                    sorted(f.region_ids),
                    sorted(f.commentator_ids),
                    sorted(f.keywords),
                    sizes(piece, f.keywords & keywords.followed) if sizes else {},
                ]
                for piece, (pid, f) in zip(publication.pieces, features, strict=True)
            ],
        },
        created_at=now,
    )
    session.add(batch)
    await session.flush()
    if link_only:
        brings = Subscription.kind != SubscriptionKind.MUTE
    else:
        regions = {i for _, f in features for i in f.region_ids}
        commentators = {i for _, f in features for i in f.commentator_ids}
        found = {k for _, f in features for k in f.keywords} & keywords.followed
        conditions = []
        if regions:
            conditions.append(
                (Subscription.kind == SubscriptionKind.REGION) & Subscription.region_id.in_(regions)
            )
        if commentators:
            conditions.append(
                (Subscription.kind == SubscriptionKind.COMMENTATOR)
                & Subscription.commentator_id.in_(commentators)
            )
        if found:
            conditions.append(
                (Subscription.kind == SubscriptionKind.KEYWORD) & Subscription.keyword.in_(found)
            )
        brings = or_(false(), *conditions)
    wanted = (
        Subscriber.status == SubscriberStatus.ACTIVE,
        Subscriber.mode == DeliveryMode.INSTANT,
    )
    if session.bind.dialect.name == "postgresql":
        # The matching follows first, then their subscribers: no plan can turn this into a
        # probe of the subscriptions per subscriber (PostgreSQL did, with stale statistics).
        matched = (
            select(Subscription.subscriber_id.label("sid")).where(brings).distinct().subquery()
        )
        recipients = (
            select(literal(batch.id), matched.c.sid)
            .join(Subscriber, Subscriber.id == matched.c.sid)
            .where(*wanted)
            .order_by(matched.c.sid)
        )
    else:
        # SQLite: one pass over the subscribers, each probed through its subscriptions'
        # index, costs half of collecting a report's many matching follows and removing
        # duplicates (0.6 s against 1.2 s for 100,000 subscribers).
        follows = select(Subscription.id).where(Subscription.subscriber_id == Subscriber.id, brings)
        recipients = (
            select(literal(batch.id), Subscriber.id)
            .where(*wanted, follows.exists())
            .order_by(Subscriber.id)
        )
    result = await session.execute(
        insert(FanoutRecipient).from_select(["batch_id", "subscriber_id"], recipients)
    )
    planned = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if not planned:
        await session.delete(batch)  # nobody to expand it for
    return planned


async def digest_entries(session: AsyncSession, digest_id: int) -> list[Entry]:
    """A digest's published entries in its order, regions and commentators loaded."""
    return list(
        await session.scalars(
            select(Entry)
            .where(Entry.digest_id == digest_id, Entry.status == ContentStatus.PUBLISHED)
            .order_by(Entry.position, Entry.id)
            .options(selectinload(Entry.regions), selectinload(Entry.commentators))
        )
    )
