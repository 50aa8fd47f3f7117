"""The cross-language lexicon: equivalents of a term, and traditional → simplified."""

from __future__ import annotations

import pytest

from bot import lexicon
from bot.lexicon import (
    build_lexicon,
    cedict_translations,
    clean_gloss,
    equivalents,
    fold,
    parse_glossary,
)
from bot.matching import KeywordMatcher
from bot.search.match import Token, expanded_alternatives
from bot.search.query import parse_query


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("关税", {"tariff"}),
        ("乌克兰", {"ukraine"}),
        ("芯片", {"chip", "semiconductor"}),
        ("稀土", {"rare earth"}),
        ("制裁", {"sanction"}),
        ("tariffs", {"关税"}),
        ("Ukraine", {"乌克兰"}),
        ("chips", {"芯片"}),
        ("semiconductor", {"芯片", "半导体"}),
        ("rare earths", {"稀土"}),
        ("sanctions", {"制裁"}),
        ("export controls", {"出口管制"}),
    ],
)
def test_the_fields_vocabulary_crosses_languages(term: str, expected: set[str]) -> None:
    assert expected <= set(equivalents(term))


def test_traditional_characters_fold_to_simplified() -> None:
    assert fold("習近平訪問烏克蘭") == "习近平访问乌克兰"
    assert fold("ＡＢＣ Tariffs") == "abc tariffs"
    assert fold("习近平") == "习近平"  # simplified text is left as it is
    assert equivalents("關稅") == equivalents("关税")
    assert KeywordMatcher(["習近平"]).find("习近平会见外宾") == {"習近平"}
    assert KeywordMatcher(["习近平"]).find("習近平會見外賓") == {"习近平"}


def test_an_equivalent_is_a_handful_of_precise_terms_never_common_words() -> None:
    for term in ("关税", "芯片", "稀土", "北极", "能源", "tariff", "chip", "policy"):
        found = equivalents(term)
        assert 0 < len(found) <= 5, term
        words = {w for e in found for w in e.split()}
        assert not words & {"the", "a", "of", "to", "us", "it", "new", "will"}, term
    # Words with many senses, and English words many Chinese words translate: no expansion.
    for term in ("问题", "管制", "和平", "发展", "issue", "control", "question", "the", "us"):
        assert equivalents(term) == (), term
    # 关税 is "customs duty", not any duty.
    assert KeywordMatcher(["关税"]).find("It was his duty to report") == set()
    assert KeywordMatcher(["关税"]).find("Customs duties rose") == {"关税"}


def test_the_glossary_wins_over_cc_cedict() -> None:
    glossary = parse_glossary(["# field terms", "芯片, 晶片 | chip, semiconductor", ""])
    cedict = cedict_translations(
        [
            ("芯片", ["computer chip", "microchip"]),
            ("筹码", ["bargaining chip"]),
            ("薯片", ["chip"]),
            ("关税", ["customs duty", "tariff"]),
        ]
    )
    built = build_lexicon(glossary, cedict)
    assert built.equivalents("芯片") == ("chip", "semiconductor", "晶片")
    assert built.equivalents("chips") == ("芯片", "晶片")  # not 薯片 (potato chips)
    assert built.equivalents("tariffs") == ("关税",)  # CC-CEDICT where the glossary is silent
    assert built.equivalents("关税") == ("customs duty", "tariff")


def test_cc_cedict_senses_are_cleaned_or_the_word_is_left_out() -> None:
    assert clean_gloss("rare earth (chemistry)") == "rare earth"
    assert clean_gloss("to export") == "export"
    assert clean_gloss("CL:個|个[ge4]") is None
    assert clean_gloss("surname Guan") is None
    assert clean_gloss("variant of 臺灣|台湾[Tai2 wan1]") is None
    assert clean_gloss("us") is None
    translations = cedict_translations(
        [
            ("出口", ["an exit", "CL:個|个[ge4]", "to speak", "to export", "(of a ship) to leave"]),
            ("管", ["tube"]),  # one character: too ambiguous to expand
            ("关系", ["relation", "lit. to concern"]),  # a sense we cannot use
            ("半导体", ["semiconductor", "CL:個|个[ge4]"]),
        ]
    )
    assert translations == {"半导体": ("semiconductor",)}


def test_search_terms_expand_but_quoted_terms_stay_exact() -> None:
    [term] = parse_query("关税").terms
    alternatives = expanded_alternatives(term)
    assert (Token("tariff"),) in alternatives  # the word and its plural (by stem)
    assert all(not t.prefix for p in alternatives[1:] for t in p)  # "chip" is not "chipmunk"
    [quoted] = parse_query('"关税"').terms
    assert expanded_alternatives(quoted) == ((Token("关税"),),)
    # Words typed apart that are one term of the lexicon are searched as that term.
    assert [t.text for t in parse_query("rare earths Beijing").terms] == ["rare earths", "beijing"]
    assert [t.text for t in parse_query("出口 管制").terms] == ["出口管制"]


async def test_the_lexicon_loads_off_the_event_loop_once() -> None:
    assert await lexicon.ready() is lexicon.lexicon()


def test_the_index_holds_one_token_per_term_of_the_lexicon() -> None:
    from bot.search.tokenize import phrase_token, tokenize

    stream = tokenize("New export controls on rare earths, and the trade-war; 稀土 rare")
    assert phrase_token(("export", "control")) in stream.stems
    assert phrase_token(("rare", "earth")) in stream.stems
    assert phrase_token(("trade", "war")) in stream.stems
    assert stream.words[:3] == ["new", "export", "controls"]  # positions are unchanged
    # Words of a term split by Chinese text are not the term.
    assert phrase_token(("export", "control")) not in tokenize("export 出口 controls").stems
