"""Fetching a link: the one HTTP client every fetch goes through (/post, `digestbot ingest URL`,
feed sources), so that a pasted link cannot make the bot probe its own network.

- Only http and https, and no port below 1024 other than 80 and 443 (those speak other
  protocols: mail, SSH, databases).
- Every hop is checked: redirects are followed here, one at a time, up to a cap, each
  Location checked like the link itself; a loop is named as one.
- The address checked is the address connected to. A host name is checked inside the
  connector's resolver, on the addresses the connection then uses, so a name that resolves to
  a public address when checked and to 127.0.0.1 when connected (DNS rebinding) cannot slip
  through. An address written in the URL is checked before the request.
- Loopback, private, link-local (cloud metadata at 169.254.169.254), multicast, reserved,
  unspecified and other non-public addresses are refused, IPv4 and IPv6 alike, including IPv4
  addresses inside IPv6 (::ffff:127.0.0.1, 6to4, NAT64).
- Hosts in FETCH_ALLOW_HOSTS (intranets, tests) skip the address and port rules; a redirect
  from one to another host is checked again.
- One time limit for all hops, a size cap on the body (as received, after decompression),
  and only the content types asked for.

Every failure is a :class:`FetchError` naming a catalog message (`key`, `values`): chat
renders it in the editor's language, the CLI and logs print its English text.

Entry points: :func:`fetch_document` (one link, with the settings), :class:`FetchClient` (many
links on one connection pool, e.g. feed sources), :func:`fetch` (explicit limits, for tests).
A feed source would do::

    async with FetchClient(FetchPolicy.from_settings(settings)) as client:
        page = await client.get(feed_url, accept=FEED_TYPES)
    text = await asyncio.to_thread(page.text)  # NotText when the body is not text
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Self

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from bot.i18n import t
from bot.ingest.decoding import decode_document

if TYPE_CHECKING:
    from bot.config import Settings

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
DOCUMENT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown"}
)
ALLOWED_TYPES = DOCUMENT_TYPES  # the name callers used before feeds needed their own set
FEED_TYPES = DOCUMENT_TYPES | {
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
}
USER_AGENT = "digestbot/0.1 (+newsletter ingest)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_WEB_PORTS = frozenset({80, 443})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Fetcher = Callable[[str], Awaitable["FetchedPage"]]


class FetchError(Exception):
    """A link that could not be fetched: `key` and `values` say why; `redirected` when a
    redirect led to the failing hop."""

    def __init__(self, key: str, *, redirected: bool = False, **values: object) -> None:
        super().__init__(key, values)
        self.key = key
        self.values = values
        self.redirected = redirected

    def text(self, language: str, escape: Callable[[object], str] = str) -> str:
        """The reason in `language`, values passed through `escape` (HTML-escape for chat)."""
        reason = t(language, self.key, **{k: escape(v) for k, v in self.values.items()})
        return t(language, "fetch.after_redirect", reason=reason) if self.redirected else reason

    def __str__(self) -> str:
        return self.text("en")


class FetchRefused(FetchError):
    """The link (or a hop it redirects to) is not allowed: scheme, port or address."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Which links may be fetched, and how much of them."""

    allow_hosts: frozenset[str] = frozenset()
    time_limit: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(allow_hosts=frozenset(settings.fetch_allow_hosts))

    def allows(self, host: str) -> bool:
        """Whether `host` is in FETCH_ALLOW_HOSTS (exact name or address, any case)."""
        return host.lower().rstrip(".") in self.allow_hosts


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # after redirects
    content_type: str
    body: bytes
    charset: str | None  # as the server declared it
    # For conditional requests (feeds): 304 means "not modified", with an empty body.
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type

    def text(self) -> str:
        """The body as text (:class:`bot.ingest.decoding.NotText` if it is not text).

        CPU-bound on a large body: call it in a worker thread.
        """
        return decode_document(self.body, declared=self.charset).text


def address_refusal(address: Address) -> str | None:
    """Why `address` may not be fetched ("loopback", "private", ...); None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(embedded)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not_public", not address.is_global),
    )
    return next((kind for kind, refused in checks if refused), None)


def check_address(host: str, address: str, *, redirected: bool = False) -> None:
    """Refuse `address` (what `host` resolved to, or the host itself) unless it is public."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:  # not an address at all: nothing to connect to that was checked
        raise FetchRefused(
            "fetch.refused.not_public", host=host, address=address, redirected=redirected
        ) from None
    kind = address_refusal(parsed)
    if kind is not None:
        raise FetchRefused(
            f"fetch.refused.{kind}", host=host, address=address, redirected=redirected
        )


def check_url(url: URL, policy: FetchPolicy, *, redirected: bool = False) -> None:
    """The checks a hop passes before any connection: scheme, host, port, literal address."""
    if url.scheme not in ("http", "https"):
        raise FetchRefused("fetch.refused.scheme", url=str(url), redirected=redirected)
    host = url.raw_host
    if not host:
        raise FetchError("fetch.invalid_url", url=str(url), redirected=redirected)
    if policy.allows(host) or (url.host is not None and policy.allows(url.host)):
        return
    port = url.port
    if port is not None and port < 1024 and port not in _WEB_PORTS:
        raise FetchRefused("fetch.refused.port", host=host, port=port, redirected=redirected)
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always this machine
        raise FetchRefused("fetch.refused.loopback", host=host, address=name, redirected=redirected)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: checked by GuardedResolver when the connection resolves it
    check_address(host, host, redirected=redirected)


class GuardedResolver(AbstractResolver):
    """A resolver that refuses a name resolving to any non-public address.

    It sits inside the connector, so the addresses it checks are the ones connected to.
    """

    def __init__(self, policy: FetchPolicy, inner: AbstractResolver) -> None:
        self._policy = policy
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not self._policy.allows(host):
            for result in results:
                check_address(host, result["host"])
        return results

    async def close(self) -> None:
        await self._inner.close()


@dataclass
class FetchClient:
    """An HTTP client that enforces `policy` on every request and every redirect.

    `async with FetchClient(policy) as client: page = await client.get(url)`; `resolver`
    replaces DNS (tests map names to addresses with it).
    """

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    resolver: AbstractResolver | None = None
    _session: aiohttp.ClientSession | None = field(default=None, init=False)
    _guard: GuardedResolver | None = field(default=None, init=False)

    async def __aenter__(self) -> Self:
        self._guard = GuardedResolver(self.policy, self.resolver or DefaultResolver())
        connector = aiohttp.TCPConnector(resolver=self._guard)
        self._session = aiohttp.ClientSession(
            connector=connector, headers={"User-Agent": USER_AGENT}, trust_env=False
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
        if self._guard is not None:
            await self._guard.close()
        self._session = self._guard = None

    async def get(
        self,
        url: str,
        *,
        accept: frozenset[str] = DOCUMENT_TYPES,
        headers: Mapping[str, str] | None = None,
    ) -> FetchedPage:
        """GET `url`, following redirects, and return its body if its type is in `accept`.
        `headers` go with every hop (If-None-Match and If-Modified-Since for a feed: a 304
        answer comes back as an empty page with `status` 304)."""
        assert self._session is not None, "use FetchClient in `async with`"
        try:
            target = URL(url.strip())
        except (ValueError, TypeError):
            raise FetchError("fetch.invalid_url", url=url) from None
        hop = target
        redirected = False
        try:
            async with asyncio.timeout(self.policy.time_limit):
                seen = {hop}
                for _ in range(self.policy.max_redirects + 1):
                    check_url(hop, self.policy, redirected=redirected)
                    async with self._session.get(
                        hop, allow_redirects=False, headers=headers
                    ) as response:
                        if response.status not in _REDIRECTS:
                            return await self._read(response, accept)
                        hop = _location(response, redirected=redirected)
                    redirected = True
                    if hop in seen:
                        raise FetchError("fetch.redirect_loop", url=str(target))
                    seen.add(hop)
                raise FetchError(
                    "fetch.too_many_redirects", url=str(target), limit=self.policy.max_redirects
                )
        except FetchRefused as exc:
            exc.redirected = exc.redirected or redirected
            raise
        except TimeoutError:
            raise FetchError(
                "fetch.timeout", url=str(target), seconds=f"{self.policy.time_limit:g}"
            ) from None
        except aiohttp.ClientConnectorDNSError:
            raise FetchError("fetch.no_such_host", host=hop.host, redirected=redirected) from None
        except aiohttp.ClientConnectorError:
            raise FetchError("fetch.unreachable", host=hop.host, redirected=redirected) from None
        except aiohttp.InvalidURL:
            raise FetchError("fetch.invalid_url", url=str(hop), redirected=redirected) from None
        except aiohttp.ClientError as exc:
            raise FetchError(
                "fetch.failed",
                host=hop.host,
                detail=f"{exc.__class__.__name__} {exc}".strip(),
                redirected=redirected,
            ) from None

    async def _read(self, response: aiohttp.ClientResponse, accept: frozenset[str]) -> FetchedPage:
        url = str(response.url)
        validators = {
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
        }
        if response.status == 304:
            return FetchedPage(url, response.content_type or "", b"", None, 304, **validators)
        if not 200 <= response.status < 300:
            raise FetchError(
                "fetch.http_status", url=url, status=response.status, reason=response.reason or ""
            )
        content_type = response.content_type or "application/octet-stream"
        if content_type not in accept:
            raise FetchError("fetch.content_type", url=url, type=content_type)
        limit = self.policy.max_bytes
        if response.content_length is not None and response.content_length > limit:
            raise FetchError(
                "fetch.too_big", url=url, size=_size(response.content_length), limit=_size(limit)
            )
        body = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            body.extend(chunk)
            if len(body) > limit:
                raise FetchError("fetch.larger_than", url=url, limit=_size(limit))
        return FetchedPage(
            url=url,
            content_type=content_type,
            body=bytes(body),
            charset=response.charset,
            status=response.status,
            **validators,
        )


def _location(response: aiohttp.ClientResponse, *, redirected: bool) -> URL:
    location = response.headers.get("Location", "").strip()
    if not location:
        raise FetchError("fetch.bad_redirect", url=str(response.url), redirected=redirected)
    try:
        return response.url.join(URL(location))
    except (ValueError, TypeError):
        raise FetchError(
            "fetch.bad_redirect", url=str(response.url), redirected=redirected
        ) from None


async def fetch(
    url: str,
    *,
    allow_hosts: Iterable[str] = (),
    time_limit: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    accept: frozenset[str] = DOCUMENT_TYPES,
    resolver: AbstractResolver | None = None,
) -> FetchedPage:
    """GET one link under explicit limits (tests; the app uses :func:`fetch_document`)."""
    policy = FetchPolicy(
        allow_hosts=frozenset(h.lower().rstrip(".") for h in allow_hosts),
        time_limit=time_limit,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
    )
    async with FetchClient(policy, resolver) as client:
        return await client.get(url, accept=accept)


async def fetch_document(
    url: str,
    settings: Settings,
    *,
    accept: frozenset[str] = DOCUMENT_TYPES,
    headers: Mapping[str, str] | None = None,
    resolver: AbstractResolver | None = None,
) -> FetchedPage:
    """GET one link under the deployment's policy (FETCH_ALLOW_HOSTS, size and time caps)."""
    async with FetchClient(FetchPolicy.from_settings(settings), resolver) as client:
        return await client.get(url, accept=accept, headers=headers)


def fetcher_for(settings: Settings) -> Fetcher:
    """:func:`fetch_document` bound to `settings`, for callers that take a fetcher."""
    return functools.partial(fetch_document, settings=settings)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"
