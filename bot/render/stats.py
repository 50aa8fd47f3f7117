"""/stats for one publication (`/stats r7`) and the list of recent ones under plain /stats."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.editorial.stats import PublicationStats
from bot.i18n import t
from bot.render import Rendered, clip, esc, join_within


def publication(language: str, s: PublicationStats, *, timezone: str, tracking: bool) -> Rendered:
    lines = [t(language, "stats.pub.title", ref=esc(s.ref), title=esc(clip(s.title, 120)))]
    if s.published_at is not None:
        when = s.published_at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
        lines.append(t(language, "stats.pub.published", when=f"{when} ({esc(timezone)})"))
    if s.status != "published":
        lines.append(t(language, "stats.pub.status", status=esc(s.status)))
    lines += [
        "",
        t(
            language,
            "stats.pub.messages",
            sent=s.sent,
            delivered=s.delivered,
            blocked=s.blocked,
            failed=s.failed,
            queued=s.queued,
        ),
        t(language, "stats.pub.clicks", clicks=s.clicks),
    ]
    if not tracking:
        lines.append(t(language, "stats.pub.tracking_off"))
    if s.top:
        lines += ["", t(language, "stats.pub.top")]
        lines += [
            t(language, "stats.pub.top_line", clicks=c.clicks, title=esc(clip(c.title, 90)))
            for c in s.top
        ]
    return Rendered(join_within(lines))


def recent(language: str, rows: Sequence[PublicationStats]) -> str:
    """HTML lines to follow the overview of plain /stats."""
    lines = [t(language, "stats.recent.title")]
    if not rows:
        lines.append(t(language, "stats.recent.none"))
    for s in rows:
        lines.append(
            t(
                language,
                "stats.recent.line",
                ref=esc(s.ref),
                title=esc(clip(s.title, 60)),
                delivered=s.delivered,
                clicks=s.clicks,
            )
        )
    lines.append(t(language, "stats.recent.hint"))
    return "\n".join(lines)
