"""The one way sources fetch: a feed (conditionally, with its ETag and Last-Modified) or a
post's page, through the ingest fetcher and its link-safety check, size cap and time limit."""

from __future__ import annotations

from bot.config import Settings
from bot.ingest.fetch import FetchedPage, fetch_document
from bot.sources.feeds import ACCEPTED_TYPES


async def fetch_feed(
    url: str, settings: Settings, *, etag: str | None = None, last_modified: str | None = None
) -> FetchedPage:
    """The feed at `url`; status 304 (empty body) when it did not change since the last poll."""
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return await fetch_document(url, settings, accept=ACCEPTED_TYPES, headers=headers)


async def fetch_page(url: str, settings: Settings) -> FetchedPage:
    """A post's own page, for a feed entry that only holds an excerpt."""
    return await fetch_document(url, settings)
