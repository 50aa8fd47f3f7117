"""Runs the source poller in the process that owns the scheduler (so exactly one process polls,
whatever the deployment): `start` when ownership is taken, `stop` at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.delivery import notify_published
from bot.services import Services
from bot.sources.notify import EditorNotifier
from bot.sources.poller import SourcePoller

POLLER_KEY = "sources"
_TASK_KEY = "sources_task"


def start(application: Any, services: Services) -> SourcePoller:
    """Start polling (once per process); returns the poller."""
    poller = services.extras.get(POLLER_KEY)
    if isinstance(poller, SourcePoller):
        return poller
    poller = SourcePoller(
        services.session_factory,
        services.settings,
        services.clock,
        notify=EditorNotifier(application.bot, services),
        on_published=lambda: notify_published(services),
    )
    services.extras[POLLER_KEY] = poller
    services.extras[_TASK_KEY] = asyncio.create_task(poller.run(), name="source-poller")
    return poller


async def stop(services: Services) -> None:
    task = services.extras.pop(_TASK_KEY, None)
    services.extras.pop(POLLER_KEY, None)
    if isinstance(task, asyncio.Task):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def running_poller(services: Services) -> SourcePoller | None:
    poller = services.extras.get(POLLER_KEY)
    return poller if isinstance(poller, SourcePoller) else None
