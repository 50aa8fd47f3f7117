"""Database fixtures: the same tests on SQLite (a migrated file per test) and PostgreSQL.

PostgreSQL is used at TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres); where no server
answers, its runs are skipped with the reason shown in pytest's summary.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
T = TypeVar("T")
KEPT_TABLES = {"alembic_version", "regions"}


@dataclass
class Database:
    """A migrated, empty database (the five default regions only) for one test."""

    kind: str
    url: str
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on its own loop, even when called from inside a test's loop
    (session fixtures may be first requested by an async fixture)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _migrate(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


async def _create_postgres_database() -> str:
    import asyncpg

    admin = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"digestbot_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(admin, timeout=3)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_postgres_database(url: str) -> None:
    import asyncpg

    admin = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(admin, timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped at the end."""
    try:
        url = _run(_create_postgres_database())
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means skip
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    _run(_migrate(url))
    yield url
    _run(_drop_postgres_database(url))


async def _empty_postgres(engine: AsyncEngine) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in KEPT_TABLES]
    async with engine.begin() as conn:
        existing = set(
            (
                await conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            )
            .scalars()
            .all()
        )
        extra = existing - KEPT_TABLES - set(tables)
        names = ", ".join(f'"{t}"' for t in [*tables, *sorted(extra)] if t in existing)
        if names:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


async def _open(kind: str, url: str) -> Database:
    engine = create_engine(url)  # pooled as in production (PostgreSQL: QueuePool, pinged)
    return Database(kind, url, engine, create_session_factory(engine))


@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "digestbot.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = await _open("sqlite", f"sqlite+aiosqlite:///{path}")
    yield db
    await db.engine.dispose()


@pytest.fixture
async def postgres_db(postgres_url: str) -> AsyncIterator[Database]:
    db = await _open("postgres", postgres_url)
    await _empty_postgres(db.engine)
    yield db
    await db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Database:
    """Runs the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_db")
