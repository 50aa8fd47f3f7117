"""Update ids the webhook accepted: claimed once across processes, forgotten after a while."""

from __future__ import annotations

import datetime as dt

from bot.web import handled_updates
from tests.db_fixtures import Database

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


async def test_an_update_id_is_claimed_once_until_it_is_pruned(db: Database) -> None:
    async with db.session_factory() as session, session.begin():
        assert await handled_updates.claim(session, 900_001, T0)
        assert not await handled_updates.claim(session, 900_001, T0 + dt.timedelta(minutes=1))
        assert await handled_updates.claim(session, 900_002, T0 + dt.timedelta(days=1))

    async with db.session_factory() as session, session.begin():
        pruned = await handled_updates.prune(session, T0 + dt.timedelta(days=2, hours=12))

    assert pruned == 1  # the one accepted 2.5 days before, not the one from 1.5 days before
    async with db.session_factory() as session, session.begin():
        assert await handled_updates.claim(session, 900_001, T0 + dt.timedelta(days=3))
        assert not await handled_updates.claim(session, 900_002, T0 + dt.timedelta(days=3))
