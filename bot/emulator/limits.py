"""Telegram's flood limits, as the emulator enforces them.

- Overall: at most `global_per_second` sends (30 by default; `paid_per_second`, 1000, for sends
  with allow_paid_broadcast) in any sliding 1-second window.
- Private chats: a token bucket of `private_burst` (3) tokens refilled at `private_per_second`
  (1/s): Telegram tolerates short bursts, so the 4th message within a second gets 429, and a
  steady 1 message per second never does.
- Groups, supergroups and channels: at most `group_per_minute` (20) in any sliding
  `group_period` (60 s) window; tests shorten the window to see a minute's limit in seconds.

Edits (editMessageText and friends) count against the chat's limit, not the overall one:
Telegram throttles a chat that is edited in a loop, but edits are not broadcasts. A refused
request consumes nothing. retry_after is the whole number of seconds until the request would
pass, at least 1, as Telegram sends it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(slots=True)
class RateLimits:
    """The limits in force; `enabled=False` turns all of them off."""

    enabled: bool = True
    global_per_second: int = 30
    paid_per_second: int = 1000
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    group_period: float = 60.0
    count_edits_per_chat: bool = True


def _retry(seconds: float) -> int:
    return max(1, math.ceil(seconds - 1e-9))


class RateLimiter:
    """Decides whether a send or an edit may go now; records it when it may."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global: deque[float] = deque()
        self._private: dict[int, list[float]] = {}  # chat -> [tokens, updated_at]
        self._groups: dict[int, deque[float]] = {}

    def reset(self) -> None:
        self._global.clear()
        self._private.clear()
        self._groups.clear()

    def acquire(
        self, chat_id: int, private: bool, now: float, *, paid: bool = False, edit: bool = False
    ) -> int | None:
        """None if allowed (and counted), else retry_after in seconds."""
        limits = self.limits
        if not limits.enabled or (edit and not limits.count_edits_per_chat):
            return None
        if not edit:
            window = self._global
            while window and window[0] <= now - 1.0:
                window.popleft()
            cap = limits.paid_per_second if paid else limits.global_per_second
            if len(window) >= cap:
                # the oldest send that must leave the window before this one fits
                return _retry(window[len(window) - cap] + 1.0 - now)
        if private:
            bucket = self._private.get(chat_id)
            if bucket is None:
                bucket = self._private[chat_id] = [float(limits.private_burst), now]
            tokens = min(
                float(limits.private_burst),
                bucket[0] + (now - bucket[1]) * limits.private_per_second,
            )
            if tokens < 1.0:
                bucket[0], bucket[1] = tokens, now
                return _retry((1.0 - tokens) / limits.private_per_second)
            bucket[0], bucket[1] = tokens - 1.0, now
        else:
            recent = self._groups.get(chat_id)
            if recent is None:
                recent = self._groups[chat_id] = deque()
            period = limits.group_period
            while recent and recent[0] <= now - period:
                recent.popleft()
            if len(recent) >= limits.group_per_minute:
                return _retry(recent[len(recent) - limits.group_per_minute] + period - now)
            recent.append(now)
        if not edit:
            self._global.append(now)
        return None
