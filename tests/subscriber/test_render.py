"""Messages stay within Telegram's limits whatever users typed, and buttons parse back."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import t
from bot.render import MAX_CALLBACK_BYTES, callback, parse_callback
from bot.render import subscriber as render
from storage.models import EditorRole, Subscriber, Subscription

WORST = "&" * 100  # the longest keyword, every character escaped to five


def keywords(count: int) -> list[Subscription]:
    return [
        Subscription(id=n, kind="keyword", keyword=f"{n:03d}{WORST}"[:100], target=str(n))
        for n in range(count)
    ]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_list_of_the_longest_keywords_fits_in_a_message(language: str) -> None:
    subscriber = Subscriber(mode="daily", daily_time="08:00", timezone="UTC", status="paused")
    rows = keywords(200)

    pages = [render.subscription_list(language, subscriber, rows, n) for n in range(20)]

    assert all(len(p.text) <= 4096 for p in pages)
    assert all(
        len(b.data or "") <= MAX_CALLBACK_BYTES for p in pages for r in p.keyboard for b in r
    )
    assert sum(p.text.count("• ") for p in pages) == 200  # every line shown on some page


def test_keyword_usage_is_bounded() -> None:
    words = [f"{n}{WORST}" for n in range(200)]

    message = render.keyword_usage("en", "sub.mute.usage", words)

    assert len(message.text) <= 4096 and message.text.endswith("… /list")


def test_callback_data_is_bounded_and_parsed_back_strictly() -> None:
    spec = render.CALLBACKS
    assert parse_callback("s:ld:12:3", "s", spec) == ("ld", [12, 3])
    assert parse_callback("s:st:z:America/New_York", "s", spec) == ("st", ["z", "America/New_York"])
    for forged in (
        "s:ld:12",
        "s:ld:x:1",
        "s:nope",
        "dl:fr:1",
        "s:rt:1:2",
        "",
        None,
        "s:" + "1" * 70,
    ):
        assert parse_callback(forged, "s", spec) is None
    with pytest.raises(ValueError):
        callback("s", "st", "z", "x" * 70)
    with pytest.raises(ValueError):
        callback("s", "st", "z", "a:b")


EDITOR_COMMANDS = ("/post", "/digest", "/edit", "/retract", "/schedule", "/stats", "/broadcast")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_help_lists_search_and_editor_commands_only_for_editors_in_private(language: str) -> None:
    def text(**where: Any) -> str:
        return render.help_text(language, bot_username="a" * 32, **where).text

    editor = text(private=True, in_group=False, editor=EditorRole.PUBLISHER)
    subscriber = text(private=True, in_group=False, editor=None)
    in_group = text(private=False, in_group=True, editor=EditorRole.PUBLISHER)

    assert len(editor) <= 4096  # the longest variant, with the longest bot username
    for command in (*EDITOR_COMMANDS, "/audit", "/editor"):
        assert command in editor and command not in subscriber and command not in in_group
    for help_text in (editor, subscriber, in_group):
        assert "/search" in help_text and "region:" in help_text and "by:" in help_text
        assert "since:" in help_text and "huang jing" in help_text and "稀土" in help_text
    # Plain text is searched in private chats only.
    just_type = t(language, "sub.help.search_here")
    assert just_type in subscriber and just_type not in in_group
