"""/search in a chat (five results a page, "More ›" / "‹ Back" buttons), plain text in a
private chat searched the same way, and inline mode (`@bot query` in any chat lists results
to share)."""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    filters,
)

from bot.i18n import t
from bot.render import search as render
from bot.search import chat
from bot.search.query import warm_up
from bot.services import get_services
from bot.subscriptions import interface_language
from handlers import fallback
from handlers.scope import Scope

INLINE_CACHE_SECONDS = 30
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# A plain message is a search only in a private chat: in groups the bot answers commands
# alone (people talk to each other there). Messages sent through an inline bot (a result
# shared from `@bot query`) are content, not queries.
TEXT_QUERY = (
    filters.UpdateType.MESSAGE
    & filters.ChatType.PRIVATE
    & filters.TEXT
    & ~filters.COMMAND
    & ~filters.VIA_BOT
)


async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    text = scope.args
    if not text:
        await scope.load_language()
        await scope.reply(render.usage(scope.language, context.bot.username))
        return
    found = await _search(scope, text)
    await scope.reply(
        render.render_page(found.page, found.query_text, scope.language, action_id=found.action_id)
    )


async def text_search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat that no conversation is waiting for: a search."""
    scope = Scope(update, context)
    text = chat.text_query(scope.message.text or "") if isinstance(scope.message, Message) else None
    if text is None:
        await scope.load_language()
        await scope.reply(render.text_hint(scope.language))
        return
    found = await _search(scope, text)
    await scope.reply(
        render.render_text_page(
            found.page, found.query_text, scope.language, action_id=found.action_id
        )
    )


async def _search(scope: Scope, text: str) -> chat.ChatSearch:
    async with scope.unit() as session:
        await scope.subscriber(session)  # the language this chat chose
        return await chat.start_search(
            session,
            text=text,
            chat_id=scope.chat.id,
            user_id=scope.user.id if scope.user else None,
            now=scope.services.clock(),
        )


async def page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    assert scope.query is not None
    parsed = render.parse_page_callback(scope.query.data)
    found = None
    async with scope.unit() as session:
        await scope.subscriber(session)
        if parsed is not None:
            action_id, number = parsed
            found = await chat.show_page(
                session,
                action_id=action_id,
                number=number,
                chat_id=scope.chat.id,
                now=scope.services.clock(),
            )
    if found is None:
        await scope.answer(t(scope.language, "error.stale_button"), alert=True)
        return
    await scope.edit(
        render.render_page(
            found.page,
            found.query_text,
            scope.language,
            action_id=found.action_id,
        )
    )
    await scope.answer()


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    language = interface_language(query.from_user.language_code if query.from_user else None)
    services = get_services(context.application)
    async with services.session_factory() as session:
        found = await chat.inline_search(
            session, text=query.query, offset=query.offset or "", now=services.clock()
        )
        articles = render.inline_articles(found.results, found.rows, language)
    if not articles and not query.offset and query.query.strip():
        articles = [render.inline_nothing(query.query, language)]
    await query.answer(
        [_article(a) for a in articles],
        cache_time=INLINE_CACHE_SECONDS,
        next_offset=found.next_offset,
    )


def _article(article: render.InlineArticle) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=article.id,
        title=article.title,
        description=article.description or None,
        url=article.url,
        input_message_content=InputTextMessageContent(
            article.message, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
        ),
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    warm_up()
    application.add_handler(CommandHandler("search", search_command))
    application.add_handler(CallbackQueryHandler(page_button, pattern=rf"^{render.AREA}:"))
    application.add_handler(InlineQueryHandler(inline_query))
    # Only what no other handler (a reply to an editor's prompt, any future conversation)
    # takes, in any group.
    application.add_handler(
        fallback.UnclaimedMessageHandler(application, TEXT_QUERY, text_search),
        group=fallback.GROUP,
    )
