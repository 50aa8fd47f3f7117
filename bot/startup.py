"""What the program says when it cannot start: one line naming what failed and what to do.

- The database: `check_database` opens one connection before anything else, and
  `describe_database_failure` turns a connection failure (from any command) into that line.
- Telegram: `initialize_bot` retries `Application.initialize` (its getMe) with back-off while
  the Bot API cannot be reached, logging one line per attempt, because a network blip or a
  Telegram outage at deploy time should delay the bot, not stop it; a refused token stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application

from bot.config import Settings

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


class StartupError(Exception):
    """The program cannot start; the message is the one line to show."""


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _where(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database or ':memory:'}"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def describe_database_failure(error: BaseException, database_url: str) -> str | None:
    """The one line for a database that cannot be opened, or None for any other error."""
    original: BaseException = error
    if isinstance(error, sa_exc.DBAPIError) and error.orig is not None:
        original = error.orig
    where = _where(database_url)
    name = type(original).__name__
    if name == "InvalidCatalogNameError":  # asyncpg: the database does not exist
        url = make_url(database_url)
        return (
            f"the database {url.database} does not exist on PostgreSQL at "
            f"{url.host or 'localhost'}:{url.port or 5432}: create it (createdb {url.database}) "
            "or fix DATABASE_URL"
        )
    if name in {"InvalidPasswordError", "InvalidAuthorizationSpecificationError"}:
        return (
            f"{where} refused the login ({_one_line(original)}): fix the user or password in "
            "DATABASE_URL"
        )
    if isinstance(original, OSError):  # refused, unknown host, timed out
        return (
            f"cannot reach {where} ({_one_line(original)}): start the database or fix DATABASE_URL"
        )
    if isinstance(error, sa_exc.OperationalError) and "unable to open" in str(original):
        return (
            f"cannot open {where} ({_one_line(original)}): check that the path is a file this "
            "user may write, or fix DATABASE_URL"
        )
    return None


async def check_database(engine: AsyncEngine, database_url: str) -> None:
    """Open one connection, or raise StartupError saying why it cannot be opened."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        # Checked before connecting: a failed aiosqlite connect leaves a thread behind that
        # prints its own traceback at exit.
        directory = Path(url.database).parent
        if not directory.is_dir():
            raise StartupError(
                f"cannot open {_where(database_url)}: the directory {directory} does not exist; "
                "create it or fix DATABASE_URL"
            )
    try:
        async with engine.connect() as connection:
            await connection.scalar(select(1))
    except Exception as error:  # noqa: BLE001 - whatever it is, the database cannot be used
        message = describe_database_failure(error, database_url) or (
            f"cannot use {_where(database_url)} ({_one_line(error)}): check the database "
            "server and DATABASE_URL"
        )
        raise StartupError(message) from None


async def _stopped_within(stopping: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)
    return stopping.is_set()


async def initialize_bot(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    stopping: asyncio.Event,
    *,
    first_retry: float = FIRST_RETRY_SECONDS,
) -> bool:
    """`application.initialize()` (getMe), retried while Telegram is unreachable."""
    return await retry_telegram(
        application.initialize, "getMe", settings, stopping, first_retry=first_retry
    )


async def retry_telegram(
    call: Callable[[], Awaitable[object]],
    what: str,
    settings: Settings,
    stopping: asyncio.Event,
    *,
    first_retry: float = FIRST_RETRY_SECONDS,
) -> bool:
    """`call()`, retried with back-off while Telegram is unreachable, one log line each time.

    Returns False when `stopping` is set while waiting. Raises StartupError when Telegram
    answers but refuses (a wrong token, a rejected request, TELEGRAM_API_URL not a Bot API)."""
    api = settings.telegram_api_url
    delay = first_retry
    attempt = 0
    while True:
        attempt += 1
        try:
            await call()
            if attempt > 1:
                log.info("Telegram reached at %s after %d attempts", api, attempt)
            return True
        except (InvalidToken, EndPointNotFound, Forbidden):
            raise StartupError(
                f"{api} refused the bot: check TELEGRAM_BOT_TOKEN (from @BotFather) and "
                "TELEGRAM_API_URL"
            ) from None
        except BadRequest as error:
            raise StartupError(
                f"{api} rejected {what} ({_one_line(error)}): check TELEGRAM_API_URL and "
                "WEBHOOK_URL"
            ) from None
        except (NetworkError, RetryAfter) as error:  # unreachable, timed out, 5xx, 429
            wait, delay = delay, min(delay * 2, MAX_RETRY_SECONDS)
            reason = _one_line(error)
        except TelegramError as error:
            raise StartupError(
                f"{api} did not answer {what} as the Bot API ({_one_line(error)}): check "
                "TELEGRAM_API_URL"
            ) from None
        log.warning(
            "Telegram unreachable at %s (%s attempt %d: %s); retrying in %.0f s: check the "
            "network and TELEGRAM_API_URL",
            api,
            what,
            attempt,
            reason,
            wait,
        )
        if await _stopped_within(stopping, wait):
            return False
