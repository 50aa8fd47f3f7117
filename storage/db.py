"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while the sender writes; foreign keys are off by default in SQLite;
    # busy_timeout makes a second process wait for the write lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        # The connection used last is reused first, so a busy process keeps a few warm ones.
        kwargs.setdefault("pool_use_lifo", True)
        engine = create_async_engine(database_url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _ping_when_idle(engine)
        return engine
    return create_async_engine(database_url, **kwargs)


PING_AFTER_IDLE = 1.0  # seconds a pooled connection may sit unused before it is checked


def _ping_when_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's `pool_pre_ping`, but only for connections idle for `PING_AFTER_IDLE`.

    A checked-out connection is pinged before use so that one the server dropped (a restart, an
    idle timeout) is replaced instead of failing the first statement. `pool_pre_ping` does it on
    every checkout: one more round trip for every transaction, each a turn of the event loop,
    which a busy sender and the replies waiting behind it pay thousands of times a second. A
    connection back in the pool for less than a second was working a moment ago; a drop in that
    moment fails one statement, which SQLAlchemy reports as a disconnect and answers by
    replacing every pooled connection (the sender retries its batch).
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            alive = engine.sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: use another connection
            raise exc.DisconnectionError() from error
        if not alive:
            raise exc.DisconnectionError()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
