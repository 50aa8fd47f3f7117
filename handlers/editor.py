"""Editor commands: /post (and uploaded files), /drafts, /digest, /edit, /retract, /schedule,
/stats, /broadcast, /editor, /audit, and the buttons under previews.

Every handler here is registered through `editors_only(handler, requires=...)`, which looks up
the user's role and asks bot.editorial.permissions whether it may do what the update does
before the handler runs: anyone else is told "this command is for editors", an author is told
which role the action needs, and nothing is touched. `register` refuses a callback that is not
wrapped, so no handler can forget the check.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import BotCommand, BotCommandScopeChat, ForceReply, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

import handlers
from bot.delivery import notify_published
from bot.editorial import (
    audit_view,
    broadcast,
    digests,
    drafts,
    posting,
    preview,
    retract_request,
    scheduling,
    stats,
)
from bot.editorial.broadcast import BroadcastOutcome, BroadcastTooLong
from bot.editorial.editing import EditError, all_regions, edit, parse_field, toggle_region
from bot.editorial.permissions import (
    COMMANDS,
    DEFAULT_ROLE,
    NEEDS,
    Action,
    BadEditorName,
    EditorChange,
    Role,
    add_editor,
    commands_for,
    discard_action,
    edit_action,
    editor_roles,
    list_editors,
    may,
    parse_role,
    parse_target,
    remove_editor,
    role_of,
    status_of,
)
from bot.editorial.posting import DiscardOutcome, PostError, PostSource, PublishOutcome
from bot.editorial.refs import BadRef, ContentRef
from bot.editorial.retract_request import Answer
from bot.editorial.scheduling import editor_timezone, example_time, publish_due
from bot.editorial.when import BadTime, parse_when
from bot.i18n import t
from bot.ingest.fetch import fetcher_for
from bot.render import Rendered, esc, join_within, plain_text
from bot.render import editor as render
from bot.render import stats as render_stats
from bot.services import get_services
from handlers.scope import Scope

log = logging.getLogger(__name__)

EditorHandler = Callable[[Scope], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
# What an update does when that depends on its arguments or on the content it names.
Rule = Callable[[Scope, AsyncSession], Awaitable[Action]]

# Commands in the editors' own command menu, in this order (each role sees those it may use).
EDITOR_MENU = tuple(COMMANDS)
_MENU_SET_KEY = "editor.menu_chats"
_ONLY_MESSAGES = filters.UpdateType.MESSAGE
_POST_CAPTION = filters.CaptionRegex(r"^/post(@\w+)?(\s|$)")
_DIGEST_REF = re.compile(r"\s*d(\d{1,12})\s*\Z", re.IGNORECASE)
_REF_ONLY = re.compile(r"\s*[eird]\d{1,12}\s*\Z", re.IGNORECASE)
_BROADCAST_PREFIX = re.compile(r"^/broadcast(@\w+)?\s*", re.IGNORECASE)


# --- the permission check -----------------------------------------------------------------


def editors_only(handler: EditorHandler, requires: Action | Rule = Action.PREPARE) -> Callback:
    """Run `handler` for editors whose role may do `requires` (an action, or a rule giving the
    action of this update); refuse everyone else before anything is read or written."""

    @functools.wraps(handler)
    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        scope = Scope(update, context)
        async with scope.unit() as session:
            await scope.subscriber(session)  # the language they chose, if they subscribed
            role = await role_of(session, scope.services.settings, scope.user)
            action = requires
            if role is not None and not isinstance(requires, Action):
                action = await requires(scope, session)
        if role is None:
            await _refuse(scope, t(scope.language, "error.editors_only"))
            return
        assert isinstance(action, Action)
        if not may(role, action):
            await _refuse(scope, render.needs_role(scope.language, NEEDS[action], role))
            return
        await _ensure_menu(scope, role)
        await handler(scope)

    callback.editors_only = True  # type: ignore[attr-defined]
    return callback


async def _refuse(scope: Scope, text: str) -> None:
    if scope.query is not None:
        await scope.answer(text, alert=True)
    else:
        await scope.reply(Rendered(text))


async def _edit_rule(scope: Scope, session: AsyncSession) -> Action:
    """/edit <id> <field> <value>: a draft is the author's, anything else the publisher's."""
    parts = scope.args.split(maxsplit=2)
    ref = _ref_or_none(parts[0]) if len(parts) == 3 else None
    return edit_action(await status_of(session, ref)) if ref is not None else Action.PREPARE


async def _digest_rule(scope: Scope, session: AsyncSession) -> Action:
    """/digest <link> d<id> changes digest d<id>: an edit of it."""
    parts = scope.args.split(maxsplit=1)
    target = _DIGEST_REF.match(parts[1]) if len(parts) == 2 else None
    if target is None:
        return Action.PREPARE
    return edit_action(await status_of(session, ContentRef("d", int(target.group(1)))))


async def _commentators_rule(scope: Scope, session: AsyncSession) -> Action:
    message = scope.update.effective_message
    replied = message.reply_to_message if message else None
    ref = render.ref_in_prompt(replied.text if replied else None)
    return edit_action(await status_of(session, ref)) if ref is not None else Action.PREPARE


async def _editor_rule(scope: Scope, session: AsyncSession) -> Action:
    words = scope.args.split()
    if words and words[0].casefold() in ("add", "remove"):
        return Action.MANAGE_EDITORS
    return Action.REVIEW


async def _button_rule(scope: Scope, session: AsyncSession) -> Action:
    parsed = render.parse(scope.query.data if scope.query else None)
    if parsed is None:
        return Action.PREPARE  # the handler answers that the button expired
    action, ref, _ = parsed
    if ref is None:
        return _NUMBERED_BUTTONS[action]
    if action == "pub":
        return Action.PUBLISH
    if action == "dis":
        return discard_action(await status_of(session, ref))
    if action in ("rg", "rt", "cm"):
        return edit_action(await status_of(session, ref))
    return Action.PREPARE  # pv, op: looking at a preview


_NUMBERED_BUTTONS = {
    "au": Action.REVIEW,
    "bc": Action.BROADCAST,
    "bx": Action.BROADCAST,
    "rc": Action.RETRACT,
    "rx": Action.RETRACT,
}


def _checked(handler: BaseHandler[Any, Any, Any]) -> BaseHandler[Any, Any, Any]:
    if not getattr(handler.callback, "editors_only", False):
        raise TypeError(f"editor handler {handler.callback!r} is not wrapped in editors_only")
    return handler


# --- /post and uploads --------------------------------------------------------------------


async def post_command(scope: Scope) -> None:
    message = scope.update.effective_message
    assert message is not None
    replied = message.reply_to_message
    document = message.document or (replied.document if replied else None)
    if document is None and _REF_ONLY.match(scope.args):
        # "/post r1": reopen that draft's preview.
        ref = ContentRef.parse(scope.args)
        await _reply_preview(scope, ref)
        return
    try:
        if document is not None:
            posting.check_upload(document.file_name, document.file_size)
            source = PostSource(
                data=await _download(scope, document.file_id), filename=document.file_name
            )
        elif scope.args:
            source = PostSource(text=scope.args)
        elif replied is not None and (replied.text or replied.caption):
            source = PostSource(text=replied.text or replied.caption)
        else:
            await scope.reply(Rendered(t(scope.language, "editor.usage.post")))
            return
        posted = await posting.post(
            scope.services.session_factory,
            source,
            actor_id=_actor(scope),
            now=scope.services.clock(),
            fetcher=fetcher_for(scope.services.settings),
        )
    except PostError as exc:
        await scope.reply(render.post_error(scope.language, exc.reason, exc.values))
        return
    except _DownloadFailed:
        await scope.reply(Rendered(t(scope.language, "editor.post.download_failed")))
        return
    async with scope.unit() as session:
        built = await preview.build(session, posted.ref, cut_off=posted.cut_off)
        zone = await _zone(scope, session)
        assert built is not None
        notice = (
            render.posted_before(scope.language, posted.ref, built.status)
            if posted.duplicate
            else None
        )
        rendered = render.preview(
            scope.language,
            built,
            timezone=zone,
            skipped=posted.skipped if built.is_list else (),
            notice=notice,
        )
    await scope.reply(rendered)


class _DownloadFailed(Exception):
    pass


async def _download(scope: Scope, file_id: str) -> bytes:
    try:
        file = await scope.context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("could not download an editor's file: %s", exc)
        raise _DownloadFailed from exc


# --- /digest ------------------------------------------------------------------------------


async def digest_command(scope: Scope) -> None:
    parts = scope.args.split(maxsplit=1)
    if not parts:
        await scope.reply(Rendered(t(scope.language, "editor.usage.digest")))
        return
    link, rest = parts[0], (parts[1] if len(parts) > 1 else None)
    target = _DIGEST_REF.match(rest or "")
    title = None if target else rest
    try:
        async with scope.unit() as session:
            zone = await _zone(scope, session)
            result = await digests.register(
                session,
                link,
                title,
                actor_id=_actor(scope),
                now=scope.services.clock(),
                timezone=zone,
                digest_id=int(target.group(1)) if target else None,
            )
            ref = ContentRef("d", result.digest.id)
            built = await preview.build(session, ref)
            assert built is not None
            notice = None
            if not result.created and not target:
                notice = t(
                    scope.language,
                    "editor.digest.known",
                    ref=esc(ref),
                    status=render.status_label(scope.language, built.status),
                )
            rendered = render.preview(scope.language, built, timezone=zone, notice=notice)
    except digests.BadLink:
        await scope.reply(render.plain(scope.language, "editor.digest.bad_link", text=link))
        return
    except digests.UnknownDigest:
        await scope.reply(render.plain(scope.language, "editor.not_found", ref=rest))
        return
    await scope.reply(rendered)


# --- /edit --------------------------------------------------------------------------------


async def edit_command(scope: Scope) -> None:
    parts = scope.args.split(maxsplit=2)
    if not parts:
        await scope.reply(Rendered(t(scope.language, "editor.usage.edit")))
        return
    ref = await _ref_or_reply(scope, parts[0])
    if ref is None:
        return
    if len(parts) == 1:
        # Just the id: its preview, whose buttons edit regions and commentators.
        await _reply_preview(scope, ref, notice=t(scope.language, "editor.usage.edit"))
        return
    if len(parts) < 3:
        await scope.reply(Rendered(t(scope.language, "editor.usage.edit")))
        return
    await _apply_edit(scope, ref, parts[1], parts[2])


async def _apply_edit(scope: Scope, ref: ContentRef, field_word: str, value: str) -> None:
    try:
        async with scope.unit() as session:
            field = parse_field(field_word)
            result = await edit(
                session,
                ref,
                field,
                value,
                actor_id=_actor(scope),
                editor_chat_id=scope.chat.id,
                language=scope.language,
            )
    except EditError as exc:
        async with scope.unit() as session:
            regions = await all_regions(session) if exc.reason == "unknown_region" else []
        await scope.reply(render.edit_error(scope.language, exc.reason, exc.detail, regions))
        return
    if result.corrected:
        notify_published(scope.services)  # the corrections go out now, not at the next poll
    await _reply_preview(scope, ref, notice=render.edit_done(scope.language, result))


# Replies to the "who are the commentators of e12?" prompt.
class _CommentatorsReply(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(
            replied is not None
            and replied.from_user is not None
            and replied.from_user.is_bot
            and render.ref_in_prompt(replied.text) is not None
        )


async def commentators_reply(scope: Scope) -> None:
    message = scope.update.effective_message
    assert message is not None and message.reply_to_message is not None
    ref = render.ref_in_prompt(message.reply_to_message.text)
    assert ref is not None
    await _apply_edit(scope, ref, "commentators", message.text or "")


# --- /retract, /schedule ------------------------------------------------------------------


async def retract_command(scope: Scope) -> None:
    parts = scope.args.split()
    if len(parts) != 1:
        await scope.reply(Rendered(t(scope.language, "editor.usage.retract")))
        return
    ref = await _ref_or_reply(scope, parts[0])
    if ref is None:
        return
    async with scope.unit() as session:
        request = await retract_request.ask(
            session, ref, owner_id=_actor(scope), chat_id=scope.chat.id, now=scope.services.clock()
        )
    await scope.reply(render.retract_confirm(scope.language, request))


async def _retract_button(scope: Scope, action: str, action_id: int) -> None:
    async with scope.unit() as session:
        answered = await retract_request.answer(
            session,
            action_id,
            confirm=action == "rc",
            actor_id=_actor(scope),
            now=scope.services.clock(),
            editor_chat_id=scope.chat.id,
            language=scope.language,
        )
    if answered.answer is Answer.RETRACTED and answered.result is not None:
        if answered.result.corrected:
            notify_published(scope.services)
        await scope.edit(render.retracted(scope.language, answered.result))
        await scope.answer()
    elif answered.answer is Answer.KEPT:
        await scope.edit(render.plain(scope.language, "editor.retract.kept", ref=answered.ref))
        await scope.answer()
    else:
        await scope.answer(t(scope.language, f"editor.retract.{answered.answer.value}"), alert=True)


async def schedule_command(scope: Scope) -> None:
    parts = scope.args.split(maxsplit=1)
    async with scope.unit() as session:
        zone = await _zone(scope, session)
    example = example_time(scope.services.clock(), zone)
    if len(parts) != 2:
        await scope.reply(render.schedule_usage(scope.language, zone, example))
        return
    ref = await _ref_or_reply(scope, parts[0])
    if ref is None:
        return
    when = None
    if parts[1].strip().casefold() not in ("cancel", "off", "取消"):
        try:
            when = parse_when(parts[1], scope.services.clock(), zone)
        except BadTime as exc:
            await scope.reply(render.bad_time(scope.language, exc.reason, parts[1], example))
            return
    async with scope.unit() as session:
        result = await scheduling.schedule(session, ref, when, actor_id=_actor(scope))
    await scope.reply(render.scheduled(scope.language, result, zone))


# --- /drafts -------------------------------------------------------------------------------


async def drafts_command(scope: Scope) -> None:
    async with scope.unit() as session:
        zone = await _zone(scope, session)
        found = await drafts.unsent(session)
    await scope.reply(render.drafts(scope.language, found, zone))


async def _open_button(scope: Scope, ref: ContentRef) -> None:
    """A /drafts button: the preview as a new message, the list stays for the next one."""
    await scope.answer()
    await _reply_preview(scope, ref)


# --- /stats, /audit -----------------------------------------------------------------------


async def stats_command(scope: Scope) -> None:
    """/stats: the overview and the last publications; /stats r7: one publication."""
    if scope.args.strip():
        await _publication_stats(scope, scope.args.strip().split()[0])
        return
    async with scope.unit() as session:
        zone = await _zone(scope, session)
        numbers = await stats.collect(session, scope.services.clock(), zone)
        recent = await stats.recent_publications(session)
    overview = render.stats(scope.language, numbers)
    text = join_within([overview.text, "", render_stats.recent(scope.language, recent)])
    await scope.reply(Rendered(text))


async def _publication_stats(scope: Scope, text: str) -> None:
    try:
        ref = ContentRef.parse(text)
    except BadRef:
        await scope.reply(Rendered(t(scope.language, "stats.pub.bad_ref")))
        return
    async with scope.unit() as session:
        zone = await _zone(scope, session)
        numbers = await stats.publication(session, ref)
    if numbers is None:
        await scope.reply(Rendered(t(scope.language, "stats.pub.not_found", ref=esc(ref))))
        return
    tracking = scope.services.settings.tracks_clicks
    await scope.reply(
        render_stats.publication(scope.language, numbers, timezone=zone, tracking=tracking)
    )


async def audit_command(scope: Scope) -> None:
    arg = scope.args.strip()
    number = int(arg) - 1 if arg.isdigit() and len(arg) < 7 else 0
    await scope.reply(await _audit(scope, number))


async def _audit(scope: Scope, number: int) -> Rendered:
    await scope.services.known_users.flush()  # names of users who just wrote
    async with scope.unit() as session:
        zone = await _zone(scope, session)
        page = await audit_view.page(session, number)
    return render.audit_page(scope.language, page, zone)


# --- /broadcast ---------------------------------------------------------------------------


async def broadcast_command(scope: Scope) -> None:
    message = scope.update.effective_message
    assert message is not None
    html_text = _BROADCAST_PREFIX.sub("", message.text_html or "", count=1).strip()
    if not html_text:
        await scope.reply(Rendered(t(scope.language, "editor.usage.broadcast")))
        return
    try:
        async with scope.unit() as session:
            draft = await broadcast.prepare(
                session,
                html_text,
                owner_id=_actor(scope),
                chat_id=scope.chat.id,
                now=scope.services.clock(),
            )
    except BroadcastTooLong:
        await scope.reply(
            render.plain(scope.language, "editor.broadcast.too_long", limit=broadcast.MAX_LENGTH)
        )
        return
    await scope.reply(render.broadcast_confirm(scope.language, draft, html_text))


# --- /editor ------------------------------------------------------------------------------


async def editor_command(scope: Scope) -> None:
    parts = scope.args.split()
    action = parts[0].casefold() if parts else "list"
    settings = scope.services.settings
    # Editors are listed, and added by @name, as users last seen: that includes the last second.
    await scope.services.known_users.flush()
    if action == "help":
        async with scope.unit() as session:
            role = await role_of(session, settings, scope.user)
        assert role is not None  # editors_only let an editor through
        await scope.reply(Rendered(render.help_section(scope.language, role)))
        return
    if action == "list" and len(parts) <= 1:
        async with scope.unit() as session:
            editors = await list_editors(session, settings)
        await scope.reply(render.editors_list(scope.language, editors))
        return
    if (action, len(parts)) not in (("add", 2), ("add", 3), ("remove", 2)):
        await scope.reply(Rendered(t(scope.language, "editor.usage.editor")))
        return
    role = parse_role(parts[2]) if len(parts) == 3 else DEFAULT_ROLE
    if role is None:
        await scope.reply(render.plain(scope.language, "editor.editors.bad_role", text=parts[2]))
        return
    try:
        target = parse_target(parts[1])
    except BadEditorName:
        await scope.reply(render.plain(scope.language, "editor.editors.bad_name", text=parts[1]))
        return
    async with scope.unit() as session:
        if action == "add":
            result = await add_editor(session, settings, target, actor_id=_actor(scope), role=role)
        else:
            result = await remove_editor(session, settings, target, actor_id=_actor(scope))
    await scope.reply(render.editor_changed(scope.language, result, role_given=len(parts) == 3))
    user_id = result.target.user_id
    if user_id is not None and result.outcome in (EditorChange.ADDED, EditorChange.ROLE_CHANGED):
        await _set_menu(scope.context.application, user_id, "en", result.role)
    elif user_id is not None and result.outcome is EditorChange.REMOVED:
        try:
            await scope.context.bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError:
            log.info("could not reset the command menu of %s", user_id)


# --- buttons ------------------------------------------------------------------------------


async def on_button(scope: Scope) -> None:
    parsed = render.parse(scope.query.data if scope.query else None)
    if parsed is None:
        await scope.answer(t(scope.language, "error.stale_button"), alert=True)
        return
    action, ref, args = parsed
    if ref is None and action in ("rc", "rx"):
        await _retract_button(scope, action, int(args[0]))
        return
    if ref is None:
        await _broadcast_or_audit_button(scope, action, int(args[0]))
        return
    if action == "op":
        await _open_button(scope, ref)
    elif action == "pub":
        await _publish_button(scope, ref)
    elif action == "dis":
        await _discard_button(scope, ref)
    elif action == "pv":
        await _show_preview(scope, ref, int(args[0]))
    elif action in ("rg", "rt", "cm") and ref.kind not in ("e", "i"):
        await scope.answer(t(scope.language, "editor.edit.regions_for_list"), alert=True)
    elif action == "rg":
        await _region_picker(scope, ref)
    elif action == "rt":
        await _toggle_region(scope, ref, int(args[0]))
    elif action == "cm":
        await _ask_commentators(scope, ref)


async def _publish_button(scope: Scope, ref: ContentRef) -> None:
    async with scope.unit() as session:
        outcome = await posting.publish_ref(
            session, ref, actor_id=_actor(scope), now=scope.services.clock()
        )
    if outcome is PublishOutcome.PUBLISHED:
        notify_published(scope.services)  # fan out now rather than at the next poll
        notice = render.published_notice(scope.language, ref)
        await _show_preview(scope, ref, 0, notice=notice, toast=_toast(notice))
        return
    await scope.answer(_outcome_text(scope.language, outcome, ref), alert=True)


def _outcome_text(language: str, outcome: PublishOutcome, ref: ContentRef) -> str:
    key = {
        PublishOutcome.ALREADY_PUBLISHED: "editor.already_published",
        PublishOutcome.RETRACTED: "editor.is_retracted",
        PublishOutcome.NOT_FOUND: "editor.not_found",
        PublishOutcome.NOT_PUBLISHABLE: "error.stale_button",  # items never get this button
    }[outcome]
    return t(language, key, ref=esc(ref))


async def _discard_button(scope: Scope, ref: ContentRef) -> None:
    async with scope.unit() as session:
        outcome = await posting.discard(session, ref, actor_id=_actor(scope))
    if outcome is DiscardOutcome.DISCARDED:
        await scope.edit(render.plain(scope.language, "editor.discarded", ref=ref))
        await scope.answer()
        return
    key = {
        DiscardOutcome.NOT_FOUND: "editor.not_found",
        DiscardOutcome.PUBLISHED: "editor.discard_published",
        DiscardOutcome.NOT_DISCARDABLE: "error.stale_button",
    }[outcome]
    await scope.answer(t(scope.language, key, ref=esc(ref)), alert=True)


async def _show_preview(
    scope: Scope, ref: ContentRef, page: int, *, notice: str | None = None, toast: str | None = None
) -> None:
    """Turn the pressed message into the preview of `ref` (then answer the press)."""
    async with scope.unit() as session:
        built = await preview.build(session, ref)
        zone = await _zone(scope, session)
        rendered = (
            render.preview(scope.language, built, page=page, timezone=zone, notice=notice)
            if built is not None
            else None
        )
    if rendered is None:
        await scope.answer(t(scope.language, "editor.not_found", ref=esc(ref)), alert=True)
        return
    await scope.edit(rendered)
    await scope.answer(toast)


async def _region_picker(scope: Scope, ref: ContentRef, toast: str | None = None) -> None:
    async with scope.unit() as session:
        built = await preview.build(session, ref)
        regions = await all_regions(session)
    if built is None:
        await scope.answer(t(scope.language, "editor.not_found", ref=esc(ref)), alert=True)
        return
    chosen = {r.id for r in built.pieces[0].regions}
    await scope.edit(render.region_picker(scope.language, ref, regions, chosen))
    await scope.answer(toast)


async def _toggle_region(scope: Scope, ref: ContentRef, region_id: int) -> None:
    try:
        async with scope.unit() as session:
            result = await toggle_region(
                session,
                ref,
                region_id,
                actor_id=_actor(scope),
                editor_chat_id=scope.chat.id,
                language=scope.language,
            )
        if result.corrected:
            notify_published(scope.services)
    except EditError as exc:
        await scope.answer(
            t(scope.language, f"editor.edit.{exc.reason}", detail=esc(exc.detail), regions=""),
            alert=True,
        )
        return
    toast = render.edit_done(scope.language, result)
    await _region_picker(scope, ref, toast=_toast(toast))


def _toast(html_text: str) -> str:
    """Within Telegram's 200 characters of what a toast shows (answers are plain text)."""
    return esc(plain_text(html_text)[:190])


async def _ask_commentators(scope: Scope, ref: ContentRef) -> None:
    async with scope.unit() as session:
        built = await preview.build(session, ref)
    if built is None:
        await scope.answer(t(scope.language, "editor.not_found", ref=esc(ref)), alert=True)
        return
    current = built.pieces[0].commentators
    await scope.answer()
    await scope.context.bot.send_message(
        scope.chat.id,
        render.commentators_prompt(scope.language, ref, current),
        parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(selective=True),
        message_thread_id=scope.thread_id or None,
    )


async def _broadcast_or_audit_button(scope: Scope, action: str, number: int) -> None:
    if action == "au":
        await scope.edit(await _audit(scope, number))
        await scope.answer()
        return
    async with scope.unit() as session:
        if action == "bc":
            result = await broadcast.confirm(
                session, number, actor_id=_actor(scope), now=scope.services.clock()
            )
        else:
            result = await broadcast.cancel(session, number, actor_id=_actor(scope))
    key = {
        BroadcastOutcome.QUEUED: "editor.broadcast.queued",
        BroadcastOutcome.CANCELLED: "editor.broadcast.cancelled",
        BroadcastOutcome.EXPIRED: "editor.broadcast.expired",
        BroadcastOutcome.NOT_OWNER: "editor.broadcast.not_owner",
    }[result.outcome]
    text = t(scope.language, key, count=result.queued)
    if result.outcome in (BroadcastOutcome.NOT_OWNER, BroadcastOutcome.EXPIRED):
        await scope.answer(text, alert=True)
        return
    await scope.edit(Rendered(text))
    await scope.answer()


# --- shared bits --------------------------------------------------------------------------


def _actor(scope: Scope) -> int:
    assert scope.user is not None  # editors_only let a known user through
    return scope.user.id


async def _zone(scope: Scope, session: Any) -> str:
    return await editor_timezone(session, _actor(scope), scope.services.settings.default_timezone)


def _ref_or_none(text: str) -> ContentRef | None:
    try:
        return ContentRef.parse(text)
    except BadRef:
        return None


async def _ref_or_reply(scope: Scope, text: str) -> ContentRef | None:
    try:
        return ContentRef.parse(text)
    except BadRef:
        await scope.reply(render.plain(scope.language, "editor.bad_ref", text=text[:40]))
        return None


async def _reply_preview(scope: Scope, ref: ContentRef, *, notice: str | None = None) -> None:
    async with scope.unit() as session:
        built = await preview.build(session, ref)
        zone = await _zone(scope, session)
        rendered = (
            render.preview(scope.language, built, timezone=zone, notice=notice)
            if built is not None
            else None
        )
    if rendered is None:
        await scope.reply(render.plain(scope.language, "editor.not_found", ref=ref))
        return
    await scope.reply(rendered)


# --- command menus and the due-publication job ----------------------------------------------


def editor_menu(language: str, role: Role = Role.PUBLISHER) -> list[BotCommand]:
    """The subscriber commands, then the editor commands `role` may use."""
    return [
        *handlers.command_menu(language),
        *(BotCommand(name, t(language, f"editor.menu.{name}")) for name in commands_for(role)),
    ]


async def _set_menu(
    application: Application[Any, Any, Any, Any, Any, Any],
    chat_id: int,
    language: str,
    role: Role,
) -> None:
    try:
        await application.bot.set_my_commands(
            editor_menu(language, role), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError:
        # Editors who never opened a chat with the bot have no chat to put a menu in yet.
        log.info("no command menu for editor %s yet", chat_id)
        return
    application.bot_data.setdefault(_MENU_SET_KEY, {})[chat_id] = role


async def _ensure_menu(scope: Scope, role: Role) -> None:
    done: dict[int, Role] = scope.context.application.bot_data.setdefault(_MENU_SET_KEY, {})
    if scope.chat.type == "private" and done.get(scope.chat.id) is not role:
        await _set_menu(scope.context.application, scope.chat.id, scope.language, role)


async def _menus_at_start(context: CallbackContext[Any, Any, Any, Any]) -> None:
    services = get_services(context.application)
    async with services.session_factory() as session:
        roles = await editor_roles(session, services.settings)
    for user_id, role in roles.items():
        await _set_menu(context.application, user_id, "en", role)


async def _publish_due_job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    services = get_services(context.application)
    async with services.session_factory() as session, session.begin():
        due = await publish_due(session, services.clock())
    if due.published:
        notify_published(services)
        log.info("published on schedule: %s", ", ".join(map(str, due.published)))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    commands: dict[str, tuple[EditorHandler, Action | Rule]] = {
        "post": (post_command, COMMANDS["post"]),
        "drafts": (drafts_command, COMMANDS["drafts"]),
        "digest": (digest_command, _digest_rule),
        "edit": (edit_command, _edit_rule),
        "retract": (retract_command, COMMANDS["retract"]),
        "schedule": (schedule_command, COMMANDS["schedule"]),
        "stats": (stats_command, COMMANDS["stats"]),
        "broadcast": (broadcast_command, COMMANDS["broadcast"]),
        "editor": (editor_command, _editor_rule),
        "audit": (audit_command, COMMANDS["audit"]),
    }
    for name, (handler, requires) in commands.items():
        application.add_handler(
            _checked(CommandHandler(name, editors_only(handler, requires), filters=_ONLY_MESSAGES))
        )
    # A file with /post as its caption anywhere, or any file sent to the bot in private.
    upload = filters.Document.ALL & _ONLY_MESSAGES & (_POST_CAPTION | filters.ChatType.PRIVATE)
    application.add_handler(_checked(MessageHandler(upload, editors_only(post_command))))
    reply = filters.TEXT & ~filters.COMMAND & _ONLY_MESSAGES & _CommentatorsReply()
    application.add_handler(
        _checked(MessageHandler(reply, editors_only(commentators_reply, _commentators_rule)))
    )
    application.add_handler(
        _checked(
            CallbackQueryHandler(editors_only(on_button, _button_rule), pattern=rf"^{render.AREA}:")
        )
    )
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _publish_due_job,
            interval=scheduling.DUE_CHECK_SECONDS,
            first=scheduling.DUE_CHECK_SECONDS,
            name="editor.publish_due",
        )
        # Start-up (migrations, loading the lexicon) can take longer than APScheduler's
        # default one-second grace, after which a due job is skipped, not run late.
        application.job_queue.run_once(
            _menus_at_start, 0, name="editor.menus", job_kwargs={"misfire_grace_time": None}
        )
