"""How /channel reads a chat reference and a topic id, and which topic a piece goes to."""

from __future__ import annotations

import pytest

from bot.channels.checks import parse_chat_ref
from bot.channels.errors import ChannelError
from bot.channels.service import parse_topic_id, topic_for
from storage.models import Channel


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("@ChinaWatch", "@ChinaWatch"),
        ("https://t.me/china_watch", "@china_watch"),
        ("t.me/china_watch/", "@china_watch"),
        ("-1001234567890", -1001234567890),
    ],
)
def test_a_chat_is_a_name_a_link_or_a_negative_id(text: str, ref: int | str) -> None:
    assert parse_chat_ref(text) == ref


@pytest.mark.parametrize("text", ["china", "12345", "@ab", "https://example.org/x", "@a b"])
def test_anything_else_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ChannelError) as caught:
        parse_chat_ref(text)
    assert caught.value.code == "bad_ref"


def test_topic_ids_are_positive_numbers_or_off() -> None:
    assert parse_topic_id("42") == 42 and parse_topic_id("off") is None
    for bad in ("0", "-3", "x"):
        with pytest.raises(ChannelError):
            parse_topic_id(bad)


def test_a_piece_goes_to_its_first_mapped_region_then_the_default_then_general() -> None:
    forum = Channel(is_forum=True, topics={"regions": {"japan": 7, "europe": 9}, "default": 11})
    plain = Channel(is_forum=False, topics={"regions": {"japan": 7}})
    general = Channel(is_forum=True, topics={"regions": {"japan": 1}})

    assert topic_for(forum, ["us-china", "europe", "japan"]) == 9
    assert topic_for(forum, ["russia"]) == 11
    assert topic_for(plain, ["japan"]) == 0
    assert topic_for(general, ["japan"]) == 0 and topic_for(general, ["africa"]) == 0
