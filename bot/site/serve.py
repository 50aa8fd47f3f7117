"""Serving the site on a port of its own: the sandbox (`digestbot run` serves it from the bot's
HTTP server, `bot.web`, through `bot.web.routes`)."""

from __future__ import annotations

import logging
import socket

from aiohttp import web

from bot.services import Services
from bot.site.pages import add_routes

log = logging.getLogger(__name__)


def build_app(services: Services) -> web.Application:
    app = web.Application()
    add_routes(app, services)
    return app


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `port` (0: a free one), for a caller that must know the address
    before the site starts (the sandbox makes it the public address)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


async def start(
    services: Services,
    *,
    host: str = "0.0.0.0",
    port: int | None = None,
    sock: socket.socket | None = None,
) -> str:
    """Serve the site on `sock`, or on `port` (else `PORT`; 0 picks a free port); returns its
    local address."""
    chosen = services.settings.port if port is None else port
    if sock is None and chosen is None:
        raise ValueError("PORT is not set")
    runner = web.AppRunner(build_app(services), access_log=None)
    await runner.setup()
    try:
        if sock is not None:
            await web.SockSite(runner, sock).start()
        else:
            await web.TCPSite(runner, host, chosen).start()
    except BaseException:
        await runner.cleanup()
        raise
    services.site_runner = runner
    address = local_address(services) or f"http://{host}:{chosen}"
    log.info("website at %s (public address %s)", address, services.settings.public_url or address)
    return address


def local_address(services: Services) -> str | None:
    runner = services.site_runner
    if runner is None or not runner.addresses:
        return None
    host, port = runner.addresses[0][:2]
    host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{host}:{port}"


async def stop(services: Services) -> None:
    runner, services.site_runner = services.site_runner, None
    if runner is not None:
        await runner.cleanup()
