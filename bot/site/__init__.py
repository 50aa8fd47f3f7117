"""The public website: an archive of published content with permalinks, Atom feeds, site
search, and tracked links that count clicks on what subscribers were sent.

- `add_routes(app, services)`: mount the site on any aiohttp application.
- `serve.start(services)` / `serve.stop(services)`: its own server on `PORT`.
- `digest_url(digest, public_url)`: where a monthly digest's link leads.
- `tracked_url(settings, publication, item, url)`: the counted link for a pushed message;
  `publication_of(content)` names the publication an entry or item went out in.
"""

from bot.site.links import digest_url, publication_of, tracked_url
from bot.site.pages import add_routes

__all__ = ["add_routes", "digest_url", "publication_of", "tracked_url"]
