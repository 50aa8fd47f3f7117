"""Throwaway PostgreSQL databases for the benchmarks (`TEST_POSTGRES_URL` names the server)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def _admin(server: str | None = None) -> str:
    url = server or POSTGRES_ADMIN_URL
    for scheme in ("postgresql+asyncpg://", "postgres://"):
        url = url.replace(scheme, "postgresql://")
    return url


async def create_database(server: str | None = None) -> str:
    """A new empty database on `server` (any database URL on it; default TEST_POSTGRES_URL);
    returns its SQLAlchemy URL."""
    import asyncpg

    name = f"digestbot_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_admin(server), timeout=3)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _admin(server).replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + (
        f"/{name}"
    )


async def drop_database(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_admin(url.rsplit("/", 1)[0] + "/postgres"), timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def throwaway(kind: str) -> AsyncIterator[str]:
    """The URL of a fresh database, removed afterwards: a SQLite file in a temporary folder
    ("sqlite"), or a new database on TEST_POSTGRES_URL's server ("postgres")."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="digestbot-bench-") as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return
    url = await create_database()
    try:
        yield url
    finally:
        await drop_database(url)
