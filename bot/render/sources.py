"""Every message about followed sources: /source replies, the Import offer, and what the polls
tell editors. Callback data of this area starts with "src:"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.editorial.posting import PostError
from bot.editorial.preview import Preview
from bot.i18n import t
from bot.ingest.model import ParsedDocument
from bot.render import (
    Button,
    Keyboard,
    Rendered,
    callback,
    clip,
    esc,
    join_within,
    keyboard,
    parse_callback,
)
from bot.render import editor as editor_render
from bot.sources.errors import SourceError
from bot.sources.poller import Event
from bot.sources.service import Added
from storage.models import Source, SourceStatus

AREA = "src"
CALLBACKS: dict[str, tuple[type, ...]] = {"imp": (int,)}  # import the pending entry id
_TIME_FORMAT = "%Y-%m-%d %H:%M"


def parse(data: str | None) -> int | None:
    """The pending import id of an Import button, else None."""
    parsed = parse_callback(data, AREA, CALLBACKS)
    return int(parsed[1][0]) if parsed else None


def usage(language: str) -> Rendered:
    return Rendered(t(language, "sources.usage"))


def plain(language: str, key: str, **values: object) -> Rendered:
    return editor_render.plain(language, key, **values)


def error_text(language: str, error: SourceError) -> str:
    return t(language, f"sources.error.{error.code}", detail=esc(clip(error.detail, 300)))


def problem_text(language: str, problem: PostError) -> str:
    return editor_render.post_error(language, problem.reason, problem.values).text


def add_failed(language: str, error: SourceError) -> Rendered:
    return Rendered(t(language, "sources.add_failed", error=error_text(language, error)))


def _title(source: Source) -> str:
    return esc(clip(source.title or source.url, 120))


def _when(when: dt.datetime | None, zone: str, language: str) -> str:
    if when is None:
        return t(language, "sources.never")
    return editor_render.local_time(when, zone)


def added(language: str, result: Added, zone: str) -> Rendered:
    source = result.source
    lines = [
        t(
            language,
            "sources.added",
            id=source.id,
            title=_title(source),
            url=esc(clip(source.url, 300)),
            seen=result.seen,
        ),
        t(language, "sources.mode.auto" if source.auto_publish else "sources.mode.review"),
    ]
    newest = result.newest
    if newest is None:
        return Rendered("\n".join(lines))
    when = (
        editor_render.local_time(newest.published, zone)
        if newest.published
        else t(language, "sources.undated")
    )
    values = {
        "title": esc(clip(newest.title or newest.link or "", 200)),
        "when": esc(when),
        "link": esc(clip(newest.link or "", 300)),
    }
    lines.append("")
    if result.newest_parsed is not None:
        lines.append(
            t(language, "sources.newest", kind=kind_text(language, result.newest_parsed), **values)
        )
    else:
        assert result.problem is not None
        problem = problem_text(language, result.problem)
        lines.append(t(language, "sources.newest_unreadable", problem=problem, **values))
    buttons: Keyboard = ()
    if result.import_id is not None and result.newest_parsed is not None:
        lines.append(t(language, "sources.newest_import"))
        buttons = keyboard(
            [Button(t(language, "sources.btn.import"), callback(AREA, "imp", result.import_id))]
        )
    return Rendered("\n".join(lines), buttons)


def kind_text(language: str, parsed: ParsedDocument) -> str:
    return t(language, f"sources.kind.{parsed.kind}", count=len(parsed.entries))


def source_list(language: str, sources: Sequence[Source], zone: str) -> Rendered:
    if not sources:
        return Rendered(t(language, "sources.list.empty"))
    blocks = [t(language, "sources.list.title", count=len(sources))]
    for source in sources:
        blocks.append(source_line(language, source, zone))
    return Rendered(join_within(blocks, sep="\n\n"))


def source_line(language: str, source: Source, zone: str) -> str:
    states = [t(language, f"sources.state.{source.status}")]
    if source.status == SourceStatus.ACTIVE and source.failure_reported:
        states = [t(language, "sources.state.failing")]
    if source.auto_publish:
        states.append(t(language, "sources.state.auto"))
    if source.poll_seconds:
        states.append(t(language, "sources.state.every", every=every_text(source.poll_seconds)))
    new = _when(source.last_new_post_at, zone, language)
    if source.last_new_post_at and source.last_post_title:
        new += f" ({esc(clip(source.last_post_title, 80))})"
    error = t(language, "sources.none")
    if source.last_error_code:
        detail = error_text(language, SourceError(source.last_error_code, source.last_error or ""))
        error = f"{_when(source.last_error_at, zone, language)} — {detail}"
    return t(
        language,
        "sources.list.item",
        id=source.id,
        title=_title(source),
        state=", ".join(states),
        url=esc(clip(source.url, 300)),
        poll=_when(source.last_poll_at, zone, language),
        new=new,
        error=error,
    )


def every_text(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def changed(language: str, key: str, source: Source) -> Rendered:
    return Rendered(t(language, key, id=source.id, title=_title(source)))


# --- what polls tell editors ----------------------------------------------------------------


def event_notice(language: str, event: Event) -> str:
    """The line above a new post's preview, or the whole notice for the other events."""
    title = esc(clip(event.source_title, 120))
    if event.kind == "new":
        key = "sources.auto_published" if event.published else "sources.new_post"
        return t(language, key, id=event.source_id, title=title)
    if event.kind == "failing":
        assert event.error is not None
        return t(
            language,
            "sources.failing",
            id=event.source_id,
            title=title,
            error=error_text(language, event.error),
        )
    if event.kind == "recovered":
        return t(language, "sources.recovered", id=event.source_id, title=title)
    assert event.problem is not None
    return t(
        language,
        "sources.post_error",
        id=event.source_id,
        title=title,
        post=esc(clip(event.title, 200)),
        link=esc(clip(event.link or "", 300)),
        problem=problem_text(language, event.problem),
    )


def new_post(language: str, event: Event, built: Preview, zone: str) -> Rendered:
    """The /post preview of what came in, with the source named on top."""
    return editor_render.preview(
        language, built, timezone=zone, notice=event_notice(language, event)
    )


def imported(language: str, source_id: int, built: Preview, zone: str, duplicate: bool) -> Rendered:
    notice = t(language, "sources.imported", id=source_id)
    if duplicate:
        notice += "\n" + editor_render.posted_before(language, built.ref, built.status)
    return editor_render.preview(language, built, timezone=zone, notice=notice)
