"""Telegram's formatting rules and the request contract, checked without a server."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.emulator import ParseError, parse_html, parse_markdown_v2, utf16_len, validate_request
from bot.emulator.formatting import add_auto_entities, parse_markdown, strip_text


def test_html_offsets_are_counted_in_utf16_units() -> None:
    text, entities = parse_html("🇯🇵 <b>Japan</b> &amp; <i>中国</i>")

    assert text == "🇯🇵 Japan & 中国"
    assert entities == [
        {"type": "bold", "offset": 5, "length": 5},
        {"type": "italic", "offset": 13, "length": 2},
    ]
    assert utf16_len(text) == 15


def test_html_links_mentions_and_code_blocks() -> None:
    text, entities = parse_html(
        '<a href="https://a.example/?q=1&amp;r=2">A</a> <a href="tg://user?id=42">Ann</a> '
        '<pre><code class="language-sql">SELECT 1</code></pre> <b><i>both</i></b>'
    )

    assert text == "A Ann SELECT 1 both"
    link, mention, pre, bold, italic = entities
    assert link == {
        "type": "text_link",
        "offset": 0,
        "length": 1,
        "url": "https://a.example/?q=1&r=2",
    }
    assert mention["type"] == "text_mention" and mention["user"]["id"] == 42
    assert pre == {"type": "pre", "offset": 6, "length": 8, "language": "sql"}
    assert (bold["type"], italic["type"]) == ("bold", "italic")


def test_html_tags_are_case_insensitive_and_entities_numeric() -> None:
    text, entities = parse_html("<B>x</B>&#8364;&#x20AC;")

    assert (text, entities) == ("x€€", [{"type": "bold", "offset": 0, "length": 1}])


def test_a_bare_ampersand_can_be_allowed_as_telegram_does() -> None:
    with pytest.raises(ParseError):
        parse_html("AT&T")

    assert parse_html("AT&T", strict_ampersand=False) == ("AT&T", [])


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("1.5", "Character '.' is reserved"),
        ("*bold", "Can't find end of Bold entity at byte offset 0"),
        ("[link](https://x.org", "Can't find end of a URL"),
        ("a | b", "Character '|' is reserved"),
    ],
)
def test_markdown_v2_refuses_what_telegram_refuses(source: str, error: str) -> None:
    with pytest.raises(ParseError, match=error.replace("(", r"\(").replace("[", r"\[")):
        parse_markdown_v2(source)


def test_markdown_v2_entities() -> None:
    text, entities = parse_markdown_v2(
        "*b* _i_ __u__ ~s~ ||p|| `c` [l](https://x.org/a\\)b) 1\\.5\n```py\nx\n```\n>quoted"
    )

    assert text == "b i u s p c l 1.5\nx\n\nquoted"
    kinds = [e["type"] for e in entities]
    assert kinds == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
        "pre",
        "blockquote",
    ]
    assert entities[6]["url"] == "https://x.org/a)b"
    assert entities[7]["language"] == "py"


def test_legacy_markdown() -> None:
    text, entities = parse_markdown("*bold* _it_ [x](https://x.org) `c`")

    assert text == "bold it x c"
    assert [e["type"] for e in entities] == ["bold", "italic", "text_link", "code"]
    with pytest.raises(ParseError, match="Can't find end of the entity starting at byte offset 0"):
        parse_markdown("*open")


def test_whitespace_around_a_message_is_trimmed_with_its_entities() -> None:
    text, entities = strip_text("\n  hello  \n", [{"type": "bold", "offset": 0, "length": 9}])

    assert (text, entities) == ("hello", [{"type": "bold", "offset": 0, "length": 5}])


def test_telegram_detects_commands_links_mentions_and_hashtags() -> None:
    entities = add_auto_entities("/follow@digest_bot japan, see https://x.org. @annie #news", [])

    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bot_command", 0, 18),
        ("url", 30, 13),
        ("mention", 45, 6),
        ("hashtag", 52, 5),
    ]


def test_validate_request_explains_what_telegram_would_refuse() -> None:
    assert validate_request("sendMessage", {"chat_id": 1, "text": "hi"}) is None
    assert (
        validate_request(
            "SENDMESSAGE", {"chat_id": "1", "text": "hi", "disable_notification": "true"}
        )
        is None
    )
    assert validate_request("sendMessage", {"chat_id": 1}) == "Bad Request: message text is empty"
    assert validate_request("sendMessage", {"chat_id": 1, "text": "<x>", "parse_mode": "HTML"}) == (
        'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0'
    )
    assert validate_request(
        "sendMessage", {"chat_id": 1, "text": "a", "reply_markup": "{oops"}
    ) == ("Bad Request: can't parse reply keyboard markup JSON object")
    assert validate_request("getMe", {"extra": 1}) == 'Bad Request: unknown parameter "extra"'
    assert validate_request("sendPigeon", {}) == "Not Found"
    assert validate_request(
        "setMyCommands", {"commands": [{"command": "Bad!", "description": "x"}]}
    ) == ("Bad Request: BOT_COMMAND_INVALID")


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_escaped_text_always_parses_back_to_itself(text: str) -> None:
    parsed, entities = parse_html(html.escape(text))

    assert (parsed, entities) == (text, [])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>&/\"'= abi#;x-", max_size=40))
def test_any_html_is_either_parsed_or_refused_with_a_parse_error(source: str) -> None:
    try:
        text, entities = parse_html(source)
    except ParseError:
        return
    assert all(e["offset"] >= 0 and e["offset"] + e["length"] <= utf16_len(text) for e in entities)
