"""Offline extractive summaries: the one to three sentences that best represent a text.

Sentences are scored by how many of the text's frequent content words they carry (character
bigrams for Chinese), with a bonus for the lead, and returned in their original order. No
model, no network, and fast enough to run on every ingested article.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from bot.ingest.textutil import collapse_spaces

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "sr",
        "jr",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "rep",
        "rev",
        "vol",
        "fig",
        "inc",
        "co",
        "corp",
        "ltd",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "vs",
        "etc",
        "al",
        "approx",
        "dept",
        "u.s",
        "u.k",
        "e.u",
        "u.n",
        "u.s.a",
        "p.m",
        "a.m",
    ]
)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "we",
        "our",
        "you",
        "your",
        "i",
        "not",
        "no",
        "so",
        "than",
        "then",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "some",
        "more",
        "most",
        "other",
        "such",
        "into",
        "over",
        "also",
        "can",
        "could",
        "would",
        "should",
        "will",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "said",
        "says",
        "say",
        "about",
        "after",
        "before",
        "between",
        "during",
        "while",
        "out",
        "up",
        "down",
        "only",
        "very",
        "just",
        "even",
        "one",
        "two",
        "new",
        "s",
        "t",
    ]
)

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets) before a space.
_EN_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9\u3400-\u9fff])")
_ZH_BOUNDARY = re.compile(r"[。！？!?][”’」』）)]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+|\d+(?:[.,]\d+)?")
_CONNECTIVE = re.compile(
    r"^(?:(?:As|But|And|So|Also|However|Therefore|Thus|Hence|Meanwhile|Moreover|Furthermore|"
    r"Similarly|Nonetheless|Nevertheless|Still|Yet|This|These|That|It|He|She|They)\b|"
    r"但|而|因此|所以|此外|同时)"
)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def split_sentences(text: str) -> list[str]:
    """Sentences of English or Chinese text (or both), abbreviations like "U.S." kept whole."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n+", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        for chunk in _split_zh(paragraph):
            sentences.extend(_split_en(chunk))
    return [s for s in sentences if s]


def _split_zh(paragraph: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _ZH_BOUNDARY.finditer(paragraph):
        if m.group(0)[0] in "!?" and not _is_cjk_context(paragraph, m.start()):
            continue
        parts.append(paragraph[start : m.end()].strip())
        start = m.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]


def _is_cjk_context(text: str, index: int) -> bool:
    return index > 0 and "\u3400" <= text[index - 1] <= "\u9fff"


def _split_en(chunk: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _EN_BOUNDARY.finditer(chunk):
        if m.group(0)[0] == "." and _ends_with_abbreviation(chunk, m.start()):
            continue
        parts.append(chunk[start : m.end()].strip())
        start = m.end()
    parts.append(chunk[start:].strip())
    return [p for p in parts if p]


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("\"“‘'([").casefold()
    # Single initials ("J. Smith") and known abbreviations do not end a sentence.
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS


def _terms(sentence: str) -> list[str]:
    terms = [w.casefold() for w in _WORD.findall(sentence)]
    terms = [w for w in terms if w not in _STOPWORDS and len(w) > 2]
    for run in _CJK_RUN.findall(sentence):
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def summarize(text: str, *, max_sentences: int = 3, max_chars: int = 420) -> str:
    """One to three representative sentences of ``text`` in their original order.

    Short texts get fewer sentences (one for up to three sentences, two for up to eight).
    Returns "" for an empty text.
    """
    sentences = split_sentences(text)
    if not sentences:
        return ""
    if len(sentences) <= 3:
        wanted = 1
    elif len(sentences) <= 8:
        wanted = 2
    else:
        wanted = 3
    wanted = max(1, min(wanted, max_sentences))
    if len(sentences) == 1:
        return _clip(sentences[0], max_chars)

    per_sentence = [_terms(s) for s in sentences]
    freq = Counter(t for terms in per_sentence for t in set(terms))
    top = max(freq.values(), default=1)

    scored: list[tuple[float, int]] = []
    for index, (sentence, terms) in enumerate(zip(sentences, per_sentence, strict=True)):
        unique = set(terms)
        if len(unique) < 3:
            continue
        weight = sum(freq[t] for t in unique) / top / math.sqrt(len(unique))
        # News puts the point first; a sentence opening with a connective leans on the one
        # before it and reads badly out of context.
        if index == 0:
            weight *= 2.0
        elif index < 3:
            weight *= 1.2
        if _CONNECTIVE.match(sentence):
            weight *= 0.6
        # Very long sentences read badly as summaries; questions and quotes rarely summarise.
        if len(sentence) > 400:
            weight *= 0.6
        if sentence.endswith("?") or sentence.startswith(("“", '"')):
            weight *= 0.7
        scored.append((weight, index))
    if not scored:
        return _clip(sentences[0], max_chars)

    chosen: list[int] = []
    length = 0
    for _, index in sorted(scored, key=lambda item: (-item[0], item[1])):
        size = len(sentences[index]) + 1
        if chosen and length + size > max_chars:
            continue
        chosen.append(index)
        length += size
        if len(chosen) == wanted:
            break
    joined = _join(sentences[i] for i in sorted(chosen))
    return _clip(joined, max_chars)


def _join(sentences: Iterable[str]) -> str:
    out = ""
    for s in sentences:
        # Chinese sentences run on without a space; anything else gets one.
        if out and not (_is_cjkish(out[-1]) and _is_cjkish(s[0])):
            out += " "
        out += s
    return out


def _is_cjkish(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or ch in "“”"


def _clip(text: str, limit: int) -> str:
    text = collapse_spaces(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
