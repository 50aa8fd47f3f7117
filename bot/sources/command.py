"""`digestbot source add|list|pause|resume|remove|poll`.

`poll` polls every active source now (or the ones named) and prints what came in; editors are
told in Telegram as well when TELEGRAM_BOT_TOKEN is set. Exit codes: 0 done, 1 a source could
not be added or was not found, 2 a poll failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import TextIO

from bot.config import Settings
from bot.i18n import t
from bot.services import Services, system_clock
from bot.sources import service
from bot.sources.errors import SourceError
from bot.sources.poller import Event, Notify, PollResult, SourcePoller
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Source


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    source = sub.add_parser("source", help="follow the site's RSS/Atom feeds")
    actions = source.add_subparsers(dest="source_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="follow a feed (its current posts are not pushed)")
    add.add_argument("url")
    add.add_argument("--auto", action="store_true", help="publish new posts without review")
    add.add_argument(
        "--every", help="poll interval: seconds, or 15m, 2h (default: SOURCE_POLL_SECONDS)"
    )
    actions.add_parser("list", help="sources with their last poll, last new post, last error")
    for name, text in (
        ("pause", "stop polling a source"),
        ("resume", "poll a paused source again"),
        ("remove", "stop following a source"),
    ):
        actions.add_parser(name, help=text).add_argument("id", help="s3 or 3")
    poll = actions.add_parser("poll", help="poll now and print what came in")
    poll.add_argument("ids", nargs="*", help="sources to poll (default: every active one)")


async def run_source(
    args: argparse.Namespace,
    settings: Settings,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Callable[[], dt.datetime] = system_clock,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        action = args.source_command
        if action == "add":
            every = None
            if args.every is not None:
                every = service.parse_every(args.every)
                if every is None:
                    print(f"digestbot source: {args.every!r} is not an interval", file=err)
                    return 1
            try:
                added = await service.add(
                    factory,
                    args.url,
                    settings=settings,
                    actor_id=None,
                    now=clock(),
                    auto_publish=args.auto,
                    poll_seconds=every,
                )
            except SourceError as exc:
                print(f"digestbot source: cannot follow {args.url}: {error_text(exc)}", file=err)
                return 1
            print(describe_added(added), file=out)
            return 0
        if action == "list":
            async with factory() as session:
                sources = await service.all_sources(session)
            print(describe_list(sources) if sources else "No sources.", file=out)
            return 0
        if action in ("pause", "resume", "remove"):
            source_id = service.parse_source_id(args.id)
            source = None
            if source_id is not None:
                async with factory() as session, session.begin():
                    if action == "remove":
                        source = await service.remove(session, source_id, actor_id=None)
                    else:
                        source = await service.set_paused(
                            session, source_id, action == "pause", actor_id=None, now=clock()
                        )
            if source is None:
                print(f"digestbot source: no source {args.id!r}", file=err)
                return 1
            verb = {"pause": "Paused", "resume": "Resumed", "remove": "Removed"}[action]
            print(f"{verb} s{source.id} ({source.title or source.url}).", file=out)
            return 0
        assert action == "poll"
        ids = [service.parse_source_id(i) for i in args.ids]
        if None in ids:
            print(f"digestbot source: not a source id in {args.ids}", file=err)
            return 1
        async with AsyncExitStack() as stack:
            services = Services(settings, engine, factory, clock=clock)
            notify = await _telegram_notifier(stack, services)
            poller = SourcePoller(factory, settings, clock, notify=notify)
            results = await poller.poll_now([i for i in ids if i is not None] or None)
        print(describe_polls(results), file=out)
        return 2 if any(r.error for r in results) else 0
    finally:
        await engine.dispose()


async def _telegram_notifier(stack: AsyncExitStack, services: Services) -> Notify | None:
    """Editors hear about a poll run by hand too, when the bot's token is configured."""
    settings = services.settings
    if not settings.telegram_bot_token:
        return None
    from telegram import Bot

    from bot.sources.notify import EditorNotifier

    bot = Bot(
        settings.telegram_bot_token,
        base_url=settings.bot_base_url,
        base_file_url=settings.bot_file_url,
    )
    await stack.enter_async_context(bot)
    return EditorNotifier(bot, services)


def error_text(error: SourceError) -> str:
    """The catalog's English text (the catalog has no markup in these messages)."""
    return t("en", f"sources.error.{error.code}", detail=error.detail)


def _time(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else "never"


def describe_added(added: service.Added) -> str:
    source = added.source
    lines = [
        f"Following s{source.id}: {source.title or source.url}",
        f"{added.seen} posts already in the feed were recorded as seen; none was sent.",
        "New posts are published without review."
        if source.auto_publish
        else "New posts will come to editors as previews.",
    ]
    if added.newest is not None:
        kind = added.newest_parsed.kind if added.newest_parsed else "unreadable"
        lines.append(f"Newest post: {added.newest.title} ({kind}) {added.newest.link or ''}")
        lines.append("To import it, post its link with /post.")
    return "\n".join(lines)


def describe_list(sources: list[Source]) -> str:
    lines = []
    for s in sources:
        flags = [s.status]
        if s.failure_reported:
            flags.append("failing")
        if s.auto_publish:
            flags.append("auto")
        if s.poll_seconds:
            flags.append(f"every {s.poll_seconds}s")
        new = _time(s.last_new_post_at)
        if s.last_new_post_at and s.last_post_title:
            new += f" ({s.last_post_title})"
        error = "none"
        if s.last_error_code:
            detail = error_text(SourceError(s.last_error_code, s.last_error or ""))
            error = f"{_time(s.last_error_at)} — {detail}"
        lines += [
            f"s{s.id} {s.title or ''} [{', '.join(flags)}]",
            f"  {s.url}",
            f"  last poll: {_time(s.last_poll_at)}",
            f"  last new post: {new}",
            f"  last error: {error}",
        ]
    return "\n".join(lines)


def describe_polls(results: list[PollResult]) -> str:
    if not results:
        return "No active sources."
    lines = []
    for r in results:
        if r.error is not None:
            lines.append(f"s{r.source_id}: failed: {error_text(r.error)}")
        elif r.not_modified:
            lines.append(f"s{r.source_id}: not modified")
        else:
            lines.append(f"s{r.source_id}: {r.new} new")
        lines += [f"  {_event_line(e)}" for e in r.events if e.kind in ("new", "post_error")]
    return "\n".join(lines)


def _event_line(event: Event) -> str:
    if event.kind == "new":
        state = "published" if event.published else "draft"
        return f"{event.ref} ({state}): {event.title}"
    problem = event.problem
    return f"could not take in {event.link or event.title}: {problem.reason if problem else ''}"
