"""English summaries of report items: the article's lead, without the page furniture."""

from __future__ import annotations

from bot.ingest.english_summary import MAX_CHARS, english_summary


def test_the_lead_sentences_come_first_and_the_dateline_goes() -> None:
    text = (
        "NAIROBI, March 3 (Reuters) - Kenya and China agreed on Monday to extend the railway to"
        " the Ugandan border, officials said.\n"
        "The deal includes a new loan from a Chinese state bank. Work on the extension could start next year.\n"
        "Critics say the country already owes too much."
    )
    assert english_summary(text) == (
        "Kenya and China agreed on Monday to extend the railway to the Ugandan border,"
        " officials said. The deal includes a new loan from a Chinese state bank."
        " Work on the extension could start next year."
    )


def test_bylines_captions_and_pleas_to_subscribe_are_not_the_summary() -> None:
    text = "\n".join(
        [
            "By Wen Qiao and Lars Holm",
            "Updated: 4 March 2026",
            "Catch up on the day’s biggest China stories.",
            "Officials inspect the new terminal in Mombasa. Photo: Xinhua",
            "Advertisement",
            "Subscribe to our newsletter for daily briefings on Asia’s economies.",
            "Kenya opened a Chinese-built port terminal on Tuesday, doubling its container"
            " capacity.",
            "Additional reporting by Sun Mei",
        ]
    )
    assert english_summary(text) == (
        "Kenya opened a Chinese-built port terminal on Tuesday, doubling its container capacity."
    )


def test_a_lead_that_starts_like_a_button_label_is_still_the_lead() -> None:
    text = "Share\nShare prices of Chinese solar makers fell on Monday after the EU opened a probe."
    assert english_summary(text).startswith("Share prices of Chinese solar makers fell")


def test_quotes_questions_and_fragments_are_passed_over() -> None:
    text = (
        "“We will not back down,” the minister said.\n"
        "What happens next?\n"
        "Talks resume.\n"
        "The two governments will meet again in Geneva next month to discuss tariffs."
    )
    assert english_summary(text) == (
        "The two governments will meet again in Geneva next month to discuss tariffs."
    )


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "The U.S. envoy met Mr. Wang at 3 p.m. on Friday in Beijing. They spoke for an hour."
    assert english_summary(text, max_sentences=1) == (
        "The U.S. envoy met Mr. Wang at 3 p.m. on Friday in Beijing."
    )


def test_the_summary_is_short_and_never_made_up_when_there_is_no_english_prose() -> None:
    long = " ".join(
        f"Sentence number {i} describes the port and its many new cranes." for i in range(40)
    )
    assert len(english_summary(long)) <= MAX_CHARS
    assert english_summary("") == english_summary(None) == ""
    assert english_summary("内容摘要：中国与肯尼亚签署协议。") == ""
    assert english_summary("Advertisement\nPhoto: AP\nBy Wen Qiao") == ""
