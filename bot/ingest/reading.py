"""Parsing a document without stalling the event loop.

Decoding, trafilatura's extraction of a web page and the parsers are CPU-bound: a 1.3 MB page
takes over a second, during which no other user would get a reply. Chat (/post) and the CLI
(`digestbot ingest`) parse through these functions, which run the work in a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import date

from bot.ingest.detect import Known, parse_any, parse_bytes
from bot.ingest.model import Kind, ParsedDocument


async def parse_document(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    charset: str | None = None,
    kind: Kind | None = None,
    url: str | None = None,
    known: Known | None = None,
    today: date | None = None,
    year: int | None = None,
) -> ParsedDocument:
    """:func:`bot.ingest.detect.parse_bytes` in a worker thread (NotText, ParseError)."""
    work = functools.partial(
        parse_bytes,
        data,
        filename=filename,
        content_type=content_type,
        charset=charset,
        kind=kind,
        url=url,
        known=known,
        today=today,
        year=year,
    )
    return await asyncio.to_thread(work)


async def parse_text(
    text: str, *, kind: Kind | None = None, url: str | None = None, known: Known | None = None
) -> ParsedDocument:
    """:func:`bot.ingest.detect.parse_any` in a worker thread (ParseError)."""
    work = functools.partial(parse_any, text, kind, url=url, known=known)
    return await asyncio.to_thread(work)
