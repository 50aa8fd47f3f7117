"""The one error type of the channels area: a catalog key (`channels.error.<code>`) and values."""

from __future__ import annotations


class ChannelError(Exception):
    """Something an editor must fix before a chat can be connected or changed; `code` names
    the message (`channels.error.<code>`), `values` fill it (plain text, escaped when
    rendered)."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values
