"""The features that serve HTTP routes in every process that runs the web server.

Add a feature's `RouteHook` (`add_routes(app, services)`) to the list below.
"""

from __future__ import annotations

from bot.web.server import RouteHook


def feature_routes() -> list[RouteHook]:
    return []
