"""The `digestbot` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.config import Settings, SettingsError, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestbot", description="The newsletter's Telegram bot and its tools."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser(
        "run",
        help="run the bot: long polling, or webhook mode with WEBHOOK_URL (the terminal "
        "sandbox when TELEGRAM_BOT_TOKEN is not set)",
    )
    sandbox = sub.add_parser(
        "sandbox", help="emulator, bot and scheduler in one process with a terminal chat"
    )
    sandbox.add_argument("--port", type=int, default=0, help="emulator port (default: any free)")

    emulator = sub.add_parser("emulator", help="run the local Bot API emulator")
    emulator.add_argument("--port", type=int, default=8081)
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--rate-limit", type=int, default=30, help="messages per second overall")
    emulator.add_argument("--latency-ms", type=int, default=0)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply all migrations")

    ingest = sub.add_parser("ingest", help="parse and store a digest, daily report or article")
    ingest.add_argument("source", help="a file path or an http(s) URL")
    ingest.add_argument("--kind", choices=["digest", "report", "article"])
    ingest.add_argument("--dry-run", action="store_true", help="parse only, store nothing")
    ingest.add_argument("--json", action="store_true", help="print the parse as JSON")
    ingest.add_argument("--publish", action="store_true", help="publish instead of drafts")
    ingest.add_argument(
        "--year", type=int, help="the digest's year when its title does not say (default: inferred)"
    )

    search = sub.add_parser("search", help="search the published archive")
    search.add_argument("query", nargs="*")
    search.add_argument("--rebuild", action="store_true", help="rebuild the search index")
    search.add_argument("--json", action="store_true")
    search.add_argument("--limit", type=int, default=10)

    outbox = sub.add_parser("outbox", help="what is queued, sent and failed")
    outbox.add_argument("--failed", action="store_true", help="list failed deliveries")
    outbox.add_argument("--limit", type=int, default=20)

    from bot.sources.command import add_parser as add_source_parser

    add_source_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "emulator":
        from bot.emulator import run_standalone

        run_standalone(
            port=args.port, host=args.host, rate_limit=args.rate_limit, latency_ms=args.latency_ms
        )
        return 0
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"digestbot: configuration error:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from bot.startup import StartupError, describe_database_failure

    try:
        return _dispatch(args, settings)
    except KeyboardInterrupt:
        return 130
    except StartupError as error:
        print(f"digestbot: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        message = describe_database_failure(error, settings.database_url)
        if message is None:
            raise
        print(f"digestbot: {message}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        if not settings.telegram_bot_token:
            print("TELEGRAM_BOT_TOKEN is not set: starting the local sandbox instead.")
            from bot.sandbox import run_sandbox

            return run_sandbox(settings, port=0)
        from bot.runner import run_bot

        return run_bot(settings)
    if args.command == "sandbox":
        from bot.sandbox import run_sandbox

        return run_sandbox(settings, port=args.port)
    if args.command == "db":
        from bot.runner import upgrade_database

        asyncio.run(upgrade_database(settings))
        print("Database is up to date.")
        return 0
    if args.command == "ingest":
        from bot.ingest.command import run_ingest

        return asyncio.run(run_ingest(args, settings))
    if args.command == "search":
        from bot.search.command import run_search

        return asyncio.run(run_search(args, settings))
    if args.command == "outbox":
        from bot.delivery.command import run_outbox

        return asyncio.run(run_outbox(args, settings))
    if args.command == "source":
        from bot.sources.command import run_source

        return asyncio.run(run_source(args, settings))
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
