"""Which plain messages in a private chat are searches: words are, small talk and scraps are
not; messages shared through an inline bot and messages in groups never are."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Chat, Message, Update, User

from bot.search.chat import MAX_TEXT_QUERY_CHARS, text_query
from handlers.search import TEXT_QUERY


@pytest.mark.parametrize(
    "text",
    ["rare earths", "稀土", "EU", "日本", "huang jing", 'tariffs region:japan by:"Ding Chun"'],
)
def test_words_are_a_query(text: str) -> None:
    assert text_query(text) == text


@pytest.mark.parametrize(
    "text",
    ["", "   ", "a", "?", "👍👍", "...", "hi", "Hello!", "thank you", "OK.", "谢谢！", "你好"],
)
def test_small_talk_and_scraps_are_not(text: str) -> None:
    assert text_query(text) is None


def test_spaces_fold_and_a_pasted_article_is_not_a_query() -> None:
    assert text_query("  rare \n earths ") == "rare earths"
    assert text_query("x" * MAX_TEXT_QUERY_CHARS) is not None
    assert text_query("x" * (MAX_TEXT_QUERY_CHARS + 1)) is None


def _update(chat: Chat, text: str, **fields: object) -> Update:
    user = User(5, "Ann", is_bot=False)
    message = Message(1, dt.datetime.now(dt.UTC), chat, from_user=user, text=text, **fields)
    return Update(1, message=message)


def test_only_typed_text_in_private_chats_is_searched() -> None:
    private = Chat(5, Chat.PRIVATE)
    group = Chat(-100, Chat.SUPERGROUP)
    inline_bot = User(99, "digest_test_bot", is_bot=True)

    assert TEXT_QUERY.check_update(_update(private, "rare earths"))
    assert not TEXT_QUERY.check_update(_update(group, "rare earths"))
    assert not TEXT_QUERY.check_update(_update(private, "rare earths", via_bot=inline_bot))
