"""Sending: the outbox, the rate-limited sender, fan-out of published content, schedules.

Other areas call `notify_published(services)` after committing a publication in this process,
so its fan-out starts now instead of at the next poll (content published elsewhere is picked up
by the poll within a second anyway).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services


def notify_published(services: Services) -> None:
    """Wake the running bot's fan-out (a no-op where delivery is not running)."""
    if services.delivery is not None:
        services.delivery.wake()
