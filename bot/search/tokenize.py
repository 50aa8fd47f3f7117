"""Text to index tokens: the same functions at index and at query time, on both databases.

Neither SQLite nor PostgreSQL segments Chinese usefully (SQLite's trigram tokenizer finds nothing
for a 2-character term; PostgreSQL's parser takes a run of Chinese as one word), so the index
holds text that is already tokenized and both databases only split it on spaces.

- Latin-script words (and other space-delimited scripts) become one casefolded, accent-free
  token each; English words also yield a Snowball stem when it differs from the word.
- A run of CJK characters of length n becomes its n-1 overlapping bigrams followed by its last
  character: "稀土出口" → 稀土 土出 出口 口. Every character position starts a token, so a term
  of one character is the prefix query `土*`, and a longer term is the phrase of its bigrams;
  either finds exactly the texts that contain the term as a substring (no 3-character minimum).

A multi-word English term of the lexicon ("rare earths", "export controls": `bot.lexicon`) also
yields one token of its stems, "§wrare§earth": a search for the term is then a lookup of that
token instead of a phrase query over two common words, which both databases answer slowly (they
check positions in every document holding both words). Changing the lexicon's phrases calls for
`digestbot search --rebuild`.

Tokens only ever contain letters and digits (and CJK characters, and the "§" of phrase and facet
tokens), so they can be quoted into an FTS5 or tsquery expression without any escaping question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from bot.lexicon import fold, phrases_in, stem

# Han (with extensions and compatibility ideographs), kana and Hangul syllables: scripts written
# without spaces between words.
_CJK = (
    "\u3005\u3007\u3041-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_PIECE_RE = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
CJK_RE = re.compile(rf"[{_CJK}]")

# Longer words are cut: PostgreSQL refuses lexemes over 2 KB and nothing real is this long.
MAX_WORD = 64


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of one script inside a term: a word, or a run of CJK characters."""

    text: str
    cjk: bool


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), casefolded, and traditional Chinese
    folded to simplified (習近平 is indexed and searched as 习近平)."""
    return fold(text)


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    if not word.isascii():
        decomposed = unicodedata.normalize("NFKD", word)
        word = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
        )
    return word[:MAX_WORD]


def pieces(text: str) -> Iterator[Piece]:
    """The words and CJK runs of `text`, normalized, in order."""
    for match in _PIECE_RE.finditer(normalize(text)):
        cjk_run, word = match.groups()
        if cjk_run:
            yield Piece(cjk_run, True)
        else:
            folded = _fold_word(word)
            if folded:
                yield Piece(folded, False)


def cjk_tokens(run: str) -> list[str]:
    """Overlapping bigrams of a CJK run, then its last character."""
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


PHRASE_MARK = "§w"  # begins a phrase token; "§" is never part of a word (see document.py)


def phrase_token(phrase_stems: tuple[str, ...]) -> str:
    """The one token that stands for a multi-word term of the lexicon ("§wexport§control")."""
    return PHRASE_MARK + "§".join(phrase_stems)


@dataclass(slots=True)
class TokenStream:
    """Tokens of one field: `words` in text order (positions matter for phrases), and the stems
    that differ from their word, then a token for each multi-word term of the lexicon in the
    text (no positions: these only ever match as single terms)."""

    words: list[str]
    stems: list[str]


def tokenize(text: str | None) -> TokenStream:
    """The tokens of a field. (The hot loop of indexing: written out rather than built on
    `pieces`, with the same result.)"""
    words: list[str] = []
    stems: list[str] = []
    if not text:
        return TokenStream(words, stems)
    sequence: list[str] = []  # the stem of every word, "" between scripts: for phrases
    for cjk_run, word in _PIECE_RE.findall(normalize(text)):
        if cjk_run:
            if len(cjk_run) > 1:
                words.extend([cjk_run[i : i + 2] for i in range(len(cjk_run) - 1)])
            words.append(cjk_run[-1])
            sequence.append("")
            continue
        if not word.isascii() or len(word) > MAX_WORD:
            word = _fold_word(word)
            if not word:
                continue
        words.append(word)
        stemmed = stem(word)
        sequence.append(stemmed)
        if stemmed != word:
            stems.append(stemmed)
    stems.extend(phrase_token(p) for p in phrases_in(sequence))
    return TokenStream(words, stems)


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None
