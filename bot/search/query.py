"""Parsing what a reader typed into a search: terms, quoted phrases and filters.

`region:japan` (or `region:日本`), `by:"Ding Chun"` / `by:丁纯`, `since:2025-11-01`, `until:…`,
`type:entry|item|digest`; everything else is a term, and every term must match. Any text parses:
a filter we cannot use becomes a `Problem` (shown to the reader as a hint), never an exception.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot import lexicon
from bot.lexicon import equivalents
from bot.search.tokenize import Piece, normalize, pieces

CONTENT_TYPES = ("entry", "item", "digest")
MAX_TERMS = 16
# Pieces of one term ("Sino-US" has two): a longer phrase is cut, which only widens it.
MAX_PIECES = 24
# A CJK run up to this long is searched as one string; a longer one is a sentence, searched as
# its words (jieba), so "丁纯关于稀土说了什么" finds what 丁纯 said about 稀土.
MAX_CJK_PHRASE = 4
# Longest run of words looked up in the lexicon as one term ("people's liberation army").
MAX_PHRASE_WORDS = 4

_FILTER_KEYS = {
    "region": "region",
    "regions": "region",
    "地区": "region",
    "地域": "region",
    "by": "by",
    "author": "by",
    "作者": "by",
    "评论员": "by",
    "since": "since",
    "from": "since",
    "after": "since",
    "自": "since",
    "从": "since",
    "until": "until",
    "before": "until",
    "to": "until",
    "至": "until",
    "到": "until",
    "type": "type",
    "类型": "type",
}
_TYPE_NAMES = {
    "entry": "entry",
    "entries": "entry",
    "commentary": "entry",
    "article": "entry",
    "articles": "entry",
    "评论": "entry",
    "条目": "entry",
    "item": "item",
    "items": "item",
    "report": "item",
    "reports": "item",
    "news": "item",
    "报道": "item",
    "新闻": "item",
    "digest": "digest",
    "digests": "digest",
    "文摘": "digest",
    "月报": "digest",
}
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»「」『』＂"})
_SYNTAX_RE = re.compile(
    r"""(?P<key>[^\s:"]+):(?:"(?P<qvalue>[^"]*)"?|(?P<value>[^\s"]*))"""
    r"""|"(?P<phrase>[^"]*)"?"""
    r"""|(?P<word>[^\s"]+)"""
)
_DATE_RE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?\Z")

# Words that carry no meaning of their own in a question ("what did Ding Chun say about rare
# earths"): dropped when the query has other terms, kept when they are all it has.
_NOISE_WORDS = """a an and are about any anything all article articles as at be by can did do
does every everything find for from has have he her his how i in is it its me my of on or our
please said say says show she something tell that the their them they this think thinks to was
we were what when where which who whom why will with write wrote you"""
_NOISE_CJK = """的 了 是 在 和 与 及 或 都 也 就 有 说 说了 讲 谈 谈到 关于 什么 哪些 哪个 怎么 怎样 如何
吗 呢 吧 啊 一切 所有 全部 这个 那个 这些 那些 这 那 对 对于 把 被 给 从 到 请 我 你 他 她 我们 他们
有关 相关 一下 看看 文章 评论 一些"""
NOISE_WORDS = frozenset(_NOISE_WORDS.split())
NOISE_CJK = frozenset(_NOISE_CJK.split())
# Relative dates in a question ("everything on Japan this month").
_RELATIVE = {
    ("this", "month"): "this_month",
    ("last", "month"): "last_month",
    ("this", "week"): "this_week",
    ("last", "week"): "last_week",
    ("this", "year"): "this_year",
    ("last", "year"): "last_year",
}
_RELATIVE_ONE = {"today": "today", "yesterday": "yesterday"}
_RELATIVE_ZH = {
    "本月": "this_month",
    "这个月": "this_month",
    "上月": "last_month",
    "上个月": "last_month",
    "本周": "this_week",
    "这周": "this_week",
    "上周": "last_week",
    "今年": "this_year",
    "去年": "last_year",
    "今天": "today",
    "昨天": "yesterday",
}


@dataclass(frozen=True, slots=True)
class Term:
    """Pieces that must appear together, in order (a word, "Sino-US", "AI模型", a quoted
    phrase). `quoted`: the reader's own phrase, matched without stemming."""

    pieces: tuple[Piece, ...]
    quoted: bool = False

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)


@dataclass(frozen=True, slots=True)
class Problem:
    """A filter we could not use: `key` names the filter, `value` is what was typed."""

    key: str  # since | until | type | region | by | range | terms
    value: str = ""


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()
    regions: tuple[str, ...] = ()  # as typed; resolved against the regions table later
    people: tuple[str, ...] = ()  # as typed
    since: dt.date | None = None
    until: dt.date | None = None
    types: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def has_filters(self) -> bool:
        return bool(self.regions or self.people or self.since or self.until or self.types)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.has_filters


def parse_date(value: str, *, end: bool = False) -> dt.date | None:
    """`2025-11-01`, `2025-11`, `2025`, `2025/11/1`, `2025年11月1日`; a partial date means
    its first day (or its last with `end`). None when it is not a real date."""
    match = _DATE_RE.match(normalize(value).strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, last if end else 1)
        return dt.date(year, month, day)
    except ValueError:
        return None


def relative_range(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if name == "today":
        return today, today
    if name == "yesterday":
        day = today - dt.timedelta(days=1)
        return day, day
    if name == "this_week":
        start = today - dt.timedelta(days=today.weekday())
        return start, today
    if name == "last_week":
        start = today - dt.timedelta(days=today.weekday() + 7)
        return start, start + dt.timedelta(days=6)
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if name == "this_year":
        return today.replace(month=1, day=1), today
    if name == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise ValueError(name)


def parse_query(text: str, *, today: dt.date | None = None) -> ParsedQuery:
    """The reader's query as terms and filters. `today` enables "this month" and the like."""
    text = (text or "").translate(_QUOTES).replace("：", ":")
    terms: list[Term] = []
    regions: list[str] = []
    people: list[str] = []
    types: list[str] = []
    problems: list[Problem] = []
    since: dt.date | None = None
    until: dt.date | None = None
    words: list[str] = []  # unquoted chunks, in order

    for match in _SYNTAX_RE.finditer(text):
        key = match.group("key")
        if key is not None and normalize(key) in _FILTER_KEYS:
            kind = _FILTER_KEYS[normalize(key)]
            value = (match.group("qvalue") or match.group("value") or "").strip()
            if not value:
                problems.append(Problem(kind, ""))
            elif kind == "region":
                regions.append(value)
            elif kind == "by":
                people.append(value)
            elif kind == "type":
                content_type = _TYPE_NAMES.get(normalize(value))
                if content_type is None:
                    problems.append(Problem("type", value))
                elif content_type not in types:
                    types.append(content_type)
            else:
                date = parse_date(value, end=kind == "until")
                if date is None:
                    problems.append(Problem(kind, value))
                elif kind == "since":
                    since = date
                else:
                    until = date
            continue
        if match.group("phrase") is not None:
            phrase = tuple(pieces(match.group("phrase")))[:MAX_PIECES]
            if phrase:
                terms.append(Term(phrase, quoted=True))
            continue
        # A bare word, or "key:value" whose key is not a filter ("10:30", "U.S.:").
        words.append(match.group(0))

    terms.extend(t for word in words for t in _chunk_terms(word))
    relative = None
    if today is not None:
        relative, terms = _take_relative_dates(terms)
    if relative and today is not None:
        start, end = relative_range(relative, today)
        since = since or start
        until = until or end
    terms = merge_phrases(terms)
    meaningful = [t for t in terms if not _is_noise(t)]
    terms = meaningful or terms

    if since and until and since > until:
        problems.append(Problem("range", f"{since.isoformat()} > {until.isoformat()}"))
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        problems.append(Problem("terms", str(MAX_TERMS)))
    return ParsedQuery(
        terms=tuple(terms),
        regions=tuple(regions),
        people=tuple(people),
        since=since,
        until=until,
        types=tuple(types),
        problems=tuple(problems),
    )


@lru_cache(maxsize=1)
def _jieba() -> Any:
    # Imported lazily: its dictionary takes a couple of seconds and ~80 MB to load.
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1)  # once per process
def warm_up() -> None:
    """Load jieba's dictionary and the lexicon in the background (the bot calls this at
    start-up), so the first search does not wait for them."""
    threading.Thread(target=_jieba, name="jieba-warm-up", daemon=True).start()
    lexicon.warm_up()


def _take_relative_dates(terms: list[Term]) -> tuple[str | None, list[Term]]:
    """Finds "this month", "today", 本月 ... among the unquoted terms and takes them out."""
    found: str | None = None
    kept: list[Term] = []
    single = [t.pieces[0].text if len(t.pieces) == 1 and not t.quoted else None for t in terms]
    i = 0
    while i < len(terms):
        pair = (single[i], single[i + 1] if i + 1 < len(terms) else None)
        if pair in _RELATIVE:
            found = found or _RELATIVE[pair]  # type: ignore[index]
            i += 2
            continue
        word = single[i]
        if word in _RELATIVE_ONE or word in _RELATIVE_ZH:
            found = found or _RELATIVE_ONE.get(word) or _RELATIVE_ZH[word]  # type: ignore[index]
        else:
            kept.append(terms[i])
        i += 1
    return found, kept


def _chunk_terms(chunk: str) -> list[Term]:
    """A space-free chunk is one term ("Sino-US", "AI模型") unless it holds a CJK run long
    enough to be a sentence: that run becomes one term per word."""
    terms: list[Term] = []
    current: list[Piece] = []
    for piece in pieces(chunk):
        if piece.cjk and len(piece.text) > MAX_CJK_PHRASE:
            if current:
                terms.append(Term(tuple(current[:MAX_PIECES])))
                current = []
            terms.extend(Term((Piece(w, True),)) for w in _cjk_words(piece.text))
        else:
            current.append(piece)
    if current:
        terms.append(Term(tuple(current[:MAX_PIECES])))
    return terms


def merge_phrases(terms: list[Term]) -> list[Term]:
    """Words typed apart that together are a term of the lexicon ("rare earths", "export
    controls", "belt and road", 出口 管制) become one term, so that it finds its equivalents
    (稀土, "export controls") and not those of its words."""
    out: list[Term] = []
    i = 0
    while i < len(terms):
        for n in range(MAX_PHRASE_WORDS, 1, -1):
            run = terms[i : i + n]
            if len(run) < n or not all(_single_word(t) for t in run):
                continue
            scripts = {t.pieces[0].cjk for t in run}
            if scripts == {True}:  # 出口 管制 (or jieba's cut of a sentence) → 出口管制
                merged = Term((Piece("".join(t.pieces[0].text for t in run), True),))
            elif scripts == {False}:
                merged = Term(tuple(t.pieces[0] for t in run))
            else:
                continue
            if equivalents(merged.text):
                out.append(merged)
                i += n
                break
        else:
            out.append(terms[i])
            i += 1
    return out


def _single_word(term: Term) -> bool:
    return not term.quoted and len(term.pieces) == 1


def _is_noise(term: Term) -> bool:
    if term.quoted or len(term.pieces) != 1:
        return False
    piece = term.pieces[0]
    return piece.text in (NOISE_CJK if piece.cjk else NOISE_WORDS)


@lru_cache(maxsize=4096)
def _cjk_words(run: str) -> tuple[str, ...]:
    """A long CJK run cut into words with jieba, noise words dropped (all kept if that would
    leave nothing). Every word is a substring of the run, so nothing the run finds is lost."""
    words = [w for w in _jieba().cut(run) if w.strip()]
    kept = [w for w in words if w not in NOISE_CJK]
    return tuple(dict.fromkeys(kept or words))
