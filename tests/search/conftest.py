"""Fixtures of the search tests.

`library`: the archive of tests/search/archive.py, built once per test module on each database
(SQLite and PostgreSQL) for the tests that only read it; tests that change the archive use the
function-scoped `db` fixture and `archive` instead.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.pool import NullPool

from storage.db import create_engine, create_session_factory
from tests.db_fixtures import (
    Database,
    _create_postgres_database,
    _drop_postgres_database,
    _migrate,
    _run,
)

# The running bot of the end-to-end tests, for the chat-level search tests (test_chat.py).
from tests.e2e.conftest import (  # noqa: F401
    _conversation_emulator,
    _every_request_follows_the_bot_api,
    bot_db,
    pytest_configure,  # the `bot` marker
    running_bot,
)
from tests.search import archive as fixtures
from tests.search.archive import Archive


@dataclass
class Library:
    db: Database
    archive: Archive


async def _build(url: str) -> Archive:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            return await fixtures.build(session)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def _library(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str, Archive]]:
    """A database holding the test archive, built once per module."""
    kind = request.param
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("search") / "library.sqlite3"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        try:
            url = _run(_create_postgres_database())
        except Exception as exc:  # noqa: BLE001 - any failure to reach the server means skip
            pytest.skip(f"PostgreSQL not reachable: {exc}")
        _run(_migrate(url))
    try:
        yield kind, url, _run(_build(url))
    finally:
        if kind == "postgres":
            _run(_drop_postgres_database(url))


@pytest.fixture
async def library(_library: tuple[str, str, Archive]) -> AsyncIterator[Library]:
    """The shared archive, for tests that only read it. The engine is the test's own: each
    test runs on its own event loop, and pooled connections must not outlive it."""
    kind, url, archive = _library
    engine = create_engine(url) if kind == "sqlite" else create_engine(url, pool_size=2)
    yield Library(Database(kind, url, engine, create_session_factory(engine)), archive)
    await engine.dispose()


@pytest.fixture
async def archive(db: Database) -> Archive:
    """The test archive in the function-scoped `db`, for tests that change it."""
    async with db.session_factory() as session, session.begin():
        return await fixtures.build(session)
