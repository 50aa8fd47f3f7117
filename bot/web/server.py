"""The bot's HTTP server (aiohttp): /healthz, and whatever routes features add.

A feature serves HTTP by handing a `RouteHook` to `create_web_app`: a function that adds its
routes (and, if it needs them, startup/cleanup contexts) to the aiohttp application, given the
process's `Services`. `bot.web.routes.feature_routes()` lists the hooks every process that
serves the web adds; webhook mode adds `bot.web.webhook.webhook_routes(...)` too. The server
runs in webhook mode (WEBHOOK_URL) and whenever PORT is set, on WEB_HOST:PORT.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aiohttp import web

from bot.services import Services

log = logging.getLogger(__name__)

RouteHook = Callable[[web.Application, Services], None]
SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
HEALTHZ_PATH = "/healthz"


async def healthz(request: web.Request) -> web.Response:
    """For load balancers and platforms: the process is up and serving."""
    return web.json_response({"ok": True})


def create_web_app(services: Services, hooks: Iterable[RouteHook] = ()) -> web.Application:
    app = web.Application()
    app[SERVICES] = services
    app.router.add_get(HEALTHZ_PATH, healthz)
    for hook in hooks:
        hook(app, services)
    return app


class WebServer:
    """Serves one aiohttp application on host:port (port 0: any free port, see `port`)."""

    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - the bound port
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("serving HTTP on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
