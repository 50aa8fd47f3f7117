"""Starts and stops the bot's background parts (placeholder until the sender lands)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.services import Services


def configure_builder(
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any], services: Services
):  # type: ignore[no-untyped-def]
    return builder


async def start(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    return None


async def stop(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    return None
