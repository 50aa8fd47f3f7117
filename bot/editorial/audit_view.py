"""Reading the audit log page by page for /audit, with names for the people in it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, KnownUser

PAGE_SIZE = 10


@dataclass
class AuditPage:
    rows: list[AuditLog]
    page: int  # 0-based
    pages: int
    names: dict[int, str]  # actor id -> "@username" or first name


async def page(session: AsyncSession, number: int, size: int = PAGE_SIZE) -> AuditPage:
    total = int(await session.scalar(select(func.count(AuditLog.id))) or 0)
    pages = max(1, -(-total // size))
    number = min(max(number, 0), pages - 1)
    rows = list(
        await session.scalars(
            select(AuditLog).order_by(AuditLog.id.desc()).offset(number * size).limit(size)
        )
    )
    actors = {r.actor_id for r in rows if r.actor_id is not None}
    names: dict[int, str] = {}
    if actors:
        for user in await session.scalars(select(KnownUser).where(KnownUser.user_id.in_(actors))):
            if user.username:
                names[user.user_id] = f"@{user.username}"
            elif user.first_name:
                names[user.user_id] = user.first_name
    return AuditPage(rows, number, pages, names)
