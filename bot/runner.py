"""Running the bot for real: migrate, then long-poll the Bot API until stopped."""

from __future__ import annotations

import logging

from bot.app import build_application
from bot.config import Settings
from storage.db import create_engine
from storage.migrate import upgrade

log = logging.getLogger(__name__)


async def upgrade_database(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def run_bot(settings: Settings) -> int:
    import asyncio

    asyncio.run(upgrade_database(settings))
    application = build_application(settings)
    log.info("digestbot polling %s", settings.telegram_api_url)
    application.run_polling(allowed_updates=None, drop_pending_updates=False)
    return 0
