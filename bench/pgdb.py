"""Throwaway PostgreSQL databases for the benchmarks (`TEST_POSTGRES_URL` names the server)."""

from __future__ import annotations

import os
import uuid

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def _admin() -> str:
    return POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")


async def create_database() -> str:
    """A new empty database; returns its SQLAlchemy URL."""
    import asyncpg

    name = f"digestbot_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_admin(), timeout=3)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_admin(), timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()
