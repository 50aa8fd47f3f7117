"""Following things: /subscribe, /unsubscribe, /alert, /unalert, /mute, /unmute, /list, and
the buttons under their messages (region and commentator pickers, choices, ✖, catch-up)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import catchup, lookup, subscriptions
from bot.i18n import t
from bot.render import Rendered, esc, parse_callback
from bot.render import subscriber as render
from bot.subscriptions import SubscriptionError
from handlers.scope import Scope
from storage.models import Subscriber, Subscription, SubscriptionKind

# Longer than any name or phrase we store; refuse before doing any work.
MAX_ARGUMENT_CHARS = 200
BUTTON_ACTIONS = ("rg", "rt", "cl", "ct", "fr", "fc", "ur", "uc", "cu", "lp", "ld")
_SPEC = {a: render.CALLBACKS[a] for a in BUTTON_ACTIONS}


# --- commands ---------------------------------------------------------------------------


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    query = scope.args
    if not query:
        await scope.reply(await _region_picker(scope))
        return
    if len(query) > MAX_ARGUMENT_CHARS:
        await _too_long(scope)
        return
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session, create=True)
        assert subscriber is not None
        try:
            outcome = await subscriptions.follow_by_name(
                session, subscriber, query, cache=_lookup_cache(scope)
            )
            message = render.named_outcome(scope.language, outcome, "f")
        except SubscriptionError as exc:
            message = render.plain(scope.language, exc.reason, **exc.values)
    await scope.reply(message)


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    query = scope.args
    if not query:
        async with scope.unit() as session:
            message = await _list_view(scope, session, 0)
        note = t(scope.language, "sub.unsubscribe.usage")
        await scope.reply(Rendered(f"{note}\n\n{message.text}", message.keyboard))
        return
    if len(query) > MAX_ARGUMENT_CHARS:
        await _too_long(scope)
        return
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session)
        if subscriber is None:
            message = render.plain(scope.language, "sub.list.empty")
        else:
            outcome = await subscriptions.unfollow_by_name(
                session, subscriber, query, cache=_lookup_cache(scope)
            )
            message = render.named_outcome(scope.language, outcome, "u")
    await scope.reply(message)


def _keyword_command(
    *, mute: bool, add: bool
) -> Callable[[Update, Any], Coroutine[Any, Any, None]]:
    """/alert, /unalert, /mute and /unmute: the same flow on two kinds of subscription."""
    kind = SubscriptionKind.MUTE if mute else SubscriptionKind.KEYWORD
    usage = {
        (False, True): "sub.alert.usage",
        (False, False): "sub.unalert.usage",
        (True, True): "sub.mute.usage",
        (True, False): "sub.unmute.usage",
    }[(mute, add)]

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        scope = Scope(update, context)
        phrase = scope.args
        if not phrase:
            async with scope.unit() as session:
                subscriber = await scope.subscriber(session)
                keywords = await _keywords(session, subscriber, kind)
            await scope.reply(render.keyword_usage(scope.language, usage, keywords))
            return
        if len(phrase) > MAX_ARGUMENT_CHARS:
            await _too_long(scope)
            return
        if not await scope.can_change():
            return
        async with scope.unit() as session:
            subscriber = await scope.subscriber(session, create=add)
            try:
                message = await _change_keyword(scope, session, subscriber, phrase, mute, add)
            except SubscriptionError as exc:
                message = render.plain(scope.language, exc.reason, **exc.values)
        await scope.reply(message)

    return handle


async def _change_keyword(
    scope: Scope,
    session: AsyncSession,
    subscriber: Subscriber | None,
    phrase: str,
    mute: bool,
    add: bool,
) -> Rendered:
    if add:
        assert subscriber is not None
        follow = subscriptions.mute_keyword if mute else subscriptions.follow_keyword
        result = await follow(session, subscriber, phrase)
        return render.keyword_added(scope.language, result.subscription, result.created, mute)
    keyword = subscriptions.normalize_keyword(phrase)
    kind = SubscriptionKind.MUTE if mute else SubscriptionKind.KEYWORD
    removed = subscriber is not None and await subscriptions.unfollow(
        session, subscriber, kind, keyword
    )
    return render.keyword_removed(scope.language, keyword, removed, mute)


async def list_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    async with scope.unit() as session:
        message = await _list_view(scope, session, 0)
    await scope.reply(message)


# --- buttons ----------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    assert scope.query is not None
    parsed = parse_callback(scope.query.data, render.AREA, _SPEC)
    if parsed is None or scope.button_message is None:
        await scope.stale()
        return
    action, args = parsed
    await _BUTTONS[action](scope, *args)


async def _show_regions(scope: Scope) -> None:
    await scope.edit(await _region_picker(scope))
    await scope.answer()


async def _toggle_region(scope: Scope, region_id: int) -> None:
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        region = await lookup.get_region(session, region_id)
        if region is None:
            message = None
        else:
            subscriber = await scope.subscriber(session, create=True)
            assert subscriber is not None
            now_followed = await subscriptions.toggle_region(session, subscriber, region)
            toast = _toast(scope.language, region, now_followed)
            catch_up = (
                await subscriptions.get_subscription_for(session, subscriber, "region", region.slug)
                if now_followed
                else None
            )
            regions = await lookup.list_regions(session)
            followed = await subscriptions.followed_region_ids(session, subscriber)
            message = render.region_picker(scope.language, regions, followed, catch_up)
    if message is None:
        await scope.stale()
        return
    await scope.edit(message)
    await scope.answer(toast)


async def _show_commentators(scope: Scope, page: int) -> None:
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session)
        message = await _commentator_picker(scope, session, subscriber, page, None)
    await scope.edit(message)
    await scope.answer()


async def _toggle_commentator(scope: Scope, commentator_id: int, page: int) -> None:
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        commentator = await lookup.get_commentator(session, commentator_id)
        if commentator is None:
            message = None
        else:
            subscriber = await scope.subscriber(session, create=True)
            assert subscriber is not None
            now_followed = await subscriptions.toggle_commentator(session, subscriber, commentator)
            toast = _toast(scope.language, commentator, now_followed)
            catch_up = (
                await subscriptions.get_subscription_for(
                    session, subscriber, "commentator", str(commentator.id)
                )
                if now_followed
                else None
            )
            message = await _commentator_picker(scope, session, subscriber, page, catch_up)
    if message is None:
        await scope.stale()
        return
    await scope.edit(message)
    await scope.answer(toast)


def _follow_choice(kind: str) -> Callable[[Scope, int], Awaitable[None]]:
    async def handle(scope: Scope, thing_id: int) -> None:
        if not await scope.can_change():
            return
        async with scope.unit() as session:
            get = lookup.get_region if kind == "region" else lookup.get_commentator
            thing = await get(session, thing_id)
            message = None
            if thing is not None:
                subscriber = await scope.subscriber(session, create=True)
                assert subscriber is not None
                try:
                    result = await subscriptions.follow_thing(session, subscriber, thing)
                    message = render.followed(
                        scope.language, thing, result.subscription, result.created
                    )
                except SubscriptionError as exc:
                    message = render.plain(scope.language, exc.reason, **exc.values)
        if message is None:
            await scope.stale()
            return
        await scope.edit(message)
        await scope.answer()

    return handle


def _unfollow_choice(kind: str) -> Callable[[Scope, int], Awaitable[None]]:
    async def handle(scope: Scope, thing_id: int) -> None:
        if not await scope.can_change():
            return
        async with scope.unit() as session:
            get = lookup.get_region if kind == "region" else lookup.get_commentator
            thing = await get(session, thing_id)
            subscriber = await scope.subscriber(session)
            message = None
            if thing is not None:
                removed = subscriber is not None and await subscriptions.unfollow_thing(
                    session, subscriber, thing
                )
                name = f"<b>{esc(render.thing_label(scope.language, thing))}</b>"
                key = "sub.unfollowed" if removed else "sub.not_followed"
                message = Rendered(t(scope.language, key, name=name))
        if message is None:
            await scope.stale()
            return
        await scope.edit(message)
        await scope.answer()

    return handle


async def _catch_up(scope: Scope, subscription_id: int) -> None:
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session)
        subscription = (
            await subscriptions.get_subscription(session, subscriber, subscription_id)
            if subscriber is not None
            else None
        )
        if subscriber is None or subscription is None:
            messages = None
        else:
            items = await catchup.latest_for(session, subscriber, subscription)
            name = render.subscription_label(scope.language, subscription)
            messages = render.catch_up(scope.language, name, items, subscriber.content_language)
    if messages is None:
        await scope.stale()
        return
    await scope.answer()
    # The button has done its job; taking it away prevents a second, identical batch.
    await scope.drop_keyboard()
    for message in messages:
        await scope.reply(message)


async def _list_page(scope: Scope, page: int) -> None:
    async with scope.unit() as session:
        message = await _list_view(scope, session, page)
    await scope.edit(message)
    await scope.answer()


async def _list_drop(scope: Scope, subscription_id: int, page: int) -> None:
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session)
        removed = (
            await subscriptions.remove_subscription(session, subscriber, subscription_id)
            if subscriber is not None
            else None
        )
        if removed is not None:
            label = render.subscription_label(scope.language, removed)
            note = t(scope.language, "sub.list.dropped", name=esc(label))
            message = await _list_view(scope, session, page, note)
    if removed is None:  # dropped already (a double tap), or not this chat's
        await scope.stale()
        return
    await scope.edit(message)
    await scope.answer()


_BUTTONS: dict[str, Callable[..., Awaitable[None]]] = {
    "rg": _show_regions,
    "rt": _toggle_region,
    "cl": _show_commentators,
    "ct": _toggle_commentator,
    "fr": _follow_choice("region"),
    "fc": _follow_choice("commentator"),
    "ur": _unfollow_choice("region"),
    "uc": _unfollow_choice("commentator"),
    "cu": _catch_up,
    "lp": _list_page,
    "ld": _list_drop,
}


# --- views ------------------------------------------------------------------------------


def _toast(language: str, thing: Any, followed: bool) -> str:
    key = "sub.followed" if followed else "sub.unfollowed"
    return t(language, key, name=render.thing_label(language, thing))


async def _region_picker(scope: Scope) -> Rendered:
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session)
        regions = await lookup.list_regions(session)
        followed = await subscriptions.followed_region_ids(session, subscriber)
    return render.region_picker(scope.language, regions, followed)


async def _commentator_picker(
    scope: Scope,
    session: AsyncSession,
    subscriber: Subscriber | None,
    page: int,
    catch_up: Subscription | None,
) -> Rendered:
    size = render.COMMENTATOR_PAGE_SIZE
    rows, total = await lookup.list_commentators(session, max(page, 0) * size, size)
    if not rows and total:  # an old button for a page that no longer exists
        page = (total - 1) // size
        rows, total = await lookup.list_commentators(session, page * size, size)
    followed = await subscriptions.followed_commentator_ids(session, subscriber)
    return render.commentator_picker(scope.language, rows, followed, max(page, 0), total, catch_up)


async def _list_view(
    scope: Scope, session: AsyncSession, page: int, note: str | None = None
) -> Rendered:
    subscriber = await scope.subscriber(session)
    rows = await subscriptions.list_subscriptions(session, subscriber) if subscriber else []
    return render.subscription_list(scope.language, subscriber, rows, page, note)


async def _keywords(session: AsyncSession, subscriber: Subscriber | None, kind: str) -> list[str]:
    if subscriber is None:
        return []
    rows = await subscriptions.list_subscriptions(session, subscriber, (kind,))
    return [r.keyword or r.target for r in rows]


def _lookup_cache(scope: Scope) -> lookup.IndexCache:
    """One index of names per running bot (see lookup.IndexCache)."""
    if scope.services.lookup_cache is None:
        scope.services.lookup_cache = lookup.IndexCache()
    return scope.services.lookup_cache


async def _too_long(scope: Scope) -> None:
    await scope.load_language()
    await scope.reply(render.plain(scope.language, "sub.too_long_arg"))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    only_messages = filters.UpdateType.MESSAGE
    for names, callback in (
        (["subscribe", "follow"], subscribe),
        (["unsubscribe", "unfollow"], unsubscribe),
        (["alert"], _keyword_command(mute=False, add=True)),
        (["unalert"], _keyword_command(mute=False, add=False)),
        (["mute"], _keyword_command(mute=True, add=True)),
        (["unmute"], _keyword_command(mute=True, add=False)),
        (["list"], list_command),
    ):
        application.add_handler(CommandHandler(names, callback, filters=only_messages))
    actions = "|".join(BUTTON_ACTIONS)
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^s:({actions})(:|$)"))
