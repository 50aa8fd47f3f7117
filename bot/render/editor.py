"""Every message an editor reads: previews with their buttons, confirmations, /stats, /audit.

Previews show content through bot/render/content.py, the same code that renders what
subscribers receive. Callback data of this area starts with "ed:"; `CALLBACKS` lists each
action and its argument types, and `parse` turns a pressed button back into them (anything else
is a stale or forged button and yields None).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.editorial.audit_view import AuditPage
from bot.editorial.broadcast import Draft
from bot.editorial.drafts import DraftList
from bot.editorial.editing import EditResult
from bot.editorial.permissions import (
    COMMANDS,
    Action,
    ChangeResult,
    EditorChange,
    EditorInfo,
    EditorTarget,
    Role,
    may,
)
from bot.editorial.preview import Preview, PreviewWarning
from bot.editorial.refs import BadRef, ContentRef
from bot.editorial.retract_request import Request
from bot.editorial.retraction import Recipient, RetractOutcome, RetractResult
from bot.editorial.scheduling import ScheduleOutcome, ScheduleResult
from bot.editorial.stats import Stats
from bot.i18n import t
from bot.ingest.decoding import NotText
from bot.ingest.fetch import FetchError
from bot.ingest.model import Skipped
from bot.render import (
    MAX_MESSAGE_CHARS,
    Button,
    Keyboard,
    Page,
    Rendered,
    callback,
    clip,
    esc,
    join_within,
    keyboard,
    page_row,
    parse_callback,
)
from bot.render.content import commentator_name, entry_text, item_text, region_name, render_digest
from bot.render.corrections import correction_queued
from storage.models import (
    AuditLog,
    Commentator,
    ContentStatus,
    DailyReport,
    Digest,
    Entry,
    Region,
    ReportItem,
)

AREA = "ed"
CALLBACKS: dict[str, tuple[type, ...]] = {
    "pub": (str,),  # publish ref
    "dis": (str,),  # discard ref
    "rg": (str,),  # region picker for ref
    "rt": (str, int),  # toggle region id on ref
    "cm": (str,),  # ask for the commentators of ref
    "pv": (str, int),  # preview of ref, page
    "op": (str,),  # open the preview of ref in a new message (from /drafts)
    "bc": (int,),  # send the broadcast held in pending action id
    "bx": (int,),  # cancel it
    "au": (int,),  # audit log page
    "rc": (int,),  # retract as asked in pending action id
    "rx": (int,),  # keep it: cancel that request
}
LIST_PAGE_SIZE = 12
MAX_WARNING_LINES = 12
MAX_SKIPPED_LINES = 5
MAX_RECIPIENTS_SHOWN = 40
# Marks the message asking for commentators, so a reply to it can be recognised.
COMMENTATORS_PROMPT_MARK = "👤"
_PROMPT_REF_RE = re.compile(r"\b([ei]\d{1,12})\b")
_REF_ARG_RE = re.compile(r"[eird]\d{1,12}\Z")
_SIDE_CHARS = 1500  # what a preview keeps for its own lines around the content
_TIME_FORMAT = "%Y-%m-%d %H:%M"


def cb(action: str, *args: object) -> str:
    assert action in CALLBACKS and len(args) == len(CALLBACKS[action])
    return callback(AREA, action, *args)


def parse(data: str | None) -> tuple[str, ContentRef | None, list[Any]] | None:
    """(action, ref or None, the other arguments) for a button of this area, else None."""
    parsed = parse_callback(data, AREA, CALLBACKS)
    if parsed is None:
        return None
    action, args = parsed
    if CALLBACKS[action][:1] == (str,):
        if not _REF_ARG_RE.match(args[0]):
            return None
        try:
            return action, ContentRef.parse(args[0]), args[1:]
        except BadRef:
            return None
    return action, None, args


def plain(language: str, key: str, **values: object) -> Rendered:
    """A reply from the catalog; `values` are escaped here."""
    return Rendered(t(language, key, **{k: esc(v) for k, v in values.items()}))


def status_label(language: str, status: str) -> str:
    return t(language, f"editor.status.{status}")


def local_time(when: dt.datetime, zone: str) -> str:
    return when.astimezone(ZoneInfo(zone)).strftime(_TIME_FORMAT)


def size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


# --- previews ---------------------------------------------------------------------------


def preview(
    language: str,
    built: Preview,
    *,
    page: int = 0,
    timezone: str = "UTC",
    skipped: Sequence[Skipped] = (),
    notice: str | None = None,
) -> Rendered:
    """The draft as subscribers will see it, what they would miss, and the editor's buttons.

    `notice` (HTML) goes on top: "posted before", "published", an edit's confirmation.
    """
    side = _side_lines(language, built, timezone, skipped)
    top = [notice] if notice else []
    if built.is_list:
        body, pages = _list_body(language, built, page)
    else:
        body, pages = _single_body(language, built, top, side), None
    text = _assemble([*top, body], side)
    return Rendered(text, _preview_keyboard(language, built, pages))


def _single_body(language: str, built: Preview, top: list[str], side: list[str]) -> str:
    piece = built.pieces[0]
    header = t(
        language,
        "editor.preview.entry",
        ref=esc(built.ref),
        status=status_label(language, built.status),
    )
    room = MAX_MESSAGE_CHARS - sum(len(x) + 2 for x in [*top, *side]) - len(header) - 4
    body_chars = max(200, min(1500, room - 1200))
    content = _content_text(language, piece, body_chars)
    while len(content) > room and body_chars > 100:
        body_chars //= 2
        content = _content_text(language, piece, body_chars)
    return f"{header}\n\n{content}"


def _content_text(language: str, piece: Entry | ReportItem, body_chars: int) -> str:
    if isinstance(piece, Entry):
        return entry_text(piece, language=language, content_language="both", body_chars=body_chars)
    return item_text(piece, language=language, content_language="both", body_chars=body_chars)


def _list_body(language: str, built: Preview, page: int) -> tuple[str, Page[Any]]:
    content = built.content
    assert isinstance(content, DailyReport | Digest)
    key = "editor.preview.report" if isinstance(content, DailyReport) else "editor.preview.digest"
    lines = [
        t(
            language,
            key,
            ref=esc(built.ref),
            status=status_label(language, built.status),
            title=esc(clip(content.title, 200)),
            count=len(built.pieces),
        )
    ]
    if isinstance(content, Digest) and content.link:
        lines.append(t(language, "editor.preview.digest_link", link=esc(clip(content.link, 300))))
    count = max(1, -(-len(built.pieces) // LIST_PAGE_SIZE))
    page = min(max(page, 0), count - 1)
    pieces = built.pieces[page * LIST_PAGE_SIZE : (page + 1) * LIST_PAGE_SIZE]
    lines.append("")
    lines += [_list_line(language, p) for p in pieces]
    if page == 0 and isinstance(content, Digest):
        # What digest subscribers receive: the digest's own message.
        lines += ["", t(language, "editor.preview.subscribers_see"), ""]
        lines.append(render_digest(content, language=language, why=()).text)
    elif page == 0 and built.pieces:
        lines += ["", t(language, "editor.preview.subscribers_see"), ""]
        lines.append(_content_text(language, built.pieces[0], 300))
    if len(built.pieces) > 1 or isinstance(content, Digest):
        lines += ["", t(language, "editor.preview.how_to_edit")]
    return "\n".join(lines), Page(pieces, page, count)


def _list_line(language: str, piece: Entry | ReportItem) -> str:
    regions = ", ".join(region_name(r, language) for r in piece.regions) or (
        "<i>" + t(language, "editor.preview.no_region") + "</i>"
    )
    if isinstance(piece, ReportItem):
        ref, title = f"i{piece.id}", piece.headline
        who = ""
    else:
        ref, title = f"e{piece.id}", piece.title or piece.summary
        names = " & ".join(commentator_name(c) for c in piece.commentators)
        who = f"{esc(clip(names, 80))}: " if names else ""
    if regions and not regions.startswith("<i>"):
        regions = esc(regions)
    return f"<b>{ref}</b> {who}{esc(clip(title or '', 90))} — {regions}"


def _side_lines(
    language: str, built: Preview, timezone: str, skipped: Sequence[Skipped]
) -> list[str]:
    lines: list[str] = []
    content = built.content
    when = getattr(content, "scheduled_for", None)
    if built.status == ContentStatus.SCHEDULED and when is not None:
        lines.append(
            t(language, "editor.scheduled_for", when=local_time(when, timezone), zone=esc(timezone))
        )
    if not built.is_list:
        lines.append(_tags_line(language, built.pieces[0]))
    if built.status in (ContentStatus.DRAFT, ContentStatus.SCHEDULED):
        lines += warning_lines(language, built.warnings, skipped)
    return [x for x in lines if x]


def _tags_line(language: str, piece: Entry | ReportItem) -> str:
    regions = ", ".join(region_name(r, language) for r in piece.regions) or t(
        language, "editor.preview.no_region"
    )
    names = "; ".join(commentator_name(c) for c in piece.commentators) or t(
        language, "editor.edit.nobody"
    )
    return f"🌏 {esc(clip(regions, 200))}\n👤 {esc(clip(names, 300))}"


def warning_lines(
    language: str, warnings: Sequence[PreviewWarning], skipped: Sequence[Skipped] = ()
) -> list[str]:
    if not warnings and not skipped:
        return []
    lines = [t(language, "editor.warn.title")]
    shown = [_warning(language, w) for w in warnings[:MAX_WARNING_LINES]]
    lines += [f"• {w}" for w in shown]
    if len(warnings) > MAX_WARNING_LINES:
        lines.append(t(language, "editor.warn.more", count=len(warnings) - MAX_WARNING_LINES))
    for s in skipped[:MAX_SKIPPED_LINES]:
        what = esc(clip(s.what, 100))
        lines.append("• " + t(language, "editor.warn.skipped", what=what, why=esc(clip(s.why, 80))))
    if len(skipped) > MAX_SKIPPED_LINES:
        lines.append(t(language, "editor.warn.more", count=len(skipped) - MAX_SKIPPED_LINES))
    lines.append(t(language, "editor.warn.anyway"))
    return lines


def _warning(language: str, warning: PreviewWarning) -> str:
    return t(
        language,
        f"editor.warn.{warning.code}",
        ref=esc(warning.ref),
        link=esc(clip(warning.detail, 120)),
        **{name: esc(value) for name, value in warning.values},
    )


def _assemble(blocks: Sequence[str], side: Sequence[str]) -> str:
    """Blocks then the side lines, the side lines cut (never the content) to fit 4096."""
    head = "\n\n".join(b for b in blocks if b)
    if not side:
        return head[:MAX_MESSAGE_CHARS]
    rest = join_within(list(side), MAX_MESSAGE_CHARS - len(head) - 2)
    return f"{head}\n\n{rest}" if rest else head[:MAX_MESSAGE_CHARS]


def _preview_keyboard(language: str, built: Preview, pages: Page[Any] | None) -> Keyboard:
    ref = str(built.ref)
    # A report item is published and discarded with its report: its preview's buttons say so.
    whole = f"r{built.content.report_id}" if isinstance(built.content, ReportItem) else ref
    rows: list[Sequence[Button]] = []
    if pages is not None:
        rows.append(page_row(pages, lambda n: cb("pv", ref, n)))
    if built.status in (ContentStatus.DRAFT, ContentStatus.SCHEDULED):
        rows.append(
            [
                Button(t(language, "editor.btn.publish"), cb("pub", whole)),
                Button(t(language, "editor.btn.discard"), cb("dis", whole)),
            ]
        )
    if built.status != ContentStatus.RETRACTED and (built.pieces or not built.is_list):
        rows.append(
            [
                Button(t(language, "editor.btn.edit_regions"), cb("rg", ref)),
                Button(t(language, "editor.btn.edit_commentators"), cb("cm", ref)),
            ]
        )
    return keyboard(*rows)


def region_picker(
    language: str, ref: ContentRef, regions: Sequence[Region], chosen: set[int]
) -> Rendered:
    buttons = [
        Button(
            ("✅ " if r.id in chosen else "▫️ ") + region_name(r, language), cb("rt", str(ref), r.id)
        )
        for r in regions
    ]
    rows: list[Sequence[Button]] = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Button(t(language, "editor.btn.back"), cb("pv", str(ref), 0))])
    return Rendered(t(language, "editor.edit.regions_prompt", ref=esc(ref)), keyboard(*rows))


def commentators_prompt(language: str, ref: ContentRef, current: Sequence[Commentator]) -> str:
    names = "; ".join(commentator_name(c) for c in current) or t(language, "editor.edit.nobody")
    text = t(
        language, "editor.edit.commentators_prompt", ref=esc(ref), current=esc(clip(names, 500))
    )
    return f"{COMMENTATORS_PROMPT_MARK} {text}"


def ref_in_prompt(text: str | None) -> ContentRef | None:
    """The ref a commentators prompt (see `commentators_prompt`) asked about."""
    if not text or not text.startswith(COMMENTATORS_PROMPT_MARK):
        return None
    match = _PROMPT_REF_RE.search(text.split("\n", 1)[0])
    return ContentRef.parse(match.group(1)) if match else None


def post_error(language: str, reason: str, values: dict[str, object]) -> Rendered:
    """Why a /post was refused (PostError's reason and values)."""
    error = values.get("error")
    if isinstance(error, FetchError):
        return Rendered(t(language, "editor.post.fetch_error", reason=error.text(language, esc)))
    if isinstance(error, NotText):
        why = esc(error.text(language))
        return Rendered(t(language, "editor.post.not_text", name=esc(values.get("name")), why=why))
    if reason == "too_big":
        values = {
            "size": size_label(int(str(values["size"]))),
            "limit": size_label(int(str(values["limit"]))),
        }
    return plain(language, f"editor.post.{reason}", **values)


def posted_before(language: str, ref: ContentRef, status: str) -> str:
    return t(language, "editor.post.duplicate", ref=esc(ref), status=status_label(language, status))


def published_notice(language: str, ref: ContentRef) -> str:
    return t(language, "editor.published", ref=esc(ref))


# --- edits, retraction, schedule ---------------------------------------------------------


def edit_done(language: str, result: EditResult) -> str:
    nothing = t(language, "editor.edit.nobody")
    done = t(
        language,
        "editor.edit.done",
        ref=esc(result.ref),
        field=t(language, f"editor.field.{result.field.value}"),
        old=esc(clip(result.old, 300)) or nothing,
        new=esc(clip(result.new, 300)) or nothing,
    )
    if not (result.corrected or result.uncorrectable or result.correcting_more):
        return done
    corrected = correction_queued(
        language,
        queued=result.corrected,
        pruned=result.uncorrectable,
        more=result.correcting_more,
    )
    return f"{done}\n{corrected}"


def edit_error(language: str, reason: str, detail: str, regions: Sequence[Region] = ()) -> Rendered:
    names = ", ".join(f"{r.slug} ({region_name(r, language)})" for r in regions)
    return Rendered(
        t(language, f"editor.edit.{reason}", detail=esc(clip(detail, 200)), regions=esc(names))
    )


def retracted(language: str, result: RetractResult) -> Rendered:
    if result.outcome is not RetractOutcome.RETRACTED:
        key = {
            RetractOutcome.NOT_FOUND: "editor.not_found",
            RetractOutcome.ALREADY: "editor.retract.already",
            RetractOutcome.DRAFT: "editor.retract.draft",
        }[result.outcome]
        return plain(language, key, ref=result.ref)
    lines = [t(language, "editor.retract.done", ref=esc(result.ref))]
    if result.recipients:
        shown = [_recipient(r) for r in result.recipients[:MAX_RECIPIENTS_SHOWN]]
        names = ", ".join(shown)
        if len(result.recipients) > MAX_RECIPIENTS_SHOWN:
            names += ", " + t(
                language, "editor.warn.more", count=len(result.recipients) - MAX_RECIPIENTS_SHOWN
            )
        count = len(result.recipients)
        in_summary = sum(r.in_summary for r in result.recipients)
        if in_summary:
            at_once = sum(r.at_once for r in result.recipients)
            how = [t(language, "editor.retract.how.at_once", count=at_once)] if at_once else []
            how.append(t(language, "editor.retract.how.summary", count=in_summary))
            lines.append(
                t(
                    language,
                    "editor.retract.received_how",
                    count=count,
                    how=", ".join(how),
                    names=names,
                )
            )
        else:
            lines.append(t(language, "editor.retract.received", count=count, names=names))
    else:
        lines.append(t(language, "editor.retract.nobody"))
    if result.cancelled:
        lines.append(t(language, "editor.retract.cancelled", count=result.cancelled))
    if result.corrected or result.uncorrectable or result.correcting_more:
        lines.append(
            correction_queued(
                language,
                queued=result.corrected,
                pruned=result.uncorrectable,
                more=result.correcting_more,
            )
        )
    if summaries := result.summaries_rewritten + result.summaries_cancelled:
        lines.append(t(language, "editor.retract.summaries", count=summaries))
        if result.summaries_cancelled:
            lines.append(
                t(language, "editor.retract.summaries_empty", count=result.summaries_cancelled)
            )
    return Rendered(join_within(lines))


def scheduled(language: str, result: ScheduleResult, zone: str) -> Rendered:
    if result.outcome is ScheduleOutcome.SCHEDULED and result.when is not None:
        when = local_time(result.when, zone)
        return plain(language, "editor.schedule.done", ref=result.ref, when=when, zone=zone)
    if result.outcome is ScheduleOutcome.NOT_SCHEDULABLE:
        return plain(language, "editor.item_goes_with_report", report=result.report_id)
    key = {
        ScheduleOutcome.UNSCHEDULED: "editor.schedule.cancelled",
        ScheduleOutcome.NOT_SCHEDULED: "editor.schedule.not_scheduled",
        ScheduleOutcome.NOT_FOUND: "editor.not_found",
        ScheduleOutcome.ALREADY_PUBLISHED: "editor.already_published",
        ScheduleOutcome.RETRACTED: "editor.is_retracted",
    }[result.outcome]
    return plain(language, key, ref=result.ref)


def bad_time(language: str, reason: str, text: str, example: str) -> Rendered:
    """BadTime's reason: format | past | too_far; `example` a time that would be accepted."""
    key = "editor.schedule.bad_time" if reason == "format" else f"editor.schedule.{reason}"
    return plain(language, key, text=text, example=example)


def schedule_usage(language: str, zone: str, example: str) -> Rendered:
    return plain(language, "editor.usage.schedule", zone=zone, example=example)


# --- retraction, asked first ---------------------------------------------------------------


def retract_confirm(language: str, request: Request) -> Rendered:
    if request.refused is not None:
        return retracted(language, RetractResult(request.ref, request.refused))
    how_many = {0: "none", 1: "one"}.get(request.readers, "many")
    text = t(
        language,
        "editor.retract.confirm",
        ref=esc(request.ref),
        status=status_label(language, request.status),
        title=esc(clip(request.title, 120)),
        readers=t(language, f"editor.retract.readers.{how_many}", count=request.readers),
    )
    buttons = keyboard(
        [
            Button(t(language, "editor.btn.retract", ref=request.ref), cb("rc", request.action_id)),
            Button(t(language, "editor.btn.cancel"), cb("rx", request.action_id)),
        ]
    )
    return Rendered(text, buttons)


# --- /drafts ------------------------------------------------------------------------------


def drafts(language: str, found: DraftList, timezone: str) -> Rendered:
    if not found.shown:
        return Rendered(t(language, "editor.drafts.empty"))
    lines = [t(language, "editor.drafts.title", count=len(found.shown) + found.more)]
    buttons: list[Sequence[Button]] = []
    for u in found.shown:
        status = status_label(language, u.status)
        if u.status == ContentStatus.SCHEDULED and u.scheduled_for is not None:
            status += f" {local_time(u.scheduled_for, timezone)}"
        title = clip(u.title, 80)
        lines.append(
            t(language, "editor.drafts.line", ref=esc(u.ref), title=esc(title), status=status)
        )
        label = t(language, "editor.btn.open", ref=u.ref, title=clip(u.title, 30))
        buttons.append([Button(label, cb("op", str(u.ref)))])
    if found.more:
        lines.append(t(language, "editor.drafts.more", count=found.more))
    return Rendered(join_within(lines), keyboard(*buttons))


# --- roles --------------------------------------------------------------------------------


def role_label(language: str, role: Role) -> str:
    """ "an author" / "a publisher" (作者 / 发布者)."""
    return t(language, f"editor.role.{role.value}")


def needs_role(language: str, needed: Role, current: Role) -> str:
    """The refusal of an action `current` may not do (HTML, like every catalog text)."""
    return t(
        language,
        "editor.needs_role",
        role=t(language, f"editor.role_name.{needed.value}"),
        current=role_label(language, current),
    )


def help_section(language: str, role: Role) -> str:
    """The editor commands `role` may use (what /help shows an editor in private)."""
    publisher = may(role, Action.EDIT_PUBLISHED)
    lines = [t(language, "editor.help.title", role=role_label(language, role))]
    for name, action in COMMANDS.items():
        if not may(role, action):
            continue
        key = f"editor.help.{name}"
        if name in ("edit", "editor") and publisher:
            key += "_publisher"
        lines.append(t(language, key))
        if name == "edit" and may(role, Action.PUBLISH):
            lines.append(t(language, "editor.help.publish"))
    if not publisher:
        lines += ["", t(language, "editor.help.publishers_also")]
    lines += ["", t(language, "editor.help.ids")]
    return "\n".join(lines)


def _recipient(r: Recipient) -> str:
    if r.username:
        return esc(f"@{r.username}")
    if r.title:
        return f"{esc(clip(r.title, 40))} ({r.chat_id})"
    return str(r.chat_id)


# --- stats ------------------------------------------------------------------------------


def stats(language: str, s: Stats) -> Rendered:
    lines = [
        t(language, "editor.stats.title"),
        t(language, "editor.stats.subscribers", **s.subscribers),
        "",
        t(language, "editor.stats.regions"),
    ]
    lines += [
        f"• {esc(r.name_zh if language == 'zh' and r.name_zh else r.name)}: {r.followers}"
        for r in s.regions
    ]
    lines += ["", t(language, "editor.stats.commentators")]
    if s.commentators:
        lines += [
            f"• {esc(clip(c.name + (f' ({c.name_zh})' if c.name_zh else ''), 80))}: {c.followers}"
            for c in s.commentators
        ]
    else:
        lines.append(t(language, "editor.stats.none"))
    lines += [
        "",
        t(
            language,
            "editor.stats.deliveries",
            zone=esc(s.timezone),
            sent=s.sent_today,
            failed=s.failed_today,
            failed_total=s.failed_total,
            queued=s.queued,
        ),
        t(language, "editor.stats.scheduled", count=s.scheduled),
        "",
        t(language, "editor.stats.history"),
    ]
    lines += [f"• {d.day.isoformat()}: {d.entries} / {d.items} / {d.digests}" for d in s.history]
    return Rendered(join_within(lines))


# --- broadcast ----------------------------------------------------------------------------


def broadcast_confirm(language: str, draft: Draft, html_text: str) -> Rendered:
    head = t(language, "editor.broadcast.confirm", count=draft.recipients)
    buttons = keyboard(
        [
            Button(
                t(language, "editor.btn.send_broadcast", count=draft.recipients),
                cb("bc", draft.action_id),
            ),
            Button(t(language, "editor.btn.cancel"), cb("bx", draft.action_id)),
        ]
    )
    # The text is shown as it will be sent; it fits because broadcasts are capped below 4096
    # minus this header.
    return Rendered(f"{head}\n\n{html_text}"[:MAX_MESSAGE_CHARS], buttons)


# --- audit --------------------------------------------------------------------------------


def audit_page(language: str, page: AuditPage, timezone: str) -> Rendered:
    if not page.rows:
        return Rendered(t(language, "editor.audit.empty"))
    lines = [t(language, "editor.audit.title", page=page.page + 1, pages=page.pages), ""]
    lines += [_audit_line(language, row, page.names, timezone) for row in page.rows]
    pages = Page(page.rows, page.page, page.pages)
    return Rendered(join_within(lines), keyboard(page_row(pages, lambda n: cb("au", n))))


def _audit_line(language: str, row: AuditLog, names: dict[int, str], timezone: str) -> str:
    if row.actor_id is None:
        who = t(language, "editor.audit.system")
    elif row.actor_id in names:
        who = f"{esc(names[row.actor_id])} ({row.actor_id})"
    else:
        who = str(row.actor_id)
    what = esc(row.action) + (f" <b>{esc(clip(row.target, 60))}</b>" if row.target else "")
    details = ""
    if row.details:
        details = "\n  <i>" + esc(clip(json.dumps(row.details, ensure_ascii=False), 220)) + "</i>"
    return f"{local_time(row.created_at, timezone)} · {who} · {what}{details}"


# --- editors ------------------------------------------------------------------------------


def editor_changed(language: str, result: ChangeResult, *, role_given: bool = True) -> Rendered:
    """`role_given`: whether the command named a role (if not, say what the default means)."""
    who = target_label(result.target)
    text = t(
        language,
        f"editor.editors.{result.outcome.value}",
        who=who,
        role=role_label(language, result.role),
    )
    added = result.outcome in (EditorChange.ADDED, EditorChange.ADDED_BY_NAME)
    if added and not role_given:
        handle = esc(f"@{result.target.username}") if result.target.username else who
        if result.target.user_id is not None:
            handle = str(result.target.user_id)
        text += "\n" + t(language, "editor.editors.default_role", who=handle)
    return Rendered(text)


def target_label(target: EditorTarget) -> str:
    if target.username and target.user_id is not None:
        return esc(f"@{target.username} ({target.user_id})")
    if target.username:
        return esc(f"@{target.username}")
    return str(target.user_id)


def editors_list(language: str, editors: Sequence[EditorInfo]) -> Rendered:
    lines = [t(language, "editor.editors.list")]
    for e in editors:
        parts = []
        if e.first_name:
            parts.append(esc(clip(e.first_name, 40)))
        if e.username:
            parts.append(esc(f"@{e.username}"))
        if e.user_id is not None:
            parts.append(f"<code>{e.user_id}</code>")
        parts.append(t(language, "editor.editors.role", role=role_label(language, e.role)))
        if e.from_settings:
            parts.append(t(language, "editor.editors.from_settings"))
        elif e.user_id is None:
            parts.append(t(language, "editor.editors.pending"))
        lines.append("• " + " ".join(parts))
    lines += ["", t(language, "editor.usage.editor")]
    return Rendered(join_within(lines))
