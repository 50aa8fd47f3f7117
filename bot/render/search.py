"""Search results as messages: the /search page with its buttons, and inline-mode articles.

Each result shows its title (or, for a commentary without one, its commentators), date, a
one-line summary and a link. Pages hold five results; "More ›" and "‹ Back" carry the id of the
stored query and the page number (`search:p:<id>:<page>`), checked when they come back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.i18n import t
from bot.render import (
    MAX_MESSAGE_CHARS,
    Button,
    Rendered,
    callback,
    clip,
    esc,
    esc_attr,
    join_within,
    keyboard,
    parse_callback,
)
from bot.render.content import format_date, render_digest, render_entry, render_item
from bot.search.query import Problem
from bot.search.service import SearchPage, SearchResult
from storage.models import Digest, Entry, ReportItem

AREA = "search"
CALLBACKS: dict[str, Sequence[type]] = {"p": (int, int)}
QUERY_CHARS = 80
SUMMARY_CHARS = 160
TITLE_CHARS = 200


def page_callback(action_id: int, page: int) -> str:
    return callback(AREA, "p", action_id, page)


def parse_page_callback(data: str | None) -> tuple[int, int] | None:
    """(stored query id, page number) of a well-formed "More" / "Back" button, else None."""
    parsed = parse_callback(data, AREA, CALLBACKS)
    if parsed is None:
        return None
    action_id, page = parsed[1]
    if action_id <= 0 or page < 0 or page > 1000:
        return None
    return action_id, page


def usage(language: str, bot_username: str | None) -> Rendered:
    return Rendered(t(language, "search.usage", bot=esc(bot_username or "bot")))


def text_hint(language: str) -> Rendered:
    """The answer to a plain message that is no query ("hi", "👍", a pasted article)."""
    return Rendered(t(language, "search.text.hint"))


def heading(result: SearchResult, language: str) -> str:
    """Plain text: the title in the reader's language where there is one, else the
    commentators ("Zeng Zhiwei (曾志伟)"), else the start of the summary."""
    title = result.title_zh if language == "zh" and result.title_zh else result.title
    title = title or result.title_zh
    if title:
        return title
    names = [_person(c) for c in result.commentators]
    if names:
        return " & ".join(names)
    return clip(result.summary or "", 80) or t(language, f"search.type.{result.type}")


def _summary_is_heading(result: SearchResult) -> bool:
    return not (result.title or result.title_zh or result.commentators)


def _person(commentator: dict[str, str | None]) -> str:
    name, name_zh = commentator.get("name"), commentator.get("name_zh")
    if name and name_zh and name_zh != name:
        return f"{name} ({name_zh})"
    return name or name_zh or ""


def byline(result: SearchResult, language: str) -> str:
    """Plain text: who (when the heading is a title), the type and the date."""
    parts = []
    title = result.title or result.title_zh
    if title and result.commentators:
        parts.append(" & ".join(_person(c) for c in result.commentators))
    parts.append(t(language, f"search.type.{result.type}"))
    if result.date:
        parts.append(format_date(result.date, language))
    return " · ".join(p for p in parts if p)


def _link(url: str | None, label: str) -> str:
    if not url or not url.startswith(("http://", "https://")) or len(url) > 2000:
        return ""
    return f'<a href="{esc_attr(url)}">{label}</a>'


def result_block(result: SearchResult, language: str, number: int | None = None) -> str:
    prefix = f"{number}. " if number is not None else ""
    lines = [
        f"{prefix}<b>{esc(clip(heading(result, language), TITLE_CHARS))}</b>",
        f"<i>{esc(clip(byline(result, language), 160))}</i>",
    ]
    if result.summary and not _summary_is_heading(result):
        lines.append(esc(clip(result.summary, SUMMARY_CHARS)))
    link = _link(result.url, t(language, "search.open"))
    if link:
        lines.append(link)
    return "\n".join(lines)


def problem_lines(
    problems: Sequence[Problem], language: str, known_regions: Sequence[tuple[str, str]] = ()
) -> list[str]:
    region_names = [zh if language == "zh" and zh else slug for slug, zh in known_regions]
    lines = []
    for problem in problems:
        value = esc(clip(problem.value, 60))
        if problem.key in {"since", "until", "type", "region", "by"} and not problem.value:
            lines.append("⚠️ " + t(language, "search.problem.empty", value=esc(problem.key)))
        elif problem.key == "region":
            regions = esc(", ".join(region_names))
            lines.append("⚠️ " + t(language, "search.problem.region", value=value, regions=regions))
        else:
            lines.append("⚠️ " + t(language, f"search.problem.{problem.key}", value=value))
    return lines


def render_page(
    page: SearchPage,
    query_text: str,
    language: str,
    *,
    action_id: int | None,
) -> Rendered:
    """One page of results with "‹ Back" / "More ›" buttons (when `action_id` is known)."""
    query = esc(clip(query_text, QUERY_CHARS))
    head = problem_lines(page.problems, language, page.known_regions)
    if not page.results:
        head.append(t(language, "search.none", query=query))
        if not page.problems:
            head.append(t(language, "search.none_hint"))
        return Rendered(join_within(head))
    first = page.offset + 1
    last = page.offset + len(page.results)
    key = "search.header_capped" if page.capped else "search.header"
    head.append(t(language, key, query=query, total=page.total, first=first, last=last))
    blocks = [
        result_block(result, language, page.offset + n)
        for n, result in enumerate(page.results, start=1)
    ]
    text = join_within(["\n".join(head), *blocks], MAX_MESSAGE_CHARS, sep="\n\n")
    buttons = []
    if action_id is not None:
        number = page.offset // page.limit
        if number > 0:
            buttons.append(Button(t(language, "search.prev"), page_callback(action_id, number - 1)))
        if page.has_more:
            buttons.append(Button(t(language, "search.more"), page_callback(action_id, number + 1)))
    return Rendered(text, keyboard(buttons))


def render_text_page(
    page: SearchPage, query_text: str, language: str, *, action_id: int | None
) -> Rendered:
    """Results for a plain message: the /search page; when nothing matched, also how to
    search with filters and how to be told when something new matches."""
    rendered = render_page(page, query_text, language, action_id=action_id)
    if page.results:
        return rendered
    return Rendered(f"{rendered.text}\n\n{t(language, 'search.text.none')}", rendered.keyboard)


@dataclass(frozen=True)
class InlineArticle:
    """One inline-mode result: what the picker shows and the message it sends."""

    id: str
    title: str  # plain text
    description: str  # plain text
    message: str  # HTML
    url: str | None


def inline_article(
    result: SearchResult, language: str, message: str | None = None
) -> InlineArticle:
    """`message`: the content as subscribers see it (bot.render.content), when loaded;
    otherwise the result's own block."""
    description = " · ".join(
        p for p in (byline(result, language), clip(result.summary or "", 120)) if p
    )
    body = message or result_block(result, language)
    url = result.url if result.url and result.url.startswith(("http://", "https://")) else None
    return InlineArticle(
        id=f"{result.type}-{result.id}",
        title=clip(heading(result, language), 120),
        description=clip(description, 250),
        message=body[:MAX_MESSAGE_CHARS],
        url=url,
    )


def inline_articles(
    results: Sequence[SearchResult],
    rows: Mapping[tuple[str, int], Entry | ReportItem | Digest],
    language: str,
) -> list[InlineArticle]:
    """An article per result; the message sent is the content as subscribers see it."""
    articles = []
    for result in results:
        row = rows.get((result.type, result.id))
        message = None
        if isinstance(row, Entry):
            message = render_entry(row, language=language).text
        elif isinstance(row, ReportItem):
            message = render_item(row, language=language).text
        elif isinstance(row, Digest):
            message = render_digest(row, language=language, why=()).text
        articles.append(inline_article(result, language, message))
    return articles


def inline_nothing(query_text: str, language: str) -> InlineArticle:
    return InlineArticle(
        id="none",
        title=t(language, "search.inline.none"),
        description=clip(query_text, 120),
        message=t(language, "search.inline.none_text", query=esc(clip(query_text, QUERY_CHARS))),
        url=None,
    )
