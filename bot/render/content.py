"""Entries, report items and digests exactly as subscribers see them.

Shared by delivery (instant editions, daily summaries), the editor's preview and search.
An instant edition is one message per publication: a daily report's matching items, each a
short block (headline, Chinese title, a one-line summary, why it came, its link) with a
numbered button that opens its full summary; a digest's matching entries grouped by region;
a single article in full. Content language: "en" shows the English side (headline, names, summary, link), "zh" the
Chinese side (Chinese title and summary, Chinese names, falling back to English where a piece
has no Chinese), "both" everything. Interface strings follow the subscriber's `language`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
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
from storage.models import Commentator, DailyReport, Digest, Entry, Region, ReportItem

AREA = "dl"
# action -> argument types: follow region, follow commentator, unfollow subscription, the full
# summary of a report item, of an entry.
CALLBACKS: dict[str, tuple[type, ...]] = {
    "fr": (int,),
    "fc": (int,),
    "u": (int,),
    "si": (int,),
    "se": (int,),
}
SUMMARY_CHARS = 1500
LINE_CHARS = 200  # an edition's one-line summary
BUTTON_LABEL_CHARS = 28
MAX_FOLLOW_BUTTONS = 3
MAX_PIECE_BUTTONS = 24  # numbered "full summary" buttons per message, 8 a row
PIECE_BUTTONS_PER_ROW = 8
CONTENT_LANGUAGES = ("en", "zh", "both")
HEADING_CHARS = 80  # bound on a region heading above a digest entry
PART_LINE_CHARS = 40  # "(continued, 2/3)"
BLOCK_SEPARATOR = "\n\n"


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
    """A press-review item: English headline, Chinese title, the summaries of the content
    language (English, Chinese or both), link."""
    head = [reason_line(language, why)]
    if content_language != "zh" or not (item.title_zh or item.summary_zh):
        head.append(f"<b>{esc(clip(item.headline, 400))}</b>")
    if content_language != "en" and item.title_zh:
        head.append(f"<b>{esc(clip(item.title_zh, 300))}</b>")
    body = "\n\n".join(item_summaries(item, content_language)) or None
    tail = [_link(item.url, t(language, "delivery.source"))]
    return _fit(head, body, tail, body_chars)


def item_summaries(item: ReportItem, content_language: str) -> list[str]:
    """The item's summaries a reader of `content_language` asked for: English readers never
    get Chinese text, Chinese readers get the Chinese one (the English where there is none)."""
    en, zh = (item.summary_en or "").strip(), (item.summary_zh or "").strip()
    if content_language == "en":
        return [en] if en else []
    if content_language == "zh":
        return [zh] if zh else ([en] if en else [])
    return [s for s in (en, zh) if s]


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


# --- instant editions: one message per publication -------------------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    """A piece of an edition as one subscriber gets it."""

    piece: Entry | ReportItem
    why: Sequence[Why]


def group_of(region_ids: Sequence[int], followed: Collection[int]) -> int | None:
    """The region a piece is listed under: the first of its regions (in display order) the
    subscriber follows, else its first region, else none ("Other")."""
    return next((r for r in region_ids if r in followed), region_ids[0] if region_ids else None)


def _one_line(text: str, chars: int) -> str:
    return esc(clip(text, chars)) if chars > 0 else ""


def item_block(
    item: ReportItem,
    number: int,
    *,
    language: str,
    content_language: str,
    why: Sequence[Why] = (),
    line_chars: int = LINE_CHARS,
) -> str:
    """A report item in an edition: its number, English headline and Chinese title (as the
    content language asks), one-line summaries, why it came and its link."""
    lines = []
    prefix = f"{number}. "
    if content_language != "zh" or not item.title_zh:
        lines.append(f"<b>{prefix}{esc(clip(item.headline, 300))}</b>")
        prefix = ""
    if item.title_zh and content_language != "en":
        lines.append(f"<b>{prefix}{esc(clip(item.title_zh, 200))}</b>")
    lines += [_one_line(s, line_chars) for s in item_summaries(item, content_language)]
    tail = [reason_line(language, why), _link(item.url, t(language, "delivery.source"))]
    lines.append(" · ".join(p for p in tail if p))
    return "\n".join(p for p in lines if p)


def entry_block(
    entry: Entry,
    number: int,
    *,
    language: str,
    content_language: str,
    why: Sequence[Why] = (),
    line_chars: int = LINE_CHARS,
) -> str:
    """A digest entry in an edition: its number, commentators in both scripts (as the content
    language asks), outlet and date, title, a one-line summary, why it came and its link."""
    names = " & ".join(commentator_name(c, content_language) for c in entry.commentators)
    source = ", ".join(p for p in (entry.outlet, format_date(entry.date, language)) if p)
    first = [f"<b>{number}. {esc(clip(names, 200))}</b>" if names else f"<b>{number}.</b>"]
    if source:
        first.append(f"<i>{esc(clip(source, 120))}</i>")
    lines = [" · ".join(first)]
    if entry.title and (content_language != "zh" or not entry.title_zh):
        lines.append(f"<b>{esc(clip(entry.title, 200))}</b>")
    if entry.title_zh and content_language != "en":
        lines.append(f"<b>{esc(clip(entry.title_zh, 200))}</b>")
    if entry.summary:
        lines.append(_one_line(entry.summary, line_chars))
    tail = [reason_line(language, why), _link(entry.url, t(language, "delivery.read_more"))]
    lines.append(" · ".join(p for p in tail if p))
    return "\n".join(p for p in lines if p)


def piece_bound(piece: Entry | ReportItem, keywords: Collection[str] = ()) -> dict[str, int]:
    """An upper bound on a piece's block per content language ("en", "zh", "both"), in either
    interface language, with every "why" it could show (all its regions and commentators and
    the followed `keywords` found in it) and, for a digest entry, its region heading: what
    splitting an edition into messages goes by, before the reader's follows are applied."""
    bounds = {}
    for content_language in CONTENT_LANGUAGES:
        longest = 0
        for language in ("en", "zh"):
            why = [Why("region", 0, region_name(r, language)) for r in piece.regions]
            why += [
                Why("commentator", 0, c.name_zh if language == "zh" and c.name_zh else c.name)
                for c in piece.commentators
            ]
            why += [Why("keyword", 0, k) for k in sorted(keywords)]
            if isinstance(piece, Entry):
                block = HEADING_CHARS + len(
                    entry_block(
                        piece, 999, language=language, content_language=content_language, why=why
                    )
                )
            else:
                block = len(
                    item_block(
                        piece, 999, language=language, content_language=content_language, why=why
                    )
                )
            longest = max(longest, block)
        bounds[content_language] = longest
    return bounds


def _report_header(report: DailyReport, language: str) -> str:
    return t(language, "delivery.report.title", date=esc(format_date(report.date, language)))


def _digest_header(digest: Digest, language: str) -> str:
    lines = [t(language, "delivery.digest.title", title=esc(clip(digest.title, 300)))]
    link = _link(digest.link, t(language, "delivery.digest.read"))
    if link:
        lines.append(link)
    return "\n".join(lines)


def header_bound(publication: DailyReport | Digest) -> int:
    """An upper bound on an edition's header (and its "continued" line) in any language."""
    header = _report_header if isinstance(publication, DailyReport) else _digest_header
    return PART_LINE_CHARS + max(len(header(publication, lang)) for lang in ("en", "zh"))  # type: ignore[arg-type]


def split_sizes(sizes: Sequence[int], budget: int = MAX_MESSAGE_CHARS) -> list[list[int]]:
    """Indexes of consecutive pieces grouped into messages of at most `budget` characters
    (a piece larger than that alone in its message)."""
    parts: list[list[int]] = []
    used = budget + 1
    for i, size in enumerate(sizes):
        extra = size + len(BLOCK_SEPARATOR)
        if parts and used + extra <= budget:
            parts[-1].append(i)
            used += extra
        else:
            parts.append([i])
            used = size
    return parts


def render_edition(
    publication: DailyReport | Digest,
    shown: Sequence[Shown],
    *,
    language: str,
    content_language: str,
    part: int = 1,
    parts: int = 1,
    first: int = 1,
    regions: Sequence[Region] = (),
) -> Rendered:
    """One message of an instant edition: a daily report's items or a digest's entries
    (grouped under region headings, `regions` in display order) for one subscriber, with
    numbered buttons that open each piece's full summary and buttons to follow or stop
    following what it is about. Pieces are shortened, then left out from the end with a
    "more" line, should they not fit (only an edit made after the edition was split can do
    that)."""
    if isinstance(publication, DailyReport):
        header = _report_header(publication, language)
    else:
        header = _digest_header(publication, language)
    if parts > 1:
        header = t(language, "delivery.edition.part", n=part, count=parts) + "\n" + header
    by_id = {r.id: r for r in regions}
    for line_chars in (LINE_CHARS, 80, 0):
        blocks = _edition_blocks(shown, language, content_language, first, line_chars, by_id)
        text = BLOCK_SEPARATOR.join([header, *blocks])
        if len(text) <= MAX_MESSAGE_CHARS:
            break
    kept = list(shown)
    while len(text) > MAX_MESSAGE_CHARS and len(kept) > 1:
        kept.pop()
        blocks = _edition_blocks(kept, language, content_language, first, 0, by_id)
        more = t(language, "delivery.edition.more", n=len(shown) - len(kept))
        text = BLOCK_SEPARATOR.join([header, *blocks, more])
    return Rendered(text[:MAX_MESSAGE_CHARS], edition_keyboard(language, kept, first=first))


def _edition_blocks(
    shown: Sequence[Shown],
    language: str,
    content_language: str,
    first: int,
    line_chars: int,
    regions: dict[int, Region],
) -> list[str]:
    blocks: list[str] = []
    heading: object = ()  # no heading yet (None is "Other")
    for number, s in enumerate(shown, first):
        if isinstance(s.piece, Entry):
            followed = {w.target_id for w in s.why if w.kind == "region" and w.target_id}
            group = group_of([r.id for r in s.piece.regions], followed)
            if group != heading:
                region = regions.get(group) if group is not None else None
                label = (
                    region_name(region, language)
                    if region is not None
                    else t(language, "delivery.summary.other")
                )
                blocks.append(f"<b>{esc(label)}</b>")
                heading = group
            blocks.append(
                entry_block(
                    s.piece,
                    number,
                    language=language,
                    content_language=content_language,
                    why=s.why,
                    line_chars=line_chars,
                )
            )
        else:
            blocks.append(
                item_block(
                    s.piece,
                    number,
                    language=language,
                    content_language=content_language,
                    why=s.why,
                    line_chars=line_chars,
                )
            )
    return blocks


def edition_keyboard(language: str, shown: Sequence[Shown], *, first: int = 1) -> Keyboard:
    """Numbered buttons opening each piece's full summary, then follow buttons for the
    commentators and regions of the pieces not followed yet, then stop buttons for what
    brought them (each within Telegram's 64 bytes; a few dozen buttons at most)."""
    numbered = [
        Button(
            t(language, "delivery.button.piece", n=number),
            callback(AREA, "se" if isinstance(s.piece, Entry) else "si", s.piece.id),
        )
        for number, s in enumerate(shown[:MAX_PIECE_BUTTONS], first)
    ]
    rows = [
        numbered[i : i + PIECE_BUTTONS_PER_ROW]
        for i in range(0, len(numbered), PIECE_BUTTONS_PER_ROW)
    ]
    why = list({w.subscription_id: w for s in shown for w in s.why}.values())
    regions = list({r.id: r for s in shown for r in s.piece.regions}.values())
    commentators = list({c.id: c for s in shown for c in s.piece.commentators}.values())
    more = alert_keyboard(language, why=why, regions=regions, commentators=commentators)
    return keyboard(*rows, *more)


def full_summary(piece: Entry | ReportItem, *, language: str, content_language: str) -> Rendered:
    """What a piece's numbered button opens: the piece with its whole summary."""
    if isinstance(piece, Entry):
        return render_entry(piece, language=language, content_language=content_language)
    return render_item(piece, language=language, content_language=content_language)


# --- daily summary ----------------------------------------------------------------------


SUMMARY_LINE_CHARS = 160  # the one-line summary under each title of a daily summary


def summary_line(row: Entry | ReportItem, *, language: str, content_language: str) -> str:
    """An entry or item in a daily summary (HTML): its title (linked), and under it a
    one-line summary in the reader's content language, as editions show them."""
    gist: str | None
    if isinstance(row, ReportItem):
        en = row.headline
        zh = row.title_zh
        url = row.url
        who = ""
        gist = next(iter(item_summaries(row, content_language)), None)
    else:
        en = row.title or clip(row.summary, SUMMARY_LINE_CHARS)
        zh = row.title_zh
        url = row.url
        names = [commentator_name(c, content_language) for c in row.commentators]
        who = f"<b>{esc(clip(' & '.join(names), 120))}</b>: " if names else ""
        gist = row.summary if row.title else None  # untitled: the summary is the title
    parts = []
    if content_language != "zh" or not zh:
        parts.append(esc(clip(en, 300)))
    if zh and content_language != "en":
        parts.append(esc(clip(zh, 200)))
    text = " / ".join(parts)
    if url and url.startswith(("http://", "https://")) and len(url) <= 2000:
        text = f'<a href="{esc_attr(url)}">{text}</a>'
    line = f"• {who}{text}"
    if gist and gist.strip():
        line += "\n  " + _one_line(gist.strip(), SUMMARY_LINE_CHARS)
    return line


def render_summary(
    language: str, date_label: str, sections: Sequence[tuple[str, Sequence[str]]]
) -> list[str]:
    """A daily summary grouped by region, then its digests (`sections`: HTML heading, lines),
    split into messages of at most 4096 characters on item boundaries; a heading is repeated
    when its section continues in the next message."""
    count = sum(len(lines) for _, lines in sections)
    title = t(language, "delivery.summary.title", date=esc(date_label))
    title += "\n" + t(language, "delivery.summary.count", n=count)
    parts: list[list[str]] = [[title]]
    sizes = [len(title)]
    reserve = 40  # room for the "(continued, n/m)" line added below
    for heading, lines in sections:
        head = f"\n<b>{heading}</b>"
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


def summary_digest_heading(digest: Digest, language: str) -> str:
    """A digest's heading in a daily summary (HTML): its title, linked."""
    title = esc(clip(digest.title, 300))
    return t(language, "delivery.summary.digest", title=_link(digest.link, title) or title)
