"""Searching the published archive: `search(session, text)` → a page of ranked results.

Ranking, the same on SQLite and PostgreSQL: a term found in a title or a commentator's name
counts three times one found in the body, each term weighted by its rarity (idf, from the
vocabulary's document counts); a phrase typed as separate words scores more where the words
stand together; equal scores go to the more recent.

Bounded work: the candidates are the newest `MAX_CANDIDATES` matches (document ids sort by
date), fetched lazily by the full-text index; only they are scored. A query naming something
specific has fewer matches than that and all of them are ranked; "china", found in most of the
archive, ranks the newest thousand instead of reading every match.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Text,
    cast,
    column,
    func,
    literal,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession

from bot import lexicon
from bot.search.document import (
    commentator_facet,
    id_range,
    month_facet,
    region_facet,
    type_facet,
)
from bot.search.index import dialect_of, search_docs, search_terms
from bot.search.match import (
    STRONG_FIELDS,
    STRONG_WEIGHTS,
    Alternatives,
    Token,
    expand,
    expanded_alternatives,
    facet_alternatives,
    phrase_filter,
    term_alternatives,
    to_fts5,
    to_tsquery,
)
from bot.search.names import name_tokens
from bot.search.query import ParsedQuery, Problem, Term, parse_query
from bot.search.tokenize import Piece, has_cjk, normalize, pieces
from storage.models import Commentator, Region

MAX_CANDIDATES = 1000
STRONG = 3.0  # a match in the title or the names, against 1 in the body
PHRASE_BONUS = 1.0  # words typed apart found side by side
MAX_EXPANSION = 64  # words a prefix may stand for before FTS5's own prefix query is used
TYPES = ("entry", "item", "digest")
# What SQLAlchemy needs to know of the search index's dialect-specific parts (migration 0003):
# SQLite's FTS5 table and PostgreSQL's tsvector column of search_docs.
_fts = table("search_fts", column("rowid", Integer), column("search_fts"))
_tsv = column("tsv", TSVECTOR)


@dataclass(frozen=True)
class SearchResult:
    """One hit: the card stored at indexing time (see bot.search.document.card)."""

    type: str
    id: int
    title: str | None
    title_zh: str | None
    summary: str | None
    commentators: tuple[dict[str, str | None], ...]
    regions: tuple[str, ...]
    date: dt.date | None
    url: str | None
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "title": self.title,
            "title_zh": self.title_zh,
            "summary": self.summary,
            "commentators": [dict(c) for c in self.commentators],
            "regions": list(self.regions),
            "date": self.date.isoformat() if self.date else None,
            "url": self.url,
        }


@dataclass(frozen=True)
class SearchPage:
    query: ParsedQuery
    results: tuple[SearchResult, ...]
    total: int  # matches ranked (at most MAX_CANDIDATES)
    offset: int
    limit: int
    problems: tuple[Problem, ...] = field(default=())
    # (slug, Chinese name) of every region, when a `region:` filter named none of them.
    known_regions: tuple[tuple[str, str], ...] = ()

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.results) < self.total

    @property
    def capped(self) -> bool:
        """More matched than were ranked: the newest MAX_CANDIDATES were."""
        return self.total >= MAX_CANDIDATES


async def search(
    session: AsyncSession,
    text_or_query: str | ParsedQuery,
    *,
    limit: int = 5,
    offset: int = 0,
    today: dt.date | None = None,
    latest_when_empty: bool = False,
) -> SearchPage:
    """Published content matching the query, best first. Never raises for what the reader
    typed: filters it cannot use come back as `problems`. An empty query finds nothing (or the
    latest content with `latest_when_empty`, as inline mode shows before anything is typed)."""
    await lexicon.ready()  # loaded off the event loop: parsing and matching use it
    query = (
        parse_query(text_or_query, today=today) if isinstance(text_or_query, str) else text_or_query
    )
    limit = max(1, min(limit, 50))
    offset = max(0, min(offset, MAX_CANDIDATES))
    problems = list(query.problems)
    known_regions: list[tuple[str, str]] = []

    facets: list[Alternatives] = []
    impossible = False
    if query.types:
        facets.append(facet_alternatives([type_facet(t) for t in query.types]))
    if query.regions:
        region_ids = await _resolve_regions(session, query.regions, problems, known_regions)
        impossible |= not region_ids
        facets.append(facet_alternatives([region_facet(i) for i in region_ids]))
    if query.people:
        people_ids = await _resolve_people(session, query.people, problems)
        impossible |= not people_ids
        facets.append(facet_alternatives([commentator_facet(i) for i in people_ids]))
    low, high = id_range(query.since, query.until)
    impossible |= low > high

    def page(ranked: list[tuple[int, float]], cards: dict[int, dict[str, Any]]) -> SearchPage:
        window = ranked[offset : offset + limit]
        results = tuple(_result(cards[i], score) for i, score in window if i in cards)
        return SearchPage(
            query, results, len(ranked), offset, limit, tuple(problems), tuple(known_regions)
        )

    if impossible or (query.is_empty and not latest_when_empty):
        return page([], {})
    backend: _Backend = (
        _Postgres(session) if dialect_of(session) == "postgresql" else _Sqlite(session)
    )
    await backend.begin()
    if not query.terms and not facets:
        ids = await backend.latest(low, high, MAX_CANDIDATES)
        ranked = [(i, 0.0) for i in ids]
    else:
        ranked = await _rank(backend, query.terms, facets, low, high)
    window = [i for i, _ in ranked[offset : offset + limit]]
    return page(ranked, await backend.cards(window))


async def _rank(
    backend: _Backend,
    terms: Sequence[Term],
    facets: list[Alternatives],
    low: int,
    high: int,
) -> list[tuple[int, float]]:
    """(document id, score), best first: the newest candidates, scored."""
    alternatives = [expanded_alternatives(t) for t in terms]
    # Filters narrow without scoring: quoted phrases' phrase tokens join the facets.
    facets = facets + [f for f in map(phrase_filter, terms) if f is not None]
    vocabulary = await _Vocabulary.load(backend, alternatives + facets)
    groups = [backend.prepare(a, vocabulary) for a in alternatives]
    # At most as many documents match as hold the rarest of the terms (or filters).
    expected = min(vocabulary.documents_with(a) for a in alternatives + facets)
    candidates = await backend.matching(groups + facets, low, high, MAX_CANDIDATES, expected)
    if not candidates or not terms:
        return [(i, 0.0) for i in candidates]
    weights = [vocabulary.idf(a) for a in alternatives]
    # Which candidates hold each term in a title or names, and the words side by side.
    checks: list[tuple[list[Alternatives], Alternatives | None]] = [
        ([*groups[:n], *groups[n + 1 :], *facets], group) for n, group in enumerate(groups)
    ]
    phrase = _phrase_of(terms)
    if phrase is not None:
        checks.append(([phrase, *groups, *facets], None))
    found = await backend.matching_each(checks, candidates)
    scores = dict.fromkeys(candidates, sum(weights))
    for ids, weight in zip(found, weights, strict=False):
        for i in ids:
            scores[i] += (STRONG - 1.0) * weight
    if phrase is not None:
        for i in found[-1]:
            scores[i] += PHRASE_BONUS * sum(weights)
    return sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))


def _phrase_of(terms: Sequence[Term]) -> Alternatives | None:
    """Words typed as separate terms ("rare earths"), as one phrase; None for one word."""
    words = [t.pieces[0] for t in terms if len(t.pieces) == 1 and not t.quoted]
    if len(words) < 2 or len(words) != len(terms) or any(p.cjk for p in words):
        return None
    # Exact words: a bonus need not find "earthshaking" for "earth".
    (phrase,) = term_alternatives(Term(tuple(words), quoted=True))
    return (tuple(Token(t.text) for t in phrase),)


@dataclass
class _Vocabulary:
    """Document counts of the query's tokens, and the words each prefix stands for."""

    documents: int
    counts: dict[str, int]  # exact token -> documents
    prefixes: dict[str, tuple[list[str], int]]  # prefix -> (words or [] when too many, documents)

    @classmethod
    async def load(cls, backend: _Backend, groups: Sequence[Alternatives]) -> _Vocabulary:
        exact = {type_facet(t) for t in TYPES}
        prefixes: set[str] = set()
        for alternatives in groups:
            for phrase in alternatives:
                for token in phrase:
                    (prefixes if token.prefix else exact).add(token.text)
        counts, words = await backend.vocabulary(sorted(exact), sorted(prefixes), MAX_EXPANSION + 1)
        documents = max(1, sum(counts.get(type_facet(t), 0) for t in TYPES))
        found: dict[str, tuple[list[str], int]] = {}
        for prefix in prefixes:
            under = words.get(prefix, [])
            if len(under) > MAX_EXPANSION:
                found[prefix] = ([], documents)
            else:
                found[prefix] = ([w for w, _ in under], sum(n for _, n in under))
        return cls(documents, counts, found)

    def expansions(self) -> dict[str, list[str]]:
        return {p: words for p, (words, _) in self.prefixes.items() if words}

    def token_count(self, token: Token) -> int:
        if token.prefix:
            return self.prefixes.get(token.text, ([], self.documents))[1]
        return self.counts.get(token.text, 0)

    def documents_with(self, alternatives: Alternatives) -> int:
        """At most how many documents hold any of these phrases."""
        found = sum(min(self.token_count(t) for t in phrase) for phrase in alternatives)
        return min(found, self.documents)

    def idf(self, alternatives: Alternatives) -> float:
        return math.log(1.0 + self.documents / (self.documents_with(alternatives) + 1.0))


def _result(card: dict[str, Any], score: float) -> SearchResult:
    date = card.get("date")
    return SearchResult(
        type=card["type"],
        id=card["id"],
        title=card.get("title"),
        title_zh=card.get("title_zh"),
        summary=card.get("summary"),
        commentators=tuple(card.get("commentators") or ()),
        regions=tuple(card.get("regions") or ()),
        date=dt.date.fromisoformat(date) if date else None,
        url=card.get("url"),
        score=float(score or 0.0),
    )


# --- the two databases ----------------------------------------------------------------------


class _Backend:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def prepare(self, alternatives: Alternatives, vocabulary: _Vocabulary) -> Alternatives:
        return alternatives

    async def begin(self) -> None:
        """Settings for this search's statements (in the session's transaction)."""

    async def matching(
        self, groups: Sequence[Alternatives], low: int, high: int, limit: int, expected: int
    ) -> list[int]:
        """Ids of the newest `limit` documents matching all groups within [low, high]
        (`expected`: at most how many match, from the vocabulary)."""
        raise NotImplementedError

    async def latest(self, low: int, high: int, limit: int) -> list[int]:
        rows = await self.session.scalars(
            select(search_docs.c.id)
            .where(search_docs.c.id.between(low, high))
            .order_by(search_docs.c.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def vocabulary(
        self, tokens: Sequence[str], prefixes: Sequence[str], limit: int
    ) -> tuple[dict[str, int], dict[str, list[tuple[str, int]]]]:
        """Document counts of `tokens`, and for each prefix the indexed tokens it begins (in
        code-point order, at most `limit`): one round trip."""
        parts = [
            select(search_terms.c.term, search_terms.c.df).where(search_terms.c.term.in_(tokens))
        ]
        for prefix in prefixes:
            end = _after(prefix)
            parts.append(
                select(search_terms.c.term, search_terms.c.df)
                .where(
                    search_terms.c.term >= prefix,
                    search_terms.c.term < end,
                    search_terms.c.df > 0,
                )
                .order_by(search_terms.c.term)
                .limit(limit)
                .subquery()
                .select()
            )
        rows = (await self.session.execute(union_all(*parts))).all()
        wanted = set(tokens)
        counts = {t: int(n) for t, n in rows if t in wanted}
        under: dict[str, dict[str, int]] = {p: {} for p in prefixes}
        for term, n in rows:
            for prefix in prefixes:
                if term.startswith(prefix):
                    under[prefix][term] = int(n)
        return counts, {p: sorted(found.items()) for p, found in under.items()}

    async def matching_each(
        self,
        checks: Sequence[tuple[Sequence[Alternatives], Alternatives | None]],
        candidates: Sequence[int],
    ) -> list[list[int]]:
        """For each (groups, strong): the candidates matching all groups and `strong` (in a
        title or names). One round trip."""
        raise NotImplementedError

    async def cards(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        rows = await self.session.execute(
            select(search_docs.c.id, search_docs.c.card).where(search_docs.c.id.in_(ids))
        )
        return {i: card for i, card in rows}


class _Sqlite(_Backend):
    def prepare(self, alternatives: Alternatives, vocabulary: _Vocabulary) -> Alternatives:
        # One- and two-character prefixes have their own FTS5 prefix index: no expansion.
        words = {p: w for p, w in vocabulary.expansions().items() if len(p) > 2}
        return expand(alternatives, words)

    @staticmethod
    def _match(groups: Sequence[Alternatives], strong: Alternatives | None) -> str:
        parts = [to_fts5([strong], columns=STRONG_FIELDS)] if strong is not None else []
        if groups:
            parts.append(to_fts5(groups))
        return " AND ".join(parts)

    async def matching(
        self, groups: Sequence[Alternatives], low: int, high: int, limit: int, expected: int
    ) -> list[int]:
        # One row of ids rather than a thousand rows: row handling is the costly part here.
        statement = text(
            "SELECT group_concat(id) FROM (SELECT rowid AS id FROM search_fts"
            " WHERE search_fts MATCH :match AND rowid >= :low AND rowid <= :high"
            " ORDER BY rowid DESC LIMIT :limit)"
        )
        params = {"match": self._match(groups, None), "low": low, "high": high, "limit": limit}
        return _ids(await self.session.scalar(statement, params))

    async def matching_each(
        self,
        checks: Sequence[tuple[Sequence[Alternatives], Alternatives | None]],
        candidates: Sequence[int],
    ) -> list[list[int]]:
        # Within the candidates' id span the full query matches the candidates only, so these
        # narrower queries read no further than the candidates did (FTS5 seeks to the span).
        low, high = min(candidates), max(candidates)
        branches = [
            select(
                literal(n, Integer),
                select(func.group_concat(_fts.c.rowid))
                .where(
                    _fts.c.search_fts.op("MATCH")(self._match(groups, strong)),
                    _fts.c.rowid.between(low, high),
                )
                .scalar_subquery(),
            )
            for n, (groups, strong) in enumerate(checks)
        ]
        rows = await self.session.execute(union_all(*branches))
        found: list[list[int]] = [[] for _ in checks]
        for k, ids in rows:
            found[k] = _ids(ids)
        return found


class _Postgres(_Backend):
    def prepare(self, alternatives: Alternatives, vocabulary: _Vocabulary) -> Alternatives:
        # GIN answers a few exact lexemes faster than a partial (prefix) match.
        return expand(alternatives, vocabulary.expansions())

    async def begin(self) -> None:
        # The statements below are prepared once per connection (asyncpg) and run with a new
        # tsquery every time. After five runs PostgreSQL may switch to a generic plan, which
        # cannot know how rare the tsquery is: it then ANDs the GIN bitmap with a bitmap of
        # the whole id range (10x slower at 1M documents). Plan each run for its own tsquery.
        # JIT compiling pays off for long analytic queries, never for these.
        await self.session.execute(
            select(
                func.set_config("plan_cache_mode", "force_custom_plan", True),
                func.set_config("jit", "off", True),
            )
        )

    @staticmethod
    def _tsquery(groups: Sequence[Alternatives], strong: Alternatives | None) -> str:
        parts = [to_tsquery([strong], weights=STRONG_WEIGHTS)] if strong is not None else []
        if groups:
            parts.append(to_tsquery(groups))
        return " & ".join(parts)

    async def matching(
        self, groups: Sequence[Alternatives], low: int, high: int, limit: int, expected: int
    ) -> list[int]:
        statement = text(
            "SELECT array_agg(id) FROM (SELECT id FROM search_docs"
            " WHERE tsv @@ CAST(:q AS tsquery) AND id >= :low AND id <= :high"
            " ORDER BY id DESC LIMIT :limit) AS newest"
        )
        tsquery = self._tsquery(groups, None)

        async def newest(q: str, bottom: int, top: int, wanted: int) -> list[int]:
            params = {"q": q, "low": bottom, "high": top, "limit": wanted}
            return list(await self.session.scalar(statement, params) or [])

        if expected <= 4 * limit:
            return await newest(tsquery, low, high, limit)
        # GIN collects every match before the newest can be picked: for a common term that
        # is most of the archive. So look month by month, newest first, adding the months'
        # facets to the query: GIN then skips through the common term's postings to the
        # month's few ("fast scan").
        undated = 1 << 32  # ids below this are content without a date (ordinal 0)
        span = await self.session.execute(
            select(func.min(search_docs.c.id), func.max(search_docs.c.id)).where(
                search_docs.c.id.between(max(low, undated), high)
            )
        )
        oldest, latest = span.one()
        found: list[int] = []
        if latest is not None:
            first = dt.date.fromordinal(oldest >> 32).replace(day=1)
            month = dt.date.fromordinal(latest >> 32).replace(day=1)
            months_in_span = 1 + (month.year - first.year) * 12 + month.month - first.month
            step = max(1, math.ceil(3 * limit * months_in_span / expected))
            while len(found) < limit and month >= first:
                months = [month]
                while len(months) < step and months[-1] > first:
                    months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
                facets = " | ".join(f"'{month_facet(m)}'" for m in months)
                bottom = max(low, months[-1].toordinal() << 32)
                top = min(high, (_next_month(month).toordinal() << 32) - 1)
                query = f"({tsquery}) & ({facets})"
                found += await newest(query, bottom, top, limit - len(found))
                month = (months[-1] - dt.timedelta(days=1)).replace(day=1)
                step *= 4
        if len(found) < limit and low < undated:
            found += await newest(tsquery, low, min(high, undated - 1), limit - len(found))
        return found[:limit]

    async def matching_each(
        self,
        checks: Sequence[tuple[Sequence[Alternatives], Alternatives | None]],
        candidates: Sequence[int],
    ) -> list[list[int]]:
        # Each candidate's tsvector tested directly: cheaper than a second GIN scan, which for
        # a weight (title, names) must read every match's tsvector anyway.
        tests = [_tsv.op("@@")(cast(literal(self._tsquery(g, s)), TSQUERY)) for g, s in checks]
        rows = await self.session.execute(
            select(search_docs.c.id, *tests).where(search_docs.c.id.in_(list(candidates)))
        )
        found: list[list[int]] = [[] for _ in checks]
        for row in rows:
            for n in range(len(checks)):
                if row[n + 1]:
                    found[n].append(row[0])
        return found


def _after(prefix: str) -> str:
    """The least string above every string that begins with `prefix` (code-point order)."""
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be encoded: skip them
        following = 0xE000
    if following > 0x10FFFF:
        return prefix + "\U0010ffff"
    return prefix[:-1] + chr(following)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _ids(joined: str | None) -> list[int]:
    return [int(i) for i in joined.split(",")] if joined else []


# --- filters ------------------------------------------------------------------------------


async def _resolve_regions(
    session: AsyncSession,
    values: tuple[str, ...],
    problems: list[Problem],
    known: list[tuple[str, str]],
) -> list[int]:
    rows = (
        await session.execute(
            select(Region.id, Region.slug, Region.name_en, Region.name_zh, Region.aliases).order_by(
                Region.position, Region.id
            )
        )
    ).all()
    found: list[int] = []
    for value in values:
        key = _compact(value)
        exact = [
            r.id
            for r in rows
            if key in {_compact(n) for n in (r.slug, r.name_en, r.name_zh, *(r.aliases or ()))}
        ]
        prefix = [
            r.id for r in rows if any(_compact(n).startswith(key) for n in (r.slug, r.name_en))
        ]
        ids = exact or (prefix if key and len(prefix) == 1 else [])
        if not ids:
            problems.append(Problem("region", value))
            known[:] = [(r.slug, r.name_zh) for r in rows]
        found += [i for i in ids if i not in found]
    return found


def _compact(value: str | None) -> str:
    return "".join(p.text for p in pieces(value or ""))


async def _resolve_people(
    session: AsyncSession, values: tuple[str, ...], problems: list[Problem]
) -> list[int]:
    # Aliases as their JSON text: decoded once per distinct commentator (in _person_keys).
    aliases = cast(Commentator.aliases, Text)
    rows = (
        await session.execute(
            select(Commentator.id, Commentator.name, Commentator.name_zh, aliases)
        )
    ).all()
    found: list[int] = []
    for value in values:
        parts = tuple(pieces(value))
        ids = [i for i, *person in rows if _person_matches(parts, _person_keys(*person))]
        if not ids:
            problems.append(Problem("by", value))
        found += [i for i in ids if i not in found]
    return found


def person_matches(
    value: str, name: str | None, name_zh: str | None, aliases: tuple[str, ...] = ()
) -> bool:
    """`by:` matching: every word typed begins one of the name's tokens (Latin, pinyin,
    joined or initials), and any Chinese typed is part of the Chinese name or an alias."""
    return _person_matches(tuple(pieces(value)), _person_keys(name, name_zh, json.dumps(aliases)))


def _person_matches(parts: tuple[Piece, ...], keys: tuple[str, str]) -> bool:
    if not parts:
        return False
    latin, chinese = keys
    for part in parts:
        if part.cjk:
            if part.text not in chinese:
                return False
        elif not latin.startswith(part.text) and f" {part.text}" not in latin:
            return False
    return True


@lru_cache(maxsize=16384)
def _person_keys(
    name: str | None, name_zh: str | None, aliases_json: str | None
) -> tuple[str, str]:
    """(" "-joined Latin and pinyin tokens, the Chinese names): a word typed begins a token
    when it follows a space in the first."""
    try:
        aliases = tuple(str(a) for a in json.loads(aliases_json or "[]") or ())
    except (ValueError, TypeError):
        aliases = ()
    tokens = [t for t in name_tokens(name, name_zh, aliases) if not has_cjk(t)]
    chinese = normalize(" ".join(n for n in (name, name_zh, *aliases) if n and has_cjk(n)))
    return " ".join(tokens), chinese
