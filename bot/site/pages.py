"""The public website's routes: pages, feeds, search and the tracked-link redirect.

`add_routes(app, services)` mounts everything on any aiohttp application (the webhook server,
the site's own server, a test server). Pages are Jinja2 templates with autoescaping, no
JavaScript; every page and feed answers conditional GETs (bot.site.caching).

A retracted entry, item, report or digest answers 410 Gone with a page saying it was withdrawn:
a reader following an old link learns what happened, and search engines drop the address
(a 200 would keep it indexed). Drafts and scheduled content answer 404 like unknown ids.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.editorial.refs import ContentRef
from bot.i18n import catalog, t
from bot.render.content import format_date
from bot.render.search import problem_lines
from bot.search.service import search
from bot.services import Services
from bot.site import clicks, feeds, queries
from bot.site.caching import Freshness, respond
from bot.site.links import REDIRECT_PREFIX, permalink, read_token
from storage.models import ContentStatus

HTML = "text/html"
ATOM = "application/atom+xml"
LIST_SIZE = 30
FEED_SIZE = 30
# Regions are fixed by migrations; a page re-reads them at most this often.
REGIONS_TTL = 300.0
SEARCH_SIZE = 20
_SEARCH_TYPES = {"entry": "e", "item": "i", "digest": "d"}
# A permalink shows published content, and says so when it was withdrawn; anything else is 404.
_SHOWN = (ContentStatus.PUBLISHED, ContentStatus.RETRACTED)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = _paragraphs
    env.filters["person"] = feeds.person_name
    env.globals["permalink"] = lambda kind, id_: permalink(ContentRef(kind, id_))
    return env


def _paragraphs(text: str | None) -> Markup:
    """Plain stored text as escaped paragraphs (blank lines apart), line breaks kept."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in b.split("\n")))
        for b in blocks
    )


@dataclass
class Site:
    """The site's handlers, bound to the bot's services."""

    services: Services
    env: jinja2.Environment = field(default_factory=environment)
    freshness: Freshness | None = None

    reader: async_sessionmaker[AsyncSession] = field(init=False)
    _regions: tuple[float, tuple[queries.Place, ...]] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.freshness is None:
            self.freshness = Freshness(self.services.clock)
        engine = self.services.engine
        if engine.dialect.name == "postgresql":
            # Pages only read: no BEGIN/ROLLBACK round trips. Each statement sees committed
            # data, as it would in a READ COMMITTED transaction.
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.reader = async_sessionmaker(engine, expire_on_commit=False)

    async def places(self, session: AsyncSession) -> tuple[queries.Place, ...]:
        now = time.monotonic()
        if self._regions is None or now - self._regions[0] > REGIONS_TTL:
            self._regions = (now, await queries.regions(session))
        return self._regions[1]

    async def place(self, session: AsyncSession, slug: str) -> queries.Place | None:
        return next((p for p in await self.places(session) if p.slug == slug), None)

    # --- helpers -------------------------------------------------------------------------

    def _base(self, request: web.Request) -> str:
        public = self.services.settings.public_url
        return public or f"{request.scheme}://{request.host}"

    def _render(
        self,
        request: web.Request,
        template: str,
        *,
        status: int = 200,
        feed: str | None = None,
        **context: Any,
    ) -> web.Response:
        language = _language(request)

        fixed = _labels(language)

        def translate(key: str, **values: object) -> Markup:
            if not values:
                return fixed[key]
            # Catalog strings are trusted HTML; the values put into them are escaped here.
            return Markup(t(language, key, **{k: escape(v) for k, v in values.items()}))

        def url(path: str, **query: object) -> str:
            if not query and language == "en":
                return path
            params = {k: v for k, v in query.items() if v not in (None, "")}
            if language != "en":
                params["lang"] = language
            return path + ("?" + urlencode(params) if params else "")

        def date(day: dt.date | dt.datetime | None) -> str:
            if isinstance(day, dt.datetime):
                day = day.date()
            return format_date(day, language)

        other = "en" if language == "zh" else "zh"
        switch = request.path + "?" + urlencode({**request.query, "lang": other})
        body = self.env.get_template(template).render(
            _=translate,
            url=url,
            date=date,
            lang=language,
            switch_language=switch,
            request_path=request.path,
            feed=feed,
            **context,
        )
        assert self.freshness is not None
        return respond(request, self.freshness, body.encode(), content_type=HTML, status=status)

    def _not_found(self, request: web.Request) -> web.Response:
        return self._render(request, "message.html", status=404, heading="site.not_found.title")

    def _withdrawn(self, request: web.Request, kind: str, when: dt.datetime | None) -> web.Response:
        return self._render(
            request,
            "message.html",
            status=410,
            heading="site.withdrawn.title",
            kind=kind,
            when=when,
        )

    def _feed(self, request: web.Request, body: bytes) -> web.Response:
        assert self.freshness is not None
        return respond(request, self.freshness, body, content_type=ATOM)

    # --- pages ---------------------------------------------------------------------------

    async def home(self, request: web.Request) -> web.Response:
        async with self.reader() as session:
            home = await queries.home(session)
            places = await self.places(session)
        return self._render(request, "home.html", home=home, regions=places, feed="/feed.atom")

    async def region(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        cursor = queries.Cursor.parse(request.query.get("before"))
        async with self.reader() as session:
            place = await self.place(session, slug)
            if place is None:
                return self._not_found(request)
            page = await queries.latest(session, region_id=place.id, before=cursor, limit=LIST_SIZE)
        return self._render(
            request,
            "list.html",
            heading=f"{place.name_en} · {place.name_zh}",
            page=page,
            feed=f"/regions/{place.slug}/feed.atom",
        )

    async def commentator(self, request: web.Request) -> web.Response:
        number = _id(request)
        cursor = queries.Cursor.parse(request.query.get("before"))
        async with self.reader() as session:
            person = await queries.commentator(session, number) if number else None
            if person is None:
                return self._not_found(request)
            page = await queries.latest(
                session, commentator_id=person.id, before=cursor, limit=LIST_SIZE
            )
        return self._render(
            request,
            "list.html",
            heading=feeds.person_name(person),
            page=page,
            feed=f"/commentators/{person.id}/feed.atom",
        )

    async def commentators(self, request: web.Request) -> web.Response:
        async with self.reader() as session:
            people = await queries.commentators(session)
        return self._render(request, "commentators.html", people=people, feed="/feed.atom")

    async def entry(self, request: web.Request) -> web.Response:
        return await self._card(request, "e", queries.entry)

    async def item(self, request: web.Request) -> web.Response:
        return await self._card(request, "i", queries.item)

    async def _card(
        self, request: web.Request, kind: str, load: Callable[..., Any]
    ) -> web.Response:
        number = _id(request)
        async with self.reader() as session:
            card = await load(session, number) if number else None
        if card is None or card.status not in _SHOWN:
            return self._not_found(request)
        if card.status == ContentStatus.RETRACTED:
            return self._withdrawn(request, kind, card.retracted_at)
        return self._render(request, "card.html", card=card, feed="/feed.atom")

    async def report(self, request: web.Request) -> web.Response:
        number = _id(request)
        async with self.reader() as session:
            page = await queries.report(session, number) if number else None
        if page is None or page.report.status not in _SHOWN:
            return self._not_found(request)
        if page.report.status == ContentStatus.RETRACTED:
            return self._withdrawn(request, "r", None)
        return self._render(request, "report.html", page=page, feed="/feed.atom")

    async def digest(self, request: web.Request) -> web.Response:
        number = _id(request)
        async with self.reader() as session:
            page = await queries.digest(session, number) if number else None
        if page is None or page.digest.status not in _SHOWN:
            return self._not_found(request)
        if page.digest.status == ContentStatus.RETRACTED:
            return self._withdrawn(request, "d", None)
        return self._render(request, "digest.html", page=page, feed="/feed.atom")

    async def search(self, request: web.Request) -> web.Response:
        text = request.query.get("q", "").strip()[:500]
        offset = _int(request.query.get("offset")) or 0
        found = None
        problems: list[str] = []
        if text:
            async with self.reader() as session:
                found = await search(
                    session,
                    text,
                    limit=SEARCH_SIZE,
                    offset=offset,
                    today=self.services.clock().date(),
                )
            problems = problem_lines(found.problems, _language(request), found.known_regions)
        return self._render(
            request,
            "search.html",
            q=text,
            found=found,
            problems=[Markup(p) for p in problems],
            kinds=_SEARCH_TYPES,
            feed="/feed.atom",
        )

    # --- feeds ---------------------------------------------------------------------------

    async def feed_all(self, request: web.Request) -> web.Response:
        async with self.reader() as session:
            page = await queries.latest(session, limit=FEED_SIZE)
            digests = await queries.latest_digests(session, 10)
        language = _language(request)
        site = t(language, "site.name")
        return self._feed(
            request,
            feeds.atom(
                base=self._base(request),
                path="/feed.atom",
                page_path="/",
                title=t(language, "site.feed.all", site=site),
                subtitle=t(language, "site.tagline"),
                cards=page.cards,
                digests=digests,
                language=language,
            ),
        )

    async def feed_region(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        async with self.reader() as session:
            place = await self.place(session, slug)
            if place is None:
                return self._not_found(request)
            page = await queries.latest(session, region_id=place.id, limit=FEED_SIZE)
        language = _language(request)
        name = f"{place.name_en} · {place.name_zh}"
        return self._feed(
            request,
            feeds.atom(
                base=self._base(request),
                path=f"/regions/{place.slug}/feed.atom",
                page_path=f"/regions/{place.slug}",
                title=t(language, "site.feed.region", site=t(language, "site.name"), name=name),
                subtitle=t(language, "site.tagline"),
                cards=page.cards,
                language=language,
            ),
        )

    async def feed_commentator(self, request: web.Request) -> web.Response:
        number = _id(request)
        async with self.reader() as session:
            person = await queries.commentator(session, number) if number else None
            if person is None:
                return self._not_found(request)
            page = await queries.latest(session, commentator_id=person.id, limit=FEED_SIZE)
        language = _language(request)
        name = feeds.person_name(person)
        return self._feed(
            request,
            feeds.atom(
                base=self._base(request),
                path=f"/commentators/{person.id}/feed.atom",
                page_path=f"/commentators/{person.id}",
                title=t(
                    language, "site.feed.commentator", site=t(language, "site.name"), name=name
                ),
                subtitle=t(language, "site.tagline"),
                cards=page.cards,
                language=language,
            ),
        )

    # --- tracked links -------------------------------------------------------------------

    async def follow(self, request: web.Request) -> web.StreamResponse:
        """`/r/<token>`: count the click, then 302 to the source."""
        settings = self.services.settings
        tracked = read_token(settings, request.match_info["token"])
        if tracked is None:
            return self._not_found(request)
        counted = request.method == "GET" and not clicks.is_robot(request.headers.get("User-Agent"))
        async with self.services.session_factory() as session, session.begin():
            target = await clicks.destination(session, tracked, settings.public_url)
            if target is not None and counted:
                await clicks.record(session, tracked, self.services.clock())
        if target is None:
            return self._not_found(request)
        raise web.HTTPFound(target, headers={"Cache-Control": "no-store"})


@functools.cache
def _labels(language: str) -> dict[str, Markup]:
    """Every catalog string without placeholders, ready for the templates."""
    return {key: Markup(t(language, key)) for key in catalog()}


def _language(request: web.Request) -> str:
    return "zh" if request.query.get("lang") == "zh" else "en"


def _int(text: str | None) -> int | None:
    if text is None or not text.isdigit() or len(text) > 12:
        return None
    return int(text)


def _id(request: web.Request) -> int | None:
    return _int(request.match_info.get("id"))


def add_routes(app: web.Application, services: Services) -> None:
    """Mount the public site on `app`: pages, feeds, search and `/r/<token>`."""
    site = Site(services)
    routes: Mapping[str, Callable[[web.Request], Any]] = {
        "/": site.home,
        "/regions/{slug}": site.region,
        "/regions/{slug}/feed.atom": site.feed_region,
        "/commentators": site.commentators,
        "/commentators/{id}": site.commentator,
        "/commentators/{id}/feed.atom": site.feed_commentator,
        "/entries/{id}": site.entry,
        "/items/{id}": site.item,
        "/reports/{id}": site.report,
        "/digests/{id}": site.digest,
        "/search": site.search,
        "/feed.atom": site.feed_all,
        REDIRECT_PREFIX + "{token}": site.follow,
    }
    app.add_routes([web.get(path, handler) for path, handler in routes.items()])
