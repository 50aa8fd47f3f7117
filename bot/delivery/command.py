"""`digestbot outbox`: what is queued, sent and failed."""

from __future__ import annotations

import argparse
import datetime as dt

from bot.config import Settings
from bot.delivery.outbox import OutboxReport, report
from storage.db import create_engine, create_session_factory

STATUSES = ("pending", "sending", "sent", "failed", "cancelled")


def format_report(outbox: OutboxReport, *, show_failed: bool, now: dt.datetime) -> str:
    lines = ["Outbox:"]
    total = sum(outbox.by_status.values())
    lines.append(
        "  "
        + "  ".join(f"{status} {outbox.by_status.get(status, 0)}" for status in STATUSES)
        + f"  (total {total})"
    )
    if outbox.recipients_waiting:
        lines.append(
            f"  and {outbox.recipients_waiting} subscribers' alerts still to queue "
            "(the running bot queues them just ahead of the sender)"
        )
    if outbox.oldest_pending is not None:
        age = now - outbox.oldest_pending
        lines.append(
            f"  oldest pending: {outbox.oldest_pending:%Y-%m-%d %H:%M:%S} UTC ({_age(age)} ago)"
        )
    if outbox.by_kind:
        lines.append("By kind:")
        for kind in sorted(outbox.by_kind):
            counts = outbox.by_kind[kind]
            lines.append(
                f"  {kind:<10} " + "  ".join(f"{s} {counts[s]}" for s in STATUSES if counts.get(s))
            )
    if outbox.in_doubt_recovered:
        lines.append(
            f"In doubt: {outbox.in_doubt_recovered} rows were claimed by a sender that stopped "
            "without recording them; they were resent once (a duplicate is possible)."
        )
    if show_failed:
        lines.append(f"Failed (latest {len(outbox.failed)}):" if outbox.failed else "Failed: none")
        for row in outbox.failed:
            when = f"{row.updated_at:%Y-%m-%d %H:%M}" if row.updated_at else "?"
            what = f"{row.content_type}:{row.content_id}" if row.content_type else row.kind
            lines.append(
                f"  #{row.id} {when} chat {row.chat_id} {what} attempts {row.attempts}: "
                f"{(row.last_error or '').splitlines()[0][:160] if row.last_error else ''}"
            )
    elif outbox.by_status.get("failed"):
        lines.append("Run `digestbot outbox --failed` to list failed deliveries.")
    return "\n".join(lines)


def _age(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


async def run_outbox(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            outbox = await report(session, failed_limit=max(1, args.limit))
    finally:
        await engine.dispose()
    print(format_report(outbox, show_failed=args.failed, now=dt.datetime.now(dt.UTC)))
    return 0
