"""The HTTP client the bot's requests go through: python-telegram-bot's `BaseRequest` on aiohttp.

python-telegram-bot's default `HTTPXRequest` is fine for a bot that mostly replies, but not for
a fan-out: httpcore's connection pool rescans every connection for every queued request, and on
our CI machine an httpx client tops out near 150 requests/s whatever the pool size (aiohttp:
700+ on the same machine and server). A sender that must keep 100 requests in flight to reach
1,000 messages/s at 100 ms latency needs the pool to cost nothing, so requests that go through
the rate limiter (everything but getUpdates) use this class. The pool is sized by
`runtime.configure_builder` for the sender's concurrency plus room for replies; requests wait
in the rate limiter, not in the pool (python-telegram-bot issue #3087).

Semantics follow `HTTPXRequest`: parameters are sent form-encoded (files as multipart), the
status code and raw body are returned, timeouts raise `TimedOut` and transport errors
`NetworkError`.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = (
            request_data.multipart_data if request_data and request_data.contains_files else None
        )
        fields = request_data.json_parameters if request_data else None

        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = (
            (self._media_write_timeout if files else self._write_timeout)
            if isinstance(write_timeout, DefaultValue)
            else write_timeout
        )
        parts = [t for t in (read, write, connect, pool) if t is not None]
        timeout = aiohttp.ClientTimeout(
            # aiohttp has no write timeout: the total bounds a stalled upload instead.
            total=sum(parts) if len(parts) == 4 else None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        body: Any = fields
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            body = form
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    async def post_json(self, url: str, payload: dict[str, Any]) -> Any:
        """POST a JSON body and return the API result, raising what python-telegram-bot raises
        for the same answer. The outbox sender's path: one JSON encode and one JSON decode,
        without python-telegram-bot's request objects and the Message it would build."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = aiohttp.ClientTimeout(
            total=sum(
                t or 0 for t in (self._read_timeout, self._write_timeout, self._connect_timeout)
            )
            or None,
            connect=self._connect_timeout,
            sock_read=self._read_timeout,
        )
        try:
            async with self._session.post(
                url,
                data=json.dumps(payload, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
                timeout=timeout,
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        return api_result(status, body)


def api_result(status: int, body: bytes) -> Any:
    """The `result` of a Bot API answer, or the exception python-telegram-bot raises for it."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise NetworkError(f"invalid answer from the Bot API ({status})") from exc
    if 200 <= status <= 299 and data.get("ok"):
        return data.get("result")
    description = data.get("description") or f"HTTP {status}"
    parameters = data.get("parameters") or {}
    if parameters.get("migrate_to_chat_id"):
        raise ChatMigrated(int(parameters["migrate_to_chat_id"]))
    if parameters.get("retry_after"):
        raise RetryAfter(int(parameters["retry_after"]))
    if status == 403:
        raise Forbidden(description)
    if status in (401, 404):
        raise InvalidToken(description)
    if status == 400:
        raise BadRequest(description)
    if status == 409:
        raise TelegramError(description)
    raise NetworkError(description)
