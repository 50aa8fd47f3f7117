"""The edition in channels: channels and supergroups the bot posts every publication to.

Editors connect a chat with `/channel add` (`checks` asks Telegram whether the bot can post
there, `service` stores it); each publication's fan-out calls `queue_editions`, which renders the
whole edition (`render.edition_posts`) into a few posts per channel, queued in the outbox like any
other send, so they survive a crash and keep Telegram's 20-posts-a-minute limit per chat.
"""

from __future__ import annotations

from bot.channels.posting import queue_editions

__all__ = ["queue_editions"]
