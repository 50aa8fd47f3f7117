"""Offline extractive summaries."""

from __future__ import annotations

from bot.ingest.summary import split_sentences, summarize


def test_sentences_split_on_full_stops_but_not_on_abbreviations() -> None:
    text = "The U.S. said no. Mr. Li disagreed! Was it J. Smith? Yes."
    assert split_sentences(text) == [
        "The U.S. said no.",
        "Mr. Li disagreed!",
        "Was it J. Smith?",
        "Yes.",
    ]


def test_chinese_sentences_split_on_chinese_punctuation() -> None:
    assert split_sentences("中方表示反对。日方回应称“费用合理”。双方将磋商！") == [
        "中方表示反对。",
        "日方回应称“费用合理”。",
        "双方将磋商！",
    ]


def test_a_long_text_gets_at_most_three_sentences_in_their_original_order() -> None:
    sentences = [f"Sentence {i} talks about ports and shipping fees in Asia." for i in range(12)]
    summary = summarize(" ".join(sentences))
    chosen = split_sentences(summary)
    assert 1 <= len(chosen) <= 3
    assert chosen == sorted(chosen, key=sentences.index)


def test_a_short_text_gets_one_sentence_and_an_empty_text_none() -> None:
    assert summarize("Only one sentence here about trade.") == "Only one sentence here about trade."
    assert summarize("   ") == ""
    assert len(summarize("word " * 500)) <= 420
