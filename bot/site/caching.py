"""Conditional GET: an ETag and a Last-Modified on every page and feed, 304 when unchanged.

The ETag is a hash of the body, so it changes exactly when the page does (an edit, a
retraction, a new item) whatever the rows' timestamps say. Last-Modified is when this process
first served that body: report items carry no edit time, so a time taken from the rows could
claim a page unchanged after an edit. A restarted process dates every page to its start, which
costs a full response, never a stale one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import web

MAX_REMEMBERED = 20_000
CACHE_CONTROL = "public, max-age=60"


class Freshness:
    """When each (path, body hash) was first served, for the most recently served paths."""

    def __init__(
        self,
        clock: Callable[[], dt.datetime] | None = None,
        *,
        size: int = MAX_REMEMBERED,
    ) -> None:
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._seen: OrderedDict[str, tuple[str, dt.datetime]] = OrderedDict()
        self._size = size

    def last_modified(self, key: str, etag: str) -> dt.datetime:
        seen = self._seen.get(key)
        if seen is not None and seen[0] == etag:
            self._seen.move_to_end(key)
            return seen[1]
        # HTTP dates have whole seconds: compare as the client will send it back. A body that
        # changed within the second of the last one still gets a later date.
        now = self._clock().replace(microsecond=0)
        if seen is not None and now <= seen[1]:
            now = seen[1] + dt.timedelta(seconds=1)
        self._seen[key] = (etag, now)
        self._seen.move_to_end(key)
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return now


def respond(
    request: web.Request,
    freshness: Freshness,
    body: bytes,
    *,
    content_type: str,
    status: int = 200,
) -> web.Response:
    """The response for `body`, or 304 Not Modified when the client's copy is current."""
    etag = hashlib.blake2b(body, digest_size=12).hexdigest()
    headers = {"Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if status != 200:
        return web.Response(body=body, status=status, content_type=content_type, headers=headers)
    modified = freshness.last_modified(request.path_qs, etag)
    if _not_modified(request, etag, modified):
        response = web.Response(status=304, headers=headers)
    else:
        response = web.Response(body=body, content_type=content_type, headers=headers)
    response.etag = etag
    response.last_modified = modified
    return response


def _not_modified(request: web.Request, etag: str, modified: dt.datetime) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.if_none_match is not None:
        # If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2).
        return any(tag.value == etag or tag.value == "*" for tag in request.if_none_match)
    since = request.if_modified_since
    return since is not None and modified <= since
