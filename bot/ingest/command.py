"""`digestbot ingest PATH|URL [--kind ...] [--dry-run] [--json] [--publish]`.

Exit codes: 0 stored (or nothing new to store), 1 the source could not be read or fetched,
2 the document is not text or could not be parsed or stored (nothing is stored then).
Links go through the same guarded client as /post (FETCH_ALLOW_HOSTS, size and time caps),
and parsing runs in a worker thread like the chat's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.ingest.decoding import NotText
from bot.ingest.detect import Known
from bot.ingest.fetch import FetchError, fetch_document
from bot.ingest.model import Kind, ParsedDocument, ParseError, Skipped
from bot.ingest.reading import parse_document
from bot.ingest.service import IngestError, IngestResult, ingest, load_known
from bot.ingest.textutil import shorten
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade

MAX_FILE_BYTES = 20 * 1024 * 1024
_NOUNS = {
    "digest": ("entry", "entries"),
    "report": ("item", "items"),
    "article": ("entry", "entries"),
}


class SourceError(Exception):
    """The file or URL could not be read."""


async def run_ingest(
    args: argparse.Namespace,
    settings: Settings,
    *,
    today: date | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    source: str = args.source
    kind: Kind | None = getattr(args, "kind", None)
    try:
        data, filename, content_type, charset, url = await read_source(source, settings)
    except SourceError as exc:
        print(f"digestbot ingest: {exc}", file=err)
        return 1

    engine = create_engine(settings.database_url)
    try:
        if args.dry_run:
            known = await _known_if_available(engine, settings.database_url)
        else:
            await upgrade(engine)
            async with create_session_factory(engine)() as session:
                known = await load_known(session)
        try:
            parsed = await parse_document(
                data,
                filename=filename,
                content_type=content_type,
                charset=charset,
                kind=kind,
                url=url,
                known=known,
                today=today,
                year=getattr(args, "year", None),
            )
        except NotText as exc:
            print(f"digestbot ingest: {source} is not a text document: {exc}", file=err)
            return 2
        except ParseError as exc:
            print(f"digestbot ingest: cannot parse {source}: {exc}", file=err)
            return 2
        if url and parsed.url is None:
            parsed = replace(parsed, url=url)

        if args.dry_run:
            if args.json:
                print(json.dumps(parsed.to_json(), ensure_ascii=False, indent=2), file=out)
            else:
                print(describe_parse(parsed), file=out)
            return 0

        try:
            async with create_session_factory(engine)() as session, session.begin():
                result = await ingest(session, parsed, publish=args.publish, actor_id=None)
        except IngestError as exc:
            print(f"digestbot ingest: cannot store {source}: {exc}", file=err)
            return 2
        if args.json:
            payload: dict[str, Any] = parsed.to_json()
            payload["result"] = result_json(result)
            print(json.dumps(payload, ensure_ascii=False, indent=2), file=out)
        else:
            print(describe_result(result), file=out)
        return 0
    finally:
        await engine.dispose()


Source = tuple[bytes, str | None, str | None, str | None, str | None]


async def read_source(source: str, settings: Settings) -> Source:
    """``(bytes, filename, content type, charset, URL)`` of a path, "-" (stdin) or a link."""
    if source.startswith(("http://", "https://")):
        try:
            page = await fetch_document(source, settings)
        except FetchError as exc:
            raise SourceError(f"could not fetch {source}: {exc}") from exc
        return page.body, None, page.content_type, page.charset, page.url
    if source == "-":
        data = await asyncio.to_thread(sys.stdin.buffer.read, MAX_FILE_BYTES + 1)
        return data[:MAX_FILE_BYTES], None, None, None, None
    return await asyncio.to_thread(_read_file, source)


def _read_file(source: str) -> Source:
    path = Path(source)
    try:
        if not path.is_file():
            raise SourceError(
                f"no such file: {source}" if not path.exists() else f"{source} is not a file"
            )
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(f"{source} is {size} bytes, over the {MAX_FILE_BYTES} byte limit")
        return path.read_bytes(), path.name, None, None, None
    except OSError as exc:
        raise SourceError(f"cannot read {source}: {exc.strerror or exc}") from exc


async def _known_if_available(engine: AsyncEngine, database_url: str) -> Known:
    """Tagging data from the database for a dry run, without creating or migrating anything."""
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[-1]
        if not path or path == ":memory:" or not await asyncio.to_thread(Path(path).exists):
            return Known()
    try:
        async with create_session_factory(engine)() as session:
            return await load_known(session)
    except Exception:  # noqa: BLE001 - a dry run works without a database
        return Known()


def describe_parse(parsed: ParsedDocument) -> str:
    singular, plural = _NOUNS[parsed.kind]
    n = len(parsed.entries)
    lines = [
        f"Parsed a {parsed.kind}: “{parsed.title}”"
        + (f" ({parsed.date.isoformat()})" if parsed.date else "")
        + f", {n} {singular if n == 1 else plural}, {len(parsed.skipped)} skipped."
        + " Nothing stored (dry run)."
    ]
    for index, entry in enumerate(parsed.entries, start=1):
        who = ", ".join(
            f"{c.name} ({c.name_zh})" if c.name_zh else c.name for c in entry.commentators
        )
        where = ", ".join(x for x in (entry.outlet, entry.date and entry.date.isoformat()) if x)
        head = entry.title or who or "(untitled)"
        regions = "/".join(entry.regions) or "no region"
        lines.append(
            f"  {index}. [{regions}] {shorten(head, 70)}" + (f" — {where}" if where else "")
        )
    lines.extend(_skipped_and_notes(parsed.skipped, parsed.notes))
    return "\n".join(lines)


def describe_result(result: IngestResult) -> str:
    """What a real run stored, in a sentence or two, then what it skipped and assumed."""
    singular, plural = _NOUNS[result.kind]
    label = f"{result.kind} “{result.title}”"
    if result.duplicate:
        n = result.unchanged
        noun = singular if n == 1 else plural
        published = len(result.published_entry_ids) + len(result.published_item_ids)
        if published:
            lines = [
                f"Nothing new to store ({label} was already stored); "
                f"published {published} {singular if published == 1 else plural} "
                "stored earlier as drafts."
            ]
        else:
            lines = [f"Nothing new: {label} was already stored; {n} {noun} unchanged."]
    else:
        n = result.stored
        noun = singular if n == 1 else plural
        how = "and published" if result.published else ("as a draft" if n == 1 else "as drafts")
        verb = (
            f"Stored {n} {noun} {how}"
            if how != "and published"
            else f"Stored and published {n} {noun}"
        )
        lines = [f"{verb} ({label})."]
        if result.unchanged:
            lines.append(f"{result.unchanged} already stored, left unchanged.")
    if result.new_commentators:
        lines.append(
            f"New commentators ({len(result.new_commentators)}): "
            + ", ".join(result.new_commentators)
        )
    lines.extend(_skipped_and_notes(result.skipped, result.notes))
    return "\n".join(lines)


def result_json(result: IngestResult) -> dict[str, Any]:
    return {
        "duplicate": result.duplicate,
        "digest_id": result.digest_id,
        "report_id": result.report_id,
        "entry_ids": list(result.entry_ids),
        "item_ids": list(result.item_ids),
        "unchanged": result.unchanged,
        "published": result.published,
        "new_commentators": list(result.new_commentators),
    }


def _skipped_and_notes(skipped: tuple[Skipped, ...], notes: tuple[str, ...]) -> list[str]:
    lines = []
    if skipped:
        lines.append(f"Skipped {len(skipped)}:")
        lines.extend(f"  {s.what} — {s.why}" for s in skipped)
    if notes:
        lines.append("Notes:")
        lines.extend(f"  {note}" for note in notes)
    return lines
