"""Entries, report items and digests exactly as subscribers see them.

Shared by delivery (instant alerts, daily summaries, digest links), the editor's preview and
search. Content language: "en" shows the English side (headline, names, summary, link), "zh" the
Chinese side (Chinese title and summary, Chinese names, falling back to English where a piece
has no Chinese), "both" everything. Interface strings follow the subscriber's `language`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import t
from bot.render import (
    MAX_MESSAGE_CHARS,
    Button,
    Keyboard,
    Rendered,
    callback,
    clip,
    esc,
    esc_attr,
    keyboard,
)
from storage.models import Commentator, Digest, Entry, Region, ReportItem

AREA = "dl"
# action -> argument types: follow region, follow commentator, unfollow subscription.
CALLBACKS: dict[str, tuple[type, ...]] = {"fr": (int,), "fc": (int,), "u": (int,)}
SUMMARY_CHARS = 1500
BUTTON_LABEL_CHARS = 28
MAX_FOLLOW_BUTTONS = 3


@dataclass(frozen=True, slots=True)
class Why:
    """One followed thing that brought a piece of content to a subscriber."""

    kind: str  # region | commentator | keyword
    subscription_id: int
    label: str  # plain text in the subscriber's language
    target_id: int | None = None  # region or commentator id
    count: int | None = None  # digests: how many of its entries this brought


def region_name(region: Region, language: str) -> str:
    return region.name_zh if language == "zh" and region.name_zh else region.name_en


def commentator_name(commentator: Commentator, content_language: str = "both") -> str:
    """ "Lian Degui (廉德瑰)"; Chinese first for content language zh."""
    zh = commentator.name_zh if commentator.name_zh != commentator.name else None
    if not zh:
        return commentator.name
    if content_language == "zh":
        return f"{zh} ({commentator.name})"
    if content_language == "en":
        return commentator.name
    return f"{commentator.name} ({zh})"


def reason_line(language: str, why: Sequence[Why]) -> str:
    """ "🔔 Japan · Lian Degui" (HTML)."""
    labels = []
    for w in why:
        label = esc(clip(w.label, 60))
        if w.kind == "keyword":
            label = t(language, "delivery.reason.keyword", keyword=label)
        labels.append(label)
    return t(language, "delivery.reason", reason=" · ".join(labels)) if labels else ""


def format_date(day: dt.date | None, language: str) -> str:
    if day is None:
        return ""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%b')} {day.year}"


def _link(url: str | None, label: str) -> str:
    if not url or not url.startswith(("http://", "https://")) or len(url) > 2000:
        return ""
    return f'<a href="{esc_attr(url)}">{label}</a>'


def _fit(head: list[str], body: str | None, tail: list[str], body_chars: int) -> str:
    """Join head, the (plain) body clipped so the whole fits Telegram's limit, and tail."""
    fixed = "\n".join(p for p in [*head, *tail] if p)
    room = MAX_MESSAGE_CHARS - len(fixed) - 4
    parts = list(head)
    if body:
        # Escaping can lengthen text (& -> &amp;): clip until the escaped form fits.
        limit = min(body_chars, max(room, 0))
        escaped = esc(clip(body, limit))
        while len(escaped) > room and limit > 0:
            limit = int(limit * 0.8)
            escaped = esc(clip(body, limit))
        if escaped:
            parts.append("\n" + escaped)
    parts += tail
    return "\n".join(p for p in parts if p)[:MAX_MESSAGE_CHARS]


def entry_text(
    entry: Entry,
    *,
    language: str,
    content_language: str = "both",
    why: Sequence[Why] = (),
    body_chars: int = SUMMARY_CHARS,
) -> str:
    """An entry: why it came, commentators in both scripts, affiliation, outlet and date,
    title, summary, link."""
    head = [reason_line(language, why)]
    names = [commentator_name(c, content_language) for c in entry.commentators]
    if names:
        head.append(f"<b>{esc(clip(' & '.join(names), 300))}</b>")
    affiliation = entry.affiliation or "; ".join(
        c.affiliation for c in entry.commentators if c.affiliation
    )
    if affiliation and content_language != "zh":
        head.append(esc(clip(affiliation, 300)))
    source = ", ".join(p for p in (entry.outlet, format_date(entry.date, language)) if p)
    if source:
        head.append(f"<i>{esc(clip(source, 200))}</i>")
    titles = []
    if entry.title and (content_language != "zh" or not entry.title_zh):
        titles.append(entry.title)
    if entry.title_zh and content_language != "en":
        titles.append(entry.title_zh)
    if titles:
        head.append("\n" + "\n".join(f"<b>{esc(clip(x, 300))}</b>" for x in titles))
    tail = [_link(entry.url, t(language, "delivery.read_more"))]
    return _fit(head, entry.summary, tail, body_chars)


def item_text(
    item: ReportItem,
    *,
    language: str,
    content_language: str = "both",
    why: Sequence[Why] = (),
    body_chars: int = SUMMARY_CHARS,
) -> str:
    """A press-review item: English headline, Chinese title, Chinese summary, link."""
    head = [reason_line(language, why)]
    if content_language != "zh" or not (item.title_zh or item.summary_zh):
        head.append(f"<b>{esc(clip(item.headline, 400))}</b>")
    body = None
    if content_language != "en":
        if item.title_zh:
            head.append(f"<b>{esc(clip(item.title_zh, 300))}</b>")
        body = item.summary_zh
    tail = [_link(item.url, t(language, "delivery.source"))]
    return _fit(head, body, tail, body_chars)


def render_entry(
    entry: Entry, *, language: str, content_language: str = "both", why: Sequence[Why] = ()
) -> Rendered:
    """An entry as subscribers see it (no buttons): for previews, search and catch-up."""
    return Rendered(
        entry_text(entry, language=language, content_language=content_language, why=why)
    )


def render_item(
    item: ReportItem, *, language: str, content_language: str = "both", why: Sequence[Why] = ()
) -> Rendered:
    """A report item as subscribers see it (no buttons)."""
    return Rendered(item_text(item, language=language, content_language=content_language, why=why))


def _label(text: str) -> str:
    return clip(text, BUTTON_LABEL_CHARS)


def alert_keyboard(
    language: str,
    *,
    why: Sequence[Why],
    regions: Sequence[Region] = (),
    commentators: Sequence[Commentator] = (),
) -> Keyboard:
    """Follow the item's commentators and regions in one tap (those not followed yet: what is
    followed already is what brought it), and stop following what brought it."""
    followed_regions = {w.target_id for w in why if w.kind == "region"}
    followed_commentators = {w.target_id for w in why if w.kind == "commentator"}
    follow: list[Button] = []
    for c in commentators:
        if c.id not in followed_commentators and len(follow) < MAX_FOLLOW_BUTTONS:
            name = t(language, "delivery.button.follow", name=_label(c.name))
            follow.append(Button(name, callback(AREA, "fc", c.id)))
    for r in regions:
        if r.id not in followed_regions and len(follow) < MAX_FOLLOW_BUTTONS:
            name = t(language, "delivery.button.follow", name=_label(region_name(r, language)))
            follow.append(Button(name, callback(AREA, "fr", r.id)))
    stop = [
        Button(
            t(language, "delivery.button.unfollow", name=_label(w.label)),
            callback(AREA, "u", w.subscription_id),
        )
        for w in why[:2]
    ]
    return keyboard(follow[:2], follow[2:], stop)


def render_alert(
    row: Entry | ReportItem,
    *,
    language: str,
    content_language: str,
    why: Sequence[Why],
) -> Rendered:
    """An instant alert: the entry or item, why it came, and its follow/unfollow buttons.
    `row.regions` and `row.commentators` must be loaded."""
    if isinstance(row, Entry):
        text = entry_text(row, language=language, content_language=content_language, why=why)
    else:
        text = item_text(row, language=language, content_language=content_language, why=why)
    buttons = alert_keyboard(language, why=why, regions=row.regions, commentators=row.commentators)
    return Rendered(text, buttons)


def render_digest(digest: Digest, *, language: str, why: Sequence[Why]) -> Rendered:
    """A monthly digest: its title and link and what it holds for this subscriber
    ("Europe: 6 entries · Ding Chun: 2")."""
    lines = [t(language, "delivery.digest.title", title=esc(clip(digest.title, 300)))]
    if digest.summary:
        lines.append(esc(clip(digest.summary, 800)))
    counts = []
    for w in why:
        label = esc(clip(w.label, 60))
        if w.kind == "keyword":
            label = t(language, "delivery.reason.keyword", keyword=label)
        n = w.count or 0
        if w.kind == "region":
            key = "delivery.digest.count_one" if n == 1 else "delivery.digest.count_entries"
        else:
            key = "delivery.digest.count"
        counts.append(t(language, key, name=label, n=n))
    if counts:
        lines.append("\n" + t(language, "delivery.digest.for_you", counts=" · ".join(counts)))
    link = _link(digest.link, t(language, "delivery.digest.read"))
    if link:
        lines.append("\n" + link)
    return Rendered("\n".join(lines)[:MAX_MESSAGE_CHARS])


# --- daily summary ----------------------------------------------------------------------


def summary_line(row: Entry | ReportItem, *, language: str, content_language: str) -> str:
    """One line (or two) of a daily summary for an entry or item (HTML)."""
    if isinstance(row, ReportItem):
        en = row.headline
        zh = row.title_zh
        url = row.url
        who = ""
    else:
        en = row.title or clip(row.summary, 160)
        zh = row.title_zh
        url = row.url
        names = [commentator_name(c, content_language) for c in row.commentators]
        who = f"<b>{esc(clip(' & '.join(names), 120))}</b>: " if names else ""
    parts = []
    if content_language != "zh" or not zh:
        parts.append(esc(clip(en, 300)))
    if zh and content_language != "en":
        parts.append(esc(clip(zh, 200)))
    text = " / ".join(parts)
    if url and url.startswith(("http://", "https://")) and len(url) <= 2000:
        text = f'<a href="{esc_attr(url)}">{text}</a>'
    return f"• {who}{text}"


def render_summary(
    language: str, date_label: str, sections: Sequence[tuple[str, Sequence[str]]]
) -> list[str]:
    """A daily summary grouped by region (`sections`: heading, lines), split into messages of
    at most 4096 characters on item boundaries; a heading is repeated when its section
    continues in the next message."""
    count = sum(len(lines) for _, lines in sections)
    title = t(language, "delivery.summary.title", date=esc(date_label))
    title += "\n" + t(language, "delivery.summary.count", n=count)
    parts: list[list[str]] = [[title]]
    sizes = [len(title)]
    reserve = 40  # room for the "(continued, n/m)" line added below
    for heading, lines in sections:
        head = f"\n<b>{esc(heading)}</b>"
        current_heading_written = False
        for line in lines:
            line = line[: MAX_MESSAGE_CHARS - reserve - len(head) - 2]
            block = ([head] if not current_heading_written else []) + [line]
            extra = sum(len(b) + 1 for b in block)
            if sizes[-1] + extra > MAX_MESSAGE_CHARS - reserve:
                parts.append([head.lstrip("\n"), line])
                sizes.append(len(head) + len(line) + 1)
            else:
                parts[-1].extend(block)
                sizes[-1] += extra
            current_heading_written = True
    messages = ["\n".join(p) for p in parts]
    if len(messages) > 1:
        messages = [
            m
            if i == 0
            else t(language, "delivery.summary.part", n=i + 1, count=len(messages)) + "\n" + m
            for i, m in enumerate(messages)
        ]
    return messages
