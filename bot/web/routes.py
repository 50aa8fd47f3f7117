"""The features that serve HTTP routes in every process that runs the web server.

Add a feature's `RouteHook` (`add_routes(app, services)`) to the list below.
"""

from __future__ import annotations

from bot.site.pages import add_routes as site_routes
from bot.web.server import RouteHook


def feature_routes() -> list[RouteHook]:
    return [site_routes]  # the public website: pages, feeds, tracked links
