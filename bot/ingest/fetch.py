"""Fetch a web page to ingest: aiohttp with a timeout, a size cap and a content-type check.

Every failure is a :class:`FetchError` whose message can be shown to the admin as is.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
ALLOWED_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown"}
)
USER_AGENT = "digestbot/0.1 (+newsletter ingest)"


class FetchError(Exception):
    """A URL that could not be fetched; ``str(error)`` says why in one line."""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    content_type: str
    body: bytes
    charset: str | None
    # For conditional requests (feeds): 304 means "not modified", with an empty body.
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type

    def text(self) -> str:
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name in the header
            return self.body.decode("utf-8", errors="replace")


async def fetch(
    url: str,
    *,
    session: aiohttp.ClientSession | None = None,
    time_limit: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    allow_hosts: Collection[str] = (),
    headers: Mapping[str, str] | None = None,
    content_types: Collection[str] = ALLOWED_TYPES,
) -> FetchedPage:
    """GET ``url`` and return its body if it is a web page or text of at most ``max_bytes``.

    ``allow_private`` permits loopback and private addresses written literally in the URL
    (tests use a local server); otherwise they are refused so that a pasted link cannot make
    the bot probe its own network. ``allow_hosts`` lets the named hosts through (the
    FETCH_ALLOW_HOSTS setting). ``headers`` are sent with the request (If-None-Match for a
    feed) and ``content_types`` replaces the accepted types (feeds are XML).
    """
    _check_url(url, allow_private=allow_private or _allowed_host(url, allow_hosts))
    own_session = session is None
    client = session or aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})
    try:
        async with asyncio.timeout(time_limit):
            async with client.get(
                url, allow_redirects=True, max_redirects=5, headers=headers
            ) as response:
                if response.status == 304:
                    return FetchedPage(
                        url=str(response.url),
                        content_type=response.content_type or "",
                        body=b"",
                        charset=None,
                        status=304,
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                    )
                if response.status >= 400:
                    raise FetchError(
                        f"{url} answered HTTP {response.status} {response.reason or ''}".rstrip()
                    )
                content_type = response.content_type or "application/octet-stream"
                if content_type not in content_types:
                    raise FetchError(
                        f"{url} is {content_type}, not a web page or text; "
                        "only HTML and plain text can be ingested"
                    )
                length = response.content_length
                if length is not None and length > max_bytes:
                    raise FetchError(f"{url} is {length} bytes, over the {_size(max_bytes)} limit")
                body = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError(f"{url} is larger than the {_size(max_bytes)} limit")
                return FetchedPage(
                    url=str(response.url),
                    content_type=content_type,
                    body=bytes(body),
                    charset=response.charset,
                    status=response.status,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
    except TimeoutError as exc:
        raise FetchError(f"{url} did not answer within {time_limit:g} s") from exc
    except aiohttp.TooManyRedirects as exc:
        raise FetchError(f"{url} redirects too many times") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"could not fetch {url}: {exc.__class__.__name__} {exc}".strip()) from exc
    finally:
        if own_session:
            await client.close()


def _allowed_host(url: str, allow_hosts: Collection[str]) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return bool(host) and host in {h.strip().lower() for h in allow_hosts}


def _check_url(url: str, *, allow_private: bool) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise FetchError(f"{url!r} is not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError(f"{url!r} is not an http(s) URL")
    if allow_private:
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise FetchError(f"{url} points at this machine; refusing to fetch it")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not address.is_global:
        raise FetchError(f"{url} points at a private address; refusing to fetch it")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"
