"""A parsed query as a full-text expression: FTS5 MATCH syntax or a PostgreSQL tsquery.

Both are written from our own tokens only (letters, digits, CJK characters and the facet mark),
each one quoted, so nothing a reader types is ever interpreted as query syntax; the expression
is then passed to the database as a bound parameter.

How one term matches (every term must match):
- a word: any word it begins ("japan" finds "Japanese"), or any word with its stem
  ("submarines" finds "submarine");
- a CJK string: one character is a prefix query on the tokens (every position starts a token);
  a longer one is the phrase of its bigrams, i.e. exactly a substring match;
- several pieces ("Sino-US", "AI模型", a quoted phrase): the phrase of their tokens, the last
  word matched as a prefix;
- several words that are a term of the lexicon ("rare earths"): its phrase token, which the
  index holds wherever the term's words stand together, by stems (bot.search.tokenize); quoted,
  the exact phrase, with the phrase token as a filter (`phrase_filter`);
- and, unless quoted, any of its equivalents in the other language (`bot.lexicon`): 关税 also
  finds "tariff(s)", "rare earths" also finds 稀土. English equivalents match as whole words
  (a single word by its stem, a phrase by its phrase token), never as a prefix, so "chip" does
  not find "chipmunk".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.lexicon import MAX_GLOSS_WORDS as MAX_PHRASE_WORDS
from bot.lexicon import equivalents, phrase_of
from bot.search.query import Term
from bot.search.tokenize import Piece, cjk_tokens, phrase_token, pieces, stem


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    prefix: bool = False


Phrase = tuple[Token, ...]
Alternatives = tuple[Phrase, ...]  # any one of them
STRONG_FIELDS = ("title", "names")  # FTS5 columns; tsvector weights A and B
STRONG_WEIGHTS = "AB"


def term_alternatives(term: Term) -> Alternatives:
    if len(term.pieces) == 1 and not term.quoted:
        piece = term.pieces[0]
        if piece.cjk:
            return (_piece_tokens(piece, last=True),)
        stemmed = stem(piece.text)
        word = (Token(piece.text, prefix=True),)
        return (word, (Token(stemmed),)) if stemmed != piece.text else (word,)
    phrase: list[Token] = []
    for i, piece in enumerate(term.pieces):
        phrase.extend(_piece_tokens(piece, last=i == len(term.pieces) - 1))
    return (tuple(phrase),)


def expanded_alternatives(term: Term) -> Alternatives:
    """The term's own alternatives, then its equivalents' (see the module docstring)."""
    if term.quoted:
        return term_alternatives(term)
    own = _phrase_alternatives(term.pieces) or term_alternatives(term)
    out = list(own)
    for equivalent in equivalents(term.text):
        parts = tuple(pieces(equivalent))
        if len(parts) == 1 and parts[0].cjk:
            out += term_alternatives(Term(parts))
        elif parts:
            out += _phrase_alternatives(parts) or _word_alternatives(parts)
    return tuple(dict.fromkeys(out))


def phrase_filter(term: Term) -> Alternatives | None:
    """For a quoted phrase that is a term of the lexicon ("export controls"), its phrase
    token: a filter that narrows the documents whose word positions must be checked to those
    holding the term (by stems), so a phrase of two common words is not checked everywhere."""
    if not term.quoted:
        return None
    return _phrase_alternatives(term.pieces)


def _phrase_alternatives(parts: tuple[Piece, ...]) -> Alternatives | None:
    if not 2 <= len(parts) <= MAX_PHRASE_WORDS or any(p.cjk for p in parts):
        return None
    found = phrase_of([p.text for p in parts])
    return ((Token(phrase_token(found)),),) if found else None


def _word_alternatives(parts: tuple[Piece, ...]) -> Alternatives:
    if len(parts) == 1:
        word = parts[0].text
        return tuple((Token(w),) for w in dict.fromkeys([stem(word), word]))
    head = [t for p in parts[:-1] for t in _piece_tokens(p, last=False)]
    last = parts[-1]
    if last.cjk:
        return ((*head, *_piece_tokens(last, last=True)),)
    return tuple((*head, Token(w)) for w in dict.fromkeys([last.text, plural(last.text)]))


def plural(word: str) -> str:
    """A regular English plural: enough for the glossary's nouns ("controls", "earths")."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _piece_tokens(piece: Piece, *, last: bool) -> Phrase:
    if not piece.cjk:
        return (Token(piece.text, prefix=last),)
    if not last:
        # Another piece follows, so the run ends here in the text too: its last character is a
        # token of its own.
        return tuple(Token(t) for t in cjk_tokens(piece.text))
    if len(piece.text) == 1:
        return (Token(piece.text, prefix=True),)
    return tuple(Token(t) for t in cjk_tokens(piece.text)[:-1])


def facet_alternatives(facets: Sequence[str]) -> Alternatives:
    return tuple((Token(f),) for f in facets)


def expand(alternatives: Alternatives, words: Mapping[str, Sequence[str]]) -> Alternatives:
    """Each phrase ending in a prefix replaced by one phrase per word the prefix begins
    (`words[prefix]`, from the vocabulary), where known: FTS5 then walks a few doclists lazily
    instead of merging every doclist under the prefix before returning the first row."""
    out: list[Phrase] = []
    for phrase in alternatives:
        last = phrase[-1]
        if last.prefix and last.text in words:
            out += [(*phrase[:-1], Token(w)) for w in words[last.text]]
        else:
            out.append(phrase)
    return tuple(dict.fromkeys(out))


def _checked(token: str) -> str:
    # Tokens come from our tokenizer: never a quote, backslash, space or control character.
    if not token or any(c in "\"'\\" or c.isspace() or ord(c) < 32 for c in token):
        raise ValueError(f"not an index token: {token!r}")
    return token


def to_fts5(groups: Sequence[Alternatives], *, columns: Sequence[str] = ()) -> str:
    """All groups (each: any of its phrases), optionally only in `columns`."""

    def phrase(p: Phrase) -> str:
        return " + ".join(f'"{_checked(t.text)}"' + (" *" if t.prefix else "") for t in p)

    parts = []
    for alternatives in groups:
        options = [phrase(p) for p in alternatives]
        parts.append("(" + " OR ".join(options) + ")")
    expression = " AND ".join(parts)
    return f"{{{' '.join(columns)}}} : ({expression})" if columns else expression


def to_tsquery(groups: Sequence[Alternatives], *, weights: str = "") -> str:
    """All groups (each: any of its phrases), optionally only at these weights."""

    def token(t: Token) -> str:
        suffix = ("*" if t.prefix else "") + weights
        return f"'{_checked(t.text)}'" + (f":{suffix}" if suffix else "")

    def phrase(p: Phrase) -> str:
        return "(" + " <-> ".join(token(t) for t in p) + ")"

    return " & ".join("(" + " | ".join(phrase(p) for p in alts) + ")" for alts in groups)
