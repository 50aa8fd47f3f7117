"""Why a source could not be added or polled, as a catalog code and its details."""

from __future__ import annotations

from bot.ingest.fetch import FetchError
from bot.sources.feeds import NotAFeed


class SourceError(Exception):
    """`code` names the catalog message sources.error.<code>; `detail` fills it in."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


def from_exception(exc: Exception) -> SourceError:
    """The SourceError for a failed fetch or a document that is not a feed."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, NotAFeed):
        if exc.reason == "html":
            return SourceError("html_feed" if exc.alternate else "html", exc.alternate or "")
        return SourceError("invalid", exc.detail)
    if isinstance(exc, FetchError):
        return SourceError("fetch", str(exc))
    raise TypeError(f"not a source problem: {exc!r}")
