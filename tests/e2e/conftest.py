"""The running bot for end-to-end tests: the real Application, polling the emulator over HTTP.

    async def test_...(running_bot: RunningBot) -> None:
        reply = await running_bot.command(ANN, "/subscribe japan")
        press = await running_bot.press(ANN, text="Catch up")

Options per test with `@pytest.mark.bot(...)`:
    db="sqlite" | "postgres"          which database fixture to use (default sqlite; or
                                       parametrize `bot_db` indirectly to run on both)
    default_timezone="Asia/Shanghai", admin_ids=[...], any other Settings field
    clock=callable                     Services.clock (a clock the test can move)
Emulator options use `@pytest.mark.emulator(...)` as everywhere (rate limits are off by
default here: these tests are about conversations, the flood limits have their own tests).

Every request the bot sent during an e2e test is checked against api.json at teardown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.delivery.limiter import FloodLimiter, Limits
from bot.emulator import EmuMessage, RequestRecord, TelegramEmulator
from bot.services import Services, system_clock
from tests.db_fixtures import Database


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bot(db=..., clock=..., **settings): options for the `running_bot` fixture"
    )


@dataclass
class Press:
    """A button press and what came of it."""

    answer: dict[str, Any]  # answerCallbackQuery parameters (text, show_alert)
    message: EmuMessage  # the message the button was on, edits applied

    @property
    def text(self) -> str:
        return self.message.text or ""


class MovableClock:
    """A clock for Services.clock that tests move forward by hand."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or system_clock()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class RunningBot:
    """The bot under test, its emulated Telegram, and its database."""

    emulator: TelegramEmulator
    application: Application
    services: Services
    db: Database

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        return self.services.session_factory

    def user(
        self, user_id: int, first_name: str | None = None, *, language_code: str = "en", **kw: Any
    ) -> int:
        """Make sure a user exists (and has started the bot); returns the id."""
        self.emulator.add_user(user_id, first_name, language_code=language_code, **kw)
        return user_id

    async def command(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
        replies: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> EmuMessage:
        """Send `text` as the user (in their private chat, or `chat_id`/`thread_id`) and
        return the bot's last reply once `replies` new messages arrived."""
        sent = await self.emulator.ask(
            user_id, text, chat_id=chat_id, thread_id=thread_id, replies=replies, timeout=timeout
        )
        return sent[-1]

    async def replies(
        self,
        user_id: int,
        text: str,
        count: int,
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[EmuMessage]:
        """Like `command`, returning all `count` new messages."""
        return await self.emulator.ask(
            user_id, text, chat_id=chat_id, thread_id=thread_id, replies=count, timeout=timeout
        )

    async def press(
        self,
        user_id: int,
        message: EmuMessage | None = None,
        *,
        text: str | None = None,
        data: str | None = None,
        chat_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Press:
        """Press a button (on `message`, default the chat's latest with buttons) chosen by
        text or callback data; wait for the bot's answer to the press."""
        chat = chat_id if chat_id is not None else (message.chat_id if message else user_id)
        query = self.emulator.press_button(
            user_id,
            chat,
            message.message_id if message else None,
            text=text,
            data=data,
        )
        answer = await self.emulator.wait_for_callback_answer(query, timeout=timeout)
        assert query.message_id is not None
        return Press(answer, self.emulator.message(chat, query.message_id))

    async def press_data(
        self,
        user_id: int,
        message: EmuMessage,
        data: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Deliver a callback query with arbitrary data (a forged or stale button) for
        `message`, as a modified client could; returns the bot's answer."""
        button = {"text": "forged", "callback_data": data}
        original = message.reply_markup
        message.reply_markup = {"inline_keyboard": [[button]]}
        try:
            query = self.emulator.press_button(
                user_id, message.chat_id, message.message_id, data=data
            )
        finally:
            message.reply_markup = original
        return await self.emulator.wait_for_callback_answer(query, timeout=timeout)

    async def handled(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Await the bot having fetched and finished handling every update sent so far, its
        replies included: how a test knows that a message got no answer."""
        await self.emulator.wait_for_updates_fetched(timeout=timeout)
        await asyncio.wait_for(self.application.update_queue.join(), timeout)

    def failed_requests(self) -> list[RequestRecord]:
        """Requests Telegram answered with an error (state errors, not contract errors)."""
        return [r for r in self.emulator.requests() if r.status != 200]


def _bot_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("bot")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def bot_db(request: pytest.FixtureRequest) -> Database:
    """The database the running bot uses: SQLite, unless `@pytest.mark.bot(db="postgres")` or
    `@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)`."""
    kind = getattr(request, "param", None) or _bot_options(request).get("db", "sqlite")
    return request.getfixturevalue(f"{kind}_db")


@pytest.fixture
async def running_bot(
    request: pytest.FixtureRequest, emulator: TelegramEmulator, bot_db: Database
) -> AsyncIterator[RunningBot]:
    """The real bot (bot.app.build_application) polling the emulator, on a fresh database."""
    options = _bot_options(request)
    options.pop("db", None)
    clock: Callable[[], dt.datetime] = options.pop("clock", system_clock)
    db = bot_db
    settings = Settings(
        telegram_bot_token=emulator.token,
        telegram_api_url=emulator.base_url,
        database_url=db.url,
        **options,
    )
    services = Services(settings, db.engine, db.session_factory, clock=clock)
    if not emulator.config.rate_limits:
        # Telegram's per-chat pacing (a reply a second after a burst of three) would make
        # every conversation test wait; the overall limit and 429 handling stay on.
        limits = Limits(per_second=settings.send_rate_limit, chat_limits=False)
        services.limiter = FloodLimiter(limits)
    application = build_application(settings, services=services)
    # The order of Application.run_polling, whose post_init sets the menu and starts delivery.
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=5)
        await application.start()
        try:
            yield RunningBot(emulator, application, services, db)
        finally:
            await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


@pytest.fixture(autouse=True)
def _conversation_emulator(request: pytest.FixtureRequest) -> None:
    """Conversations are not about flood limits: e2e tests run without them unless a test
    asks for them with `@pytest.mark.emulator(rate_limits=True)`."""
    marker = request.node.get_closest_marker("emulator")
    if marker is None or "rate_limits" not in marker.kwargs:
        kwargs = {**(marker.kwargs if marker else {}), "rate_limits": False}
        request.node.add_marker(pytest.mark.emulator(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _every_request_follows_the_bot_api(
    request: pytest.FixtureRequest, _conversation_emulator: None
) -> Iterator[None]:
    """At teardown: every request the bot sent validates against api.json."""
    if "emulator" not in request.fixturenames:
        yield
        return
    emulator: TelegramEmulator = request.getfixturevalue("emulator")
    yield
    emulator.assert_valid_requests()
