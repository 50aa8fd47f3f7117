"""Keeps the search index in step with published content (placeholder until search lands)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession


async def reindex(
    session: AsyncSession,
    *,
    entry_ids: Iterable[int] = (),
    item_ids: Iterable[int] = (),
    digest_ids: Iterable[int] = (),
) -> None:
    """(Re)index the given content if it is published, drop it from the index otherwise."""
