"""Who may connect, change and remove channels: the one check every /channel command makes.

Today any editor (the handlers already run inside `editors_only`). When editor roles exist, this
is the place to require the publisher role: a channel post reaches every reader of the channel.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.editorial.permissions import UserLike, is_editor


async def may_manage_channels(
    session: AsyncSession, settings: Settings, user: UserLike | None
) -> bool:
    # With roles: `may(await role_of(session, settings, user), Action.MANAGE_CHANNELS)`.
    return await is_editor(session, settings, user)
