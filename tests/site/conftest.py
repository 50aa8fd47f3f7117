"""The site served by a real aiohttp server on 127.0.0.1, over a test database."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.services import Services
from bot.site import add_routes
from tests.db_fixtures import Database

NOW = dt.datetime(2025, 11, 6, 9, 0, tzinfo=dt.UTC)
PUBLIC_URL = "https://news.example.org"


@dataclass
class RunningSite:
    client: TestClient
    services: Services
    db: Database


@pytest.fixture
async def running_site(db: Database) -> AsyncIterator[RunningSite]:
    settings = Settings(
        database_url=db.url,
        telegram_bot_token="123:site-test",
        public_url=PUBLIC_URL,
        _env_file=None,  # type: ignore[call-arg]
    )
    services = Services(settings, db.engine, db.session_factory, clock=lambda: NOW)
    app = web.Application()
    add_routes(app, services)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield RunningSite(client, services, db)
    finally:
        await client.close()
