"""Searching the archive, on SQLite and on PostgreSQL: the same queries, the same answers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.publishing import retract_entry, retract_item
from bot.search.index import rebuild_index, reindex
from bot.search.service import SearchPage, search
from storage.models import Commentator, Entry
from tests.db_fixtures import Database
from tests.search import archive as fixtures
from tests.search.archive import Archive
from tests.search.conftest import Library

TODAY = dt.date(2025, 11, 25)


async def find(db: Database, archive: Archive, query: str, **kw: object) -> list[str]:
    page = await run(db, query, **kw)
    return [archive.key(r.type, r.id) for r in page.results]


async def run(db: Database, query: str, **kw: object) -> SearchPage:
    kw.setdefault("limit", 20)
    async with db.session_factory() as session:
        return await search(session, query, today=TODAY, **kw)  # type: ignore[arg-type]


# --- expected top results ----------------------------------------------------------------

TOP_RESULTS = [
    # English, stemmed, prefix
    ("submarine", ["item:joint_patrol", "entry:zeng_submarine"]),
    ("submarines", ["item:joint_patrol", "entry:zeng_submarine"]),
    ("grand bargain", ["entry:huang_bargain"]),
    ('"grand bargain"', ["entry:huang_bargain"]),
    ("carmakers", ["item:rare_earth_curbs"]),
    ("renminbi", ["entry:lu_settlement"]),
    # Chinese: two characters, a name, one character, a sentence
    ('"稀土"', ["item:rare_earth_curbs", "entry:shan_rare_earths"]),
    ("稀土", ["item:rare_earth_curbs"]),
    ("潜艇", ["item:joint_patrol", "entry:zeng_submarine"]),
    ("黄靖", ["entry:huang_bargain"]),
    ("人民币结算", ["entry:lu_settlement"]),
    ("钢铁", ["item:steel_tariffs"]),
    ("曾志伟关于潜艇说了什么", ["entry:zeng_submarine"]),
    # commentators in Latin script, Chinese script, toneless pinyin, initials
    ("huang jing", ["entry:huang_bargain"]),
    ("huangjing", ["entry:huang_bargain"]),
    ("jing huang", ["entry:huang_bargain"]),
    ("zzw", ["entry:zeng_submarine", "entry:zeng_tariffs"]),
    ("zeng zhiwei", ["entry:zeng_submarine", "entry:zeng_tariffs", "entry:solberg_africa"]),
    ("shan liping", ["entry:shan_rare_earths"]),
    ("ou jiahao", ["entry:huang_bargain"]),
    ("lu chen", ["entry:lu_settlement"]),
    ("lv chen", ["entry:lu_settlement"]),
    ("区家豪", ["entry:huang_bargain"]),
    # a question in plain words
    ("what did Shan Liping say about rare earths", ["entry:shan_rare_earths"]),
]


@pytest.mark.parametrize(("query", "expected"), TOP_RESULTS, ids=[q for q, _ in TOP_RESULTS])
async def test_expected_top_results(library: Library, query: str, expected: list[str]) -> None:
    found = await find(library.db, library.archive, query)
    assert found[: len(expected)] == expected


async def test_a_name_in_the_byline_ranks_above_a_mention_in_the_text(library: Library) -> None:
    found = await find(library.db, library.archive, "zeng zhiwei")
    # Solberg's entry mentions Zeng in its text: found, after his own entries.
    assert found[-1] == "entry:solberg_africa"


async def test_title_match_ranks_above_body_match(library: Library) -> None:
    found = await find(library.db, library.archive, "rare earth")
    assert found[0] == "item:rare_earth_curbs"  # in its headline
    assert set(found) >= {"entry:shan_rare_earths", "entry:huang_bargain", "entry:zeng_tariffs"}


async def test_equal_matches_come_newest_first(db: Database, archive: Archive) -> None:
    async with db.session_factory() as session, session.begin():
        older = await fixtures.add_entry(
            session, summary="Quartzite quarries", date=dt.date(2024, 1, 1)
        )
        newer = await fixtures.add_entry(
            session, summary="Quartzite quarries", date=dt.date(2025, 6, 1)
        )
    page = await run(db, "quartzite")
    assert [r.id for r in page.results] == [newer, older]


# --- filters -------------------------------------------------------------------------------

FILTERS = [
    (
        "region:japan",
        {"entry:zeng_submarine", "entry:zeng_tariffs", "item:steel_tariffs", "digest:digest"},
    ),
    ("region:日本 type:item", {"item:steel_tariffs"}),
    ("region:jp submarine", {"entry:zeng_submarine", "digest:digest"}),
    ('by:"Zeng Zhiwei"', {"entry:zeng_submarine", "entry:zeng_tariffs", "digest:digest"}),
    ("by:曾志伟 type:entry", {"entry:zeng_submarine", "entry:zeng_tariffs"}),
    ("by:zzw type:entry", {"entry:zeng_submarine", "entry:zeng_tariffs"}),
    ("by:zengzhiwei steel", {"entry:zeng_tariffs"}),
    ("by:单丽萍", {"entry:shan_rare_earths"}),
    ("by:shan", {"entry:shan_rare_earths"}),
    ("type:digest", {"digest:digest"}),
    ("type:item since:2025-11-01", {"item:rare_earth_curbs", "item:joint_patrol"}),
    ("since:2025-11-01 until:2025-11-05", {"entry:zeng_submarine", "item:rare_earth_curbs"}),
    ('"稀土" since:2025-11-01', {"item:rare_earth_curbs"}),
    # 稀土 also finds "rare earth(s)" in English
    ("稀土 since:2025-11-01", {"item:rare_earth_curbs", "entry:huang_bargain", "digest:digest"}),
    ("rare earths until:2025-10", {"entry:shan_rare_earths", "entry:zeng_tariffs"}),
    ("region:europe region:russia type:item", {"item:rare_earth_curbs", "item:joint_patrol"}),
    ("submarine this month", {"item:joint_patrol", "entry:zeng_submarine"}),
    ("type:entry last month", {"entry:shan_rare_earths"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[q for q, _ in FILTERS])
async def test_filters(library: Library, query: str, expected: set[str]) -> None:
    assert set(await find(library.db, library.archive, query)) == expected


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("since:2025-13-01 submarine", "since"),
        ("until:yesterday-ish submarine", "until"),
        ("type:podcast submarine", "type"),
        ("region:mars", "region"),
        ("by:Nobody", "by"),
        ("region: submarine", "region"),
        ("since:2025-12-01 until:2025-11-01", "range"),
    ],
)
async def test_filters_it_cannot_use_come_back_as_hints(
    library: Library, query: str, problem: str
) -> None:
    page = await run(library.db, query)
    assert problem in {p.key for p in page.problems}


async def test_malformed_date_is_ignored_and_the_rest_still_searched(library: Library) -> None:
    page = await run(library.db, "since:2025-13-01 renminbi")
    assert [library.archive.key(r.type, r.id) for r in page.results] == ["entry:lu_settlement"]


async def test_unknown_region_lists_the_known_ones(library: Library) -> None:
    page = await run(library.db, "region:mars")
    assert page.results == ()
    assert [slug for slug, _ in page.known_regions] == [
        "us-china",
        "europe",
        "japan",
        "africa",
        "russia",
    ]


# --- any text is safe --------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    '"unclosed phrase',
    "AND OR NOT NEAR",
    "NEAR(submarine patrol)",
    "submarine AND",
    "*",
    "sub*",
    "%_'",
    "'; DROP TABLE entries; --",
    "{title}: submarine",
    "title:submarine",
    "-submarine",
    "^submarine",
    "submarine:*",
    "'submarine':*A & !x",
    "a\\b\\",
    "\x00\x01\x1f",
    "😀🇯🇵",
    "‮ ‭ \u200b\u200d",
    "ＳＵＢＭＡＲＩＮＥ",
    "::::",
    'by:"',
    "region:\"'",
    "x" * 4000,
    " ".join(["submarine"] * 800),
    "稀" * 4000,
    "(" * 100 + "submarine" + ")" * 100,
    "\ud7ff",
    "a稀" * 2000,
    '"' + "rare earth " * 400 + '"',
    "\U0010fffd \U0002fa1e \ufffd",
    "\ud800 lone surrogate",
]


@pytest.mark.parametrize("query", HOSTILE, ids=[repr(q[:20]) for q in HOSTILE])
async def test_any_text_gives_results_or_none_never_an_error(library: Library, query: str) -> None:
    page = await run(library.db, query)
    assert isinstance(page.results, tuple)


async def test_operators_are_words_not_syntax(db: Database, archive: Archive) -> None:
    async with db.session_factory() as session, session.begin():
        entry = await fixtures.add_entry(session, summary="Talks NEAR the border, NOT in it")
    assert [r.id for r in (await run(db, "near not")).results] == [entry]
    assert [r.id for r in (await run(db, "ＳＵＢＭＡＲＩＮＥＳ")).results]


# --- only published content --------------------------------------------------------------


async def test_drafts_are_not_found(db: Database, archive: Archive) -> None:
    async with db.session_factory() as session, session.begin():
        await fixtures.add_entry(session, summary="Xylophone diplomacy", published=False)
    assert await find(db, archive, "xylophone") == []


async def test_retracted_entries_disappear_from_results(db: Database, archive: Archive) -> None:
    entry_id = archive.entries["zeng_submarine"]
    assert "entry:zeng_submarine" in await find(db, archive, "submarine")
    async with db.session_factory() as session, session.begin():
        assert await retract_entry(session, entry_id, actor_id=None)
    assert "entry:zeng_submarine" not in await find(db, archive, "submarine")
    assert "entry:zeng_submarine" not in await find(db, archive, "zzw")


async def test_retracted_items_disappear_from_results(db: Database, archive: Archive) -> None:
    async with db.session_factory() as session, session.begin():
        assert await retract_item(session, archive.items["joint_patrol"], actor_id=None)
    assert await find(db, archive, "联合巡逻") == []


async def test_an_edited_entry_is_found_by_its_new_words_after_reindex(
    db: Database, archive: Archive
) -> None:
    entry_id = archive.entries["lu_settlement"]
    async with db.session_factory() as session, session.begin():
        await session.execute(
            update(Entry)
            .where(Entry.id == entry_id)
            .values(summary="Lü Chen on barter trade", date=dt.date(2024, 2, 2))
        )
        await reindex(session, entry_ids=[entry_id])
    assert await find(db, archive, "barter") == ["entry:lu_settlement"]
    # The text still says 人民币 (which "renminbi" finds unquoted), not the English word.
    assert await find(db, archive, '"renminbi"') == []
    page = await run(db, "barter")
    assert page.results[0].date == dt.date(2024, 2, 2)


async def test_a_renamed_commentator_is_found_by_the_new_name_after_rebuild(
    db: Database, archive: Archive
) -> None:
    async with db.session_factory() as session, session.begin():
        person = await session.get(Commentator, archive.people["solberg"])
        assert person is not None
        person.aliases = ["Inga Solberg"]
        person.name_zh = "索尔贝格"
    async with db.session_factory() as session, session.begin():
        assert await rebuild_index(session) == len(fixtures.ENTRIES) + len(fixtures.ITEMS) + 1
    assert await find(db, archive, "inga") == ["entry:solberg_africa"]
    assert await find(db, archive, "索尔贝格") == ["entry:solberg_africa"]
    assert await find(db, archive, "submarine") == [
        "item:joint_patrol",
        "entry:zeng_submarine",
        "digest:digest",
    ]


# --- results -------------------------------------------------------------------------------


async def test_a_result_carries_its_card(library: Library) -> None:
    page = await run(library.db, "huang jing")
    top = page.results[0].to_json()
    assert top == {
        "type": "entry",
        "id": library.archive.entries["huang_bargain"],
        "title": "A grand bargain over chips?",
        "title_zh": None,
        "summary": "Huang Jing and Ou Jiahao on export controls as a bargaining chip.",
        "commentators": [
            {"name": "Huang Jing", "name_zh": "黄靖"},
            {"name": "Ou Jiahao", "name_zh": "区家豪"},
        ],
        "regions": ["us-china"],
        "date": "2025-11-12",
        "url": "https://example.org/commentary/huang_bargain",
    }


async def test_pages_of_five(db: Database, archive: Archive) -> None:
    async with db.session_factory() as session, session.begin():
        for n in range(12):
            await fixtures.add_entry(
                session, summary=f"Obsidian trade note {n}", date=dt.date(2025, 1, n + 1)
            )
    first = await run(db, "obsidian", limit=5)
    assert first.total == 12 and len(first.results) == 5 and first.has_more
    third = await run(db, "obsidian", limit=5, offset=10)
    assert len(third.results) == 2 and not third.has_more
    seen = [r.id for r in first.results] + [r.id for r in third.results]
    assert len(set(seen)) == 7


async def test_empty_query_finds_nothing_unless_latest_is_asked_for(library: Library) -> None:
    assert (await run(library.db, "   ")).results == ()
    latest = await run(library.db, "", latest_when_empty=True, limit=3)
    assert [r.date for r in latest.results] == sorted(
        [r.date for r in latest.results], reverse=True
    )
    assert latest.results[0].type == "digest"  # published 2025-12-01, the newest


async def test_the_index_holds_one_document_per_published_thing(library: Library) -> None:
    async with library.db.session_factory() as session:
        from bot.search.index import search_docs

        rows = (await session.execute(select(search_docs.c.content_type))).scalars().all()
    assert sorted(rows) == sorted(["entry"] * 6 + ["item"] * 3 + ["digest"])


async def test_the_vocabulary_counts_match_a_rebuild_after_edits_and_retractions(
    db: Database, archive: Archive
) -> None:
    async with db.session_factory() as session, session.begin():
        await retract_entry(session, archive.entries["shan_rare_earths"], actor_id=None)
        await session.execute(
            update(Entry)
            .where(Entry.id == archive.entries["lu_settlement"])
            .values(summary="Lü Chen on barter")
        )
        await reindex(session, entry_ids=[archive.entries["lu_settlement"]])
    incremental = await vocabulary(db)
    async with db.session_factory() as session, session.begin():
        await rebuild_index(session)
    assert incremental == await vocabulary(db)
    assert incremental["稀土"] == 1  # the retracted entry no longer counts


async def vocabulary(db: Database) -> dict[str, int]:
    from bot.search.index import search_terms

    async with db.session_factory() as session:
        rows = await session.execute(select(search_terms.c.term, search_terms.c.df))
        return {term: df for term, df in rows if df}


async def test_a_common_term_ranks_the_newest_matches_only(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more matches than MAX_CANDIDATES, the newest are the candidates (on PostgreSQL
    they are looked for month by month)."""
    from bot.search import service

    monkeypatch.setattr(service, "MAX_CANDIDATES", 4)
    async with db.session_factory() as session, session.begin():
        for n in range(20):
            day = dt.date(2024, 1 + n % 12, 1 + n)
            await fixtures.add_entry(session, summary=f"Obsidian note {n}", date=day)
        # Without a date of its own, an entry is dated by its publication (2025-12-01).
        undated = await fixtures.add_entry(session, summary="Obsidian, undated", date=None)

    page = await run(db, "obsidian", limit=10)

    assert page.total == 4 and page.capped
    assert [r.id for r in page.results][0] == undated
    assert [r.date for r in page.results][1:] == [
        dt.date(2024, 12, 12),
        dt.date(2024, 11, 11),
        dt.date(2024, 10, 10),
    ]
    monkeypatch.setattr(service, "MAX_CANDIDATES", 30)
    assert (await run(db, "obsidian", limit=30)).total == 21


async def test_a_term_of_the_lexicon_is_found_as_one_and_quoted_stays_exact(
    db: Database, archive: Archive
) -> None:
    async with db.session_factory() as session, session.begin():
        singular = await fixtures.add_entry(
            session, summary="Brussels drafts an export control regime of its own"
        )
        apart = await fixtures.add_entry(
            session, summary="Export figures rose while price controls were lifted"
        )
    key = archive.key("entry", singular)
    unquoted = await find(db, archive, "export controls")
    quoted = await find(db, archive, '"export controls"')
    chinese = await find(db, archive, "出口管制")

    assert {key, "entry:huang_bargain"} <= set(unquoted)
    assert "entry:huang_bargain" in quoted and key not in quoted  # the exact words only
    assert {key, "entry:huang_bargain"} <= set(chinese)  # its English equivalent, by stems
    assert archive.key("entry", apart) not in set(unquoted) | set(chinese)  # not side by side
