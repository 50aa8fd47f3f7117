"""`digestbot search QUERY [--json] [--limit N]`: the archive search from the shell.

With `args.rebuild` set (a `--rebuild` flag), the index is rebuilt from the published content
first (maintenance; the query may then be empty).

`--json` prints a list, best first, of {"type", "id", "title", "title_zh", "summary",
"commentators": [{"name", "name_zh"}], "regions", "date", "url"}; hints about filters that
could not be used go to stderr, so the JSON stays clean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import sys

from bot.config import Settings
from bot.render.search import byline, heading, problem_lines
from bot.search.index import rebuild_index
from bot.search.service import SearchPage, search
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade


async def run_search(args: argparse.Namespace, settings: Settings) -> int:
    text = " ".join(args.query or ()).encode("utf-8", "replace").decode("utf-8")
    limit = max(1, min(int(args.limit), 50))
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        if getattr(args, "rebuild", False):  # `digestbot search --rebuild`: maintenance
            async with create_session_factory(engine)() as session, session.begin():
                indexed = await rebuild_index(session)
            print(f"Search index rebuilt: {indexed} documents.", file=sys.stderr)
            if not text.strip():
                return 0
        async with create_session_factory(engine)() as session:
            page = await search(session, text, limit=limit, today=dt.date.today())
    finally:
        await engine.dispose()
    for line in problem_lines(page.problems, "en", page.known_regions):
        print(html.unescape(_plain(line)), file=sys.stderr)
    if args.json:
        print(json.dumps([r.to_json() for r in page.results], ensure_ascii=False, indent=2))
    else:
        print(format_page(page))
    return 0


def format_page(page: SearchPage) -> str:
    if not page.results:
        return "No results."
    lines = [f"{page.total} results{' (the most recent)' if page.capped else ''}:"]
    for n, result in enumerate(page.results, start=1):
        lines.append(f"{n}. [{result.type} {result.id}] {heading(result, 'en')}")
        lines.append(f"   {byline(result, 'en')}")
        if result.summary:
            lines.append(f"   {' '.join(result.summary.split())[:200]}")
        if result.url:
            lines.append(f"   {result.url}")
    return "\n".join(lines)


def _plain(html_text: str) -> str:
    for tag in ("<b>", "</b>", "<code>", "</code>", "<i>", "</i>"):
        html_text = html_text.replace(tag, "")
    return html_text
