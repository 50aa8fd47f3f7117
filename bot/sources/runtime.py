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


def start(application: Any, services: Services) -> SourcePoller:
    """Start polling (once per process); returns the poller."""
    if services.source_poller is not None:
        return services.source_poller
    poller = SourcePoller(
        services.session_factory,
        services.settings,
        services.clock,
        notify=EditorNotifier(application.bot, services),
        on_published=lambda: notify_published(services),
    )
    services.source_poller = poller
    services.source_poller_task = asyncio.create_task(poller.run(), name="source-poller")
    return poller


async def stop(services: Services) -> None:
    task, services.source_poller_task = services.source_poller_task, None
    services.source_poller = None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def running_poller(services: Services) -> SourcePoller | None:
    return services.source_poller
