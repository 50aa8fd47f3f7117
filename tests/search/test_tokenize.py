"""The tokens the index holds and a query looks for: pure functions, no database."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.document import SEPARATOR
from bot.search.match import Phrase, Token, term_alternatives
from bot.search.names import name_tokens, pinyin_readings
from bot.search.query import Term
from bot.search.tokenize import CJK_RE, Piece, cjk_tokens, pieces, stem, tokenize

CJK_SAMPLE = "稀土出口管制中国日本黄靖潜艇人民币的了"
TEXT_ALPHABET = st.sampled_from(list(CJK_SAMPLE) + list("abcxyz") + [" ", "，", "。", "-", "'"])


def test_a_cjk_run_becomes_its_bigrams_then_its_last_character() -> None:
    assert cjk_tokens("稀土出口") == ["稀土", "土出", "出口", "口"]
    assert cjk_tokens("土") == ["土"]
    assert tokenize("稀土 exports (出口)").words == ["稀土", "土", "exports", "出口", "口"]


def test_words_are_casefolded_accent_free_and_width_normalized() -> None:
    assert tokenize("Zürich ÉCOLE Ｔｏｋｙｏ").words == ["zurich", "ecole", "tokyo"]
    assert [p.text for p in pieces("AI模型 and Sino-US")] == ["ai", "模型", "and", "sino", "us"]


def test_english_stems_accompany_their_words() -> None:
    stream = tokenize("Submarines patrolled the straits")
    assert stream.words == ["submarines", "patrolled", "the", "straits"]
    assert stream.stems == ["submarin", "patrol", "strait"]
    assert stem("submarine") == stem("submarines")
    assert stem("稀土") == "稀土"


def test_a_very_long_word_is_cut() -> None:
    assert tokenize("x" * 5000).words == ["x" * 64]


@given(st.text(max_size=200))
def test_tokens_never_hold_quotes_spaces_or_the_facet_mark(text: str) -> None:
    stream = tokenize(text)
    for token in stream.words + stream.stems:
        assert token
        assert not any(c in "\"'\\§" or c.isspace() for c in token)
        assert all(unicodedata.category(c)[0] in "LNM" or CJK_RE.match(c) for c in token)


# --- a CJK term is found exactly where it is a substring ---------------------------------


def _phrase_in(tokens: list[str], phrase: Phrase) -> bool:
    """What FTS5 and tsquery do with a phrase: consecutive tokens, the prefix ones by prefix."""
    for start in range(len(tokens) - len(phrase) + 1):
        if all(
            tokens[start + k].startswith(t.text) if t.prefix else tokens[start + k] == t.text
            for k, t in enumerate(phrase)
        ):
            return True
    return False


def _found(text: str, query: str) -> bool:
    term = Term(tuple(pieces(query)))
    tokens = tokenize(text).words
    return any(_phrase_in(tokens, p) for p in term_alternatives(term))


@settings(max_examples=100, deadline=None)
@given(st.text(TEXT_ALPHABET, min_size=1, max_size=40), st.data())
def test_a_chinese_term_matches_exactly_where_it_is_a_substring(text: str, data) -> None:
    query = data.draw(st.text(st.sampled_from(list(CJK_SAMPLE)), min_size=1, max_size=5))
    assert _found(text, query) == (query in text)


@settings(max_examples=100, deadline=None)
@given(st.text(TEXT_ALPHABET, min_size=1, max_size=40), st.data())
def test_any_substring_not_starting_inside_a_word_is_found(text: str, data) -> None:
    """Any piece of the text, typed as a query word, finds the text, unless it starts in the
    middle of a Latin word ("arine" of "submarine"): Latin script is matched by words and
    their beginnings."""
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    for word in text[start:end].split():
        if any(c.isalnum() for c in word) and _at_a_word_start(text, word):
            assert _found(text, word), (text, word)


def _at_a_word_start(text: str, word: str) -> bool:
    at = text.find(word)
    while at != -1:
        if (
            at == 0
            or not (text[at - 1].isascii() and text[at - 1].isalnum())
            or not (word[0].isascii())
        ):
            return True
        at = text.find(word, at + 1)
    return False


# --- names ----------------------------------------------------------------------------------


def test_surnames_pypinyin_misreads_are_read_as_surnames() -> None:
    assert pinyin_readings("曾志伟")[0] == (("zeng",), ("zhi", "wei"))
    assert pinyin_readings("单丽萍")[0][0] == ("shan",)
    assert pinyin_readings("区家豪")[0][0] == ("ou",)
    assert pinyin_readings("尉迟恭")[0] == (("yu", "chi"), ("gong",))


def test_a_name_is_found_by_every_spelling_people_use() -> None:
    tokens = set(name_tokens("Zeng Zhiwei", "曾志伟"))
    assert {"zeng", "zhiwei", "zengzhiwei", "zhiweizeng", "zzw", "zhi", "wei"} <= tokens
    assert {"ceng", "czw"} <= tokens  # every reading, in case the surname really is Ceng
    assert {"曾志", "志伟", "伟"} <= tokens
    assert {"lv", "lu", "lvchen", "luchen"} <= set(name_tokens(None, "吕晨"))


def test_latin_only_names_get_joined_and_initial_forms() -> None:
    assert {"ingrid", "solberg", "ingridsolberg", "is"} <= set(name_tokens("Ingrid Solberg", None))


def test_joined_forms_of_a_long_name_are_cut_like_words() -> None:
    long_name = " ".join(["Abcdefghijklmnopqrstuvwxyz"] * 12)
    assert max(len(t) for t in name_tokens(long_name, None, (long_name,))) == 64


def test_the_separator_is_not_a_word() -> None:
    assert SEPARATOR not in tokenize(f"a {SEPARATOR} b").words


def test_query_pieces_keep_their_script() -> None:
    assert list(pieces("by 黄靖")) == [Piece("by", False), Piece("黄靖", True)]
    assert term_alternatives(Term((Piece("土", True),))) == ((Token("土", prefix=True),),)
