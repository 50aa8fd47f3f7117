"""Matching: who gets which pieces of a publication, as how many messages, and why."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.fanout import fan_out
from bot.delivery.recipients import RecipientFeeder, queue_next
from bot.matching import (
    Features,
    Follow,
    KeywordMatcher,
    Match,
    Publication,
    Ref,
    decode_refs,
    edition_for,
    encode_ref,
    keyword_in_text,
    keyword_sets,
    plan_publication,
    why_matched,
)
from bot.publishing import publish, retract_item
from bot.render.content import piece_bound
from storage.models import (
    DailyReport,
    Delivery,
    FanoutBatch,
    FanoutRecipient,
    Subscriber,
    Subscription,
)
from tests.db_fixtures import Database
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, ItemSpec

NOW = dt.datetime(2025, 8, 29, 9, 0, tzinfo=dt.UTC)


def test_english_keywords_match_whole_words_casefolded() -> None:
    assert keyword_in_text("tariff", "New TARIFF rules announced")
    assert not keyword_in_text("eu", "Europe reacts")
    assert keyword_in_text("trade war", "fears of a trade-war deepen")
    assert keyword_in_text("rare earth", "Rare  Earth exports")
    assert not keyword_in_text("rare earth", "rare earthenware")
    assert keyword_in_text("u.s.", "the U.S. responded")


def test_chinese_keywords_match_as_substrings() -> None:
    assert keyword_in_text("稀土", "中国限制稀土出口")
    assert keyword_in_text("关税", "美国宣布新关税措施")
    assert not keyword_in_text("关税", "美国宣布新措施")


def test_one_pass_finds_every_keyword() -> None:
    matcher = KeywordMatcher(["tariff", "rare earth", "稀土", "taiwan strait", "chips"])
    found = matcher.find("Tariffs aside, rare earth and chips: 稀土 talks near the Taiwan Strait")
    assert found == {"rare earth", "稀土", "taiwan strait", "chips"}


def test_mutes_exclude_and_every_matching_follow_is_a_reason() -> None:
    follows = [
        Follow(1, "region", region_id=3),
        Follow(2, "commentator", commentator_id=7),
        Follow(3, "keyword", keyword="chips"),
    ]
    features = Features(frozenset({3}), frozenset({7}), frozenset({"chips"}))
    assert [r.subscription_id for r in why_matched(follows, features)] == [1, 2, 3]
    muted = [*follows, Follow(4, "mute", keyword="chips")]
    assert why_matched(muted, features) == []
    assert why_matched(follows, Features(frozenset(), frozenset(), frozenset())) == []


def test_reasons_round_trip_with_counts_and_awkward_keywords() -> None:
    refs = [
        Ref("region", 11, target_id=3, count=6),
        Ref("commentator", 12, target_id=7, count=2),
        Ref("keyword", 13, keyword="a:b c|d"),
    ]
    encoded = "\n".join(encode_ref(r) for r in refs)
    assert decode_refs(encoded) == refs
    assert decode_refs("garbage\nr:x:1") == []


def test_an_edition_lists_the_matching_pieces_in_order_and_a_bare_digest_goes_to_followers() -> (
    None
):
    japan = Features(frozenset({3}), frozenset(), frozenset())
    chips = Features(frozenset({4}), frozenset(), frozenset({"chips"}))
    other = Features(frozenset({5}), frozenset(), frozenset())
    follows = [Follow(1, "region", region_id=3), Follow(2, "keyword", keyword="chips")]
    pieces = [(10, japan), (11, other), (12, chips), (13, japan)]
    assert edition_for(follows, pieces) == [
        Match(10, [Ref("region", 1, target_id=3)]),
        Match(12, [Ref("keyword", 2, keyword="chips")]),
        Match(13, [Ref("region", 1, target_id=3)]),
    ]
    assert edition_for(follows, [(11, other)]) is None
    assert edition_for(follows, [], link_only=True) == []
    assert edition_for([Follow(9, "mute", keyword="x")], [], link_only=True) is None


async def queue_planned(session: AsyncSession, now: dt.datetime, chunk: int = 2) -> int:
    queued = 0
    while (rows := await queue_next(session, now, chunk=chunk)) is not None:
        queued += rows
    return queued


async def plan_report(session: AsyncSession, report: DailyReport, now: dt.datetime) -> int:
    """What the fan-out does for a published report (its items' relationships are loaded)."""
    items = list(report.items)
    return await plan_publication(
        session,
        Publication("report", report.id, items),
        now=now,
        keywords=await keyword_sets(session),
        sizes=piece_bound,
    )


def shows(row: Delivery) -> list[int]:
    return [piece["id"] for piece in (row.edition or {})["items"]]


async def test_a_report_is_one_message_per_subscriber_listing_their_items(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        lian = await factory.commentator(s, "Lian Degui", "廉德瑰")
        japan_fan = await factory.subscriber(s, 101, follows=["japan", lian])
        europe_fan = await factory.subscriber(s, 102, follows=["europe"])
        keyword_fan = await factory.subscriber(s, 103, keywords=["semiconductor"])
        muted = await factory.subscriber(s, 104, follows=["japan"], mutes=["whaling"])
        paused = await factory.subscriber(s, 105, follows=["japan"], status="paused")
        daily = await factory.subscriber(s, 106, follows=["japan"], mode="daily")
        group = await factory.subscriber(s, -1001, follows=["japan"])
        report = await factory.report(
            s,
            [
                ItemSpec(
                    "Tokyo weighs semiconductor curbs",
                    regions=["japan"],
                    commentators=[lian],
                    url="https://example.org/a",
                ),
                ItemSpec("Whaling dispute returns", regions=["japan"]),
                ItemSpec("Brussels reviews EV duties", regions=["europe"]),
            ],
        )
        await publish(s, report_ids=[report.id], now=NOW)
        planned = await plan_report(s, report, NOW)
        written = await queue_planned(s, NOW)
        # Another fan-out of the same report (another process, later) queues nothing.
        await plan_report(s, report, NOW + dt.timedelta(seconds=1))
        again = await queue_planned(s, NOW + dt.timedelta(seconds=1))
        left = await s.scalar(select(func.count()).select_from(FanoutRecipient))

    async with db.session_factory() as s:
        rows = list(await s.scalars(select(Delivery).order_by(Delivery.id)))
    a, whale, ev = (i.id for i in report.items)
    assert {r.chat_id: shows(r) for r in rows} == {
        101: [a, whale],
        102: [ev],
        103: [a],
        104: [a],  # muted the whaling story, not the report
        -1001: [a, whale],
    }
    # One message per (chat, report), however many items and follows match.
    assert planned == 5 and written == len(rows) == 5 and again == 0 and left == 0
    japan_message = next(r for r in rows if r.chat_id == 101)
    first_item = (japan_message.edition or {})["items"][0]
    assert {ref.kind for ref in decode_refs(first_item["why"])} == {"region", "commentator"}
    assert all(
        (r.content_type, r.content_id, r.text, r.status, r.kind)
        == ("report", report.id, "", "pending", "alert")
        for r in rows
    )
    assert all((r.edition or {})["parts"] == 1 for r in rows)
    assert {japan_fan.id, europe_fan.id, keyword_fan.id, muted.id, group.id} == {
        r.subscriber_id for r in rows
    }
    assert paused.id not in {r.subscriber_id for r in rows}
    assert daily.id not in {r.subscriber_id for r in rows}


async def test_fan_out_sends_each_publication_once_and_nothing_to_daily_readers(
    db: Database,
) -> None:
    async with db.session_factory() as s, s.begin():
        ding = await factory.commentator(s, "Ding Chun", "丁纯")
        await factory.subscriber(s, 201, follows=["europe"])
        await factory.subscriber(s, 202, follows=[ding], mode="daily")
        report = await factory.report(
            s,
            [
                ItemSpec("EU summit ends", regions=["europe"]),
                ItemSpec("Brussels on chips", regions=["europe"]),
            ],
        )
        article = await factory.entry(
            s, EntrySpec("A standalone note on Europe.", regions=["europe"], kind="article")
        )
        digest = await factory.digest(
            s,
            "November Digest, Part 2",
            "https://example.org/digest",
            [
                EntrySpec("One.", regions=["europe"], commentators=[ding]),
                EntrySpec("Two.", regions=["japan"]),
                EntrySpec("Three.", regions=["europe"]),
            ],
        )
        entries = list(
            await s.scalars(
                select(factory.Entry)
                .where(factory.Entry.digest_id == digest.id)
                .order_by(factory.Entry.position)
            )
        )
        await publish(
            s,
            entry_ids=[article.id, *(e.id for e in entries)],
            report_ids=[report.id],
            digest_ids=[digest.id],
            now=NOW,
        )
    # A small fan-out is queued in full before fan_out returns; the plan is used up.
    first = await fan_out(db.session_factory, NOW)
    second = await fan_out(db.session_factory, NOW)
    async with db.session_factory() as s:
        rows = list(await s.scalars(select(Delivery).order_by(Delivery.id)))
        assert await s.scalar(select(func.count()).select_from(FanoutRecipient)) == 0
        assert await s.scalar(select(func.count()).select_from(FanoutBatch)) == 0

    assert first.queued == len(rows) == 3 and second.content == 0
    assert (first.entries, first.reports, first.digests) == (4, 1, 1)
    # The Europe follower: one message for the report (both items), one for the article, one
    # for the digest (its two Europe entries, not the Japan one). The daily Ding Chun
    # follower: nothing now; it all waits for the summary.
    by_type = {r.content_type: r for r in rows}
    assert {(r.chat_id, r.content_type) for r in rows} == {
        (201, "report"),
        (201, "entry"),
        (201, "digest"),
    }
    assert shows(by_type["report"]) == [i.id for i in report.items]
    assert shows(by_type["entry"]) == [article.id]
    assert shows(by_type["digest"]) == [entries[0].id, entries[2].id]
    assert (by_type["digest"].kind, by_type["report"].kind) == ("digest", "alert")


async def test_a_fan_out_cut_half_way_is_finished_by_the_next_without_duplicates(
    db: Database,
) -> None:
    async with db.session_factory() as s, s.begin():
        for chat in (301, 302, 303):
            await factory.subscriber(s, chat, follows=["africa"])
        report = await factory.report(
            s,
            [
                ItemSpec("Lagos port deal", regions=["africa"]),
                ItemSpec("Nairobi rail loan", regions=["africa"]),
            ],
        )
        await publish(s, report_ids=[report.id], now=NOW)

    def crash() -> None:
        raise RuntimeError("the process died once its plan was committed")

    with pytest.raises(RuntimeError):
        await fan_out(db.session_factory, NOW, on_queued=crash)
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(FanoutRecipient)) == 3
        # Part of the plan is expanded (by the feeder of a process still running, say).
        assert await queue_next(s, NOW, chunk=2) == 2
        await s.commit()
    later = NOW + dt.timedelta(seconds=5)
    again = await fan_out(db.session_factory, later)
    async with db.session_factory() as s:
        rows = list(await s.scalars(select(Delivery)))
    assert again.reports == 1 and len(rows) == 3
    assert len({r.dedup_key for r in rows}) == 3
    assert sorted(r.chat_id for r in rows) == [301, 302, 303]
    assert all(len(shows(r)) == 2 for r in rows)


async def test_recipients_are_expanded_as_they_are_when_their_turn_comes(db: Database) -> None:
    """Between publication and expansion (minutes, in a big fan-out) people change their minds:
    the outbox gets what their follows, mutes and status say then, and nothing retracted."""
    async with db.session_factory() as s, s.begin():
        stays = await factory.subscriber(s, 401, follows=["russia"])
        unfollows = await factory.subscriber(s, 402, follows=["russia"])
        pauses = await factory.subscriber(s, 403, follows=["russia"])
        goes_daily = await factory.subscriber(s, 404, follows=["russia"])
        mutes = await factory.subscriber(s, 405, follows=["russia"])
        report = await factory.report(
            s,
            [
                ItemSpec("Moscow gas talks stall", regions=["russia"], text="Pipeline pricing."),
                ItemSpec("Arctic route traffic grows", regions=["russia"]),
                ItemSpec("Kremlin visit planned", regions=["russia"]),
            ],
        )
        await publish(s, report_ids=[report.id], now=NOW)
        gas, arctic, visit = (i.id for i in report.items)
        assert await plan_report(s, report, NOW) == 5
    async with db.session_factory() as s, s.begin():
        await s.execute(delete(Subscription).where(Subscription.subscriber_id == unfollows.id))
        await s.execute(
            update(Subscriber).where(Subscriber.id == pauses.id).values(status="paused")
        )
        await s.execute(
            update(Subscriber).where(Subscriber.id == goes_daily.id).values(mode="daily")
        )
        s.add(
            Subscription(subscriber_id=mutes.id, kind="mute", keyword="pipeline", target="pipeline")
        )
        await retract_item(s, visit, actor_id=None, now=NOW)
    async with db.session_factory() as s, s.begin():
        assert await queue_planned(s, NOW) == 2
    async with db.session_factory() as s:
        rows = list(await s.scalars(select(Delivery).order_by(Delivery.id)))
    assert [(r.subscriber_id, shows(r)) for r in rows] == [
        (stays.id, [gas, arctic]),
        (mutes.id, [arctic]),
    ]


async def test_a_long_edition_is_split_between_items_and_parts_alternate_chats(
    db: Database,
) -> None:
    long = "a careful account of the negotiations and what each side wants " * 6
    async with db.session_factory() as s, s.begin():
        fans = [await factory.subscriber(s, 500 + i, follows=["africa"]) for i in range(3)]
        report = await factory.report(
            s,
            [
                ItemSpec(
                    f"Story {n}: " + long,
                    title_zh="非洲" * 100,
                    summary_zh="摘要" * 200,
                    url=f"https://example.org/{n}?" + "x" * 400,
                    regions=["africa"],
                    summary_en=long * 2,
                )
                for n in range(8)
            ],
        )
        await publish(s, report_ids=[report.id], now=NOW)
        await plan_report(s, report, NOW)
        queued = await queue_next(s, NOW)
    async with db.session_factory() as s:
        rows = list(await s.scalars(select(Delivery).order_by(Delivery.id)))
    ids = [f.id for f in fans]
    parts = len(rows) // 3
    assert queued == len(rows) and parts >= 2
    # Every first part, then every second ...: consecutive rows are for different chats.
    assert [r.subscriber_id for r in rows] == ids * parts
    for fan in ids:
        mine = [r for r in rows if r.subscriber_id == fan]
        assert [p for r in mine for p in shows(r)] == [i.id for i in report.items]
        assert [(r.edition or {})["part"] for r in mine] == list(range(1, parts + 1))
        assert len({r.dedup_key for r in mine}) == parts


async def test_a_digest_known_only_by_its_link_goes_to_everyone_who_follows_something(
    db: Database,
) -> None:
    async with db.session_factory() as s, s.begin():
        await factory.subscriber(s, 601, follows=["japan"])
        await factory.subscriber(s, 602, keywords=["chips"], mode="daily")
        await factory.subscriber(s, 603, follows=["europe"], status="paused")
        await factory.subscriber(s, 604, mutes=["football"])
        await factory.subscriber(s, 605)
        digest = await factory.digest(s, "December Digest", "https://example.org/dec", [])
        await publish(s, digest_ids=[digest.id], now=NOW)
    result = await fan_out(db.session_factory, NOW)
    again = await fan_out(db.session_factory, NOW)
    async with db.session_factory() as s:
        rows = list(await s.scalars(select(Delivery).order_by(Delivery.chat_id)))
    # The daily reader gets it in the summary; nobody else follows anything.
    assert result.digests == 1 and again.content == 0
    assert [(r.chat_id, r.content_type, r.content_id, shows(r)) for r in rows] == [
        (601, "digest", digest.id, []),
    ]


async def test_the_feeder_keeps_a_few_seconds_of_sends_queued_and_no_more(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        for i in range(6):
            await factory.subscriber(s, 700 + i, follows=["europe"])
        report = await factory.report(
            s,
            [
                ItemSpec("Berlin trade fair", regions=["europe"]),
                ItemSpec("Paris visit", regions=["europe"]),
            ],
        )
        await publish(s, report_ids=[report.id], now=NOW)
        assert await plan_report(s, report, NOW) == 6
    woken: list[int] = []
    # Three messages ahead is enough; two recipients (two messages) per chunk.
    feeder = RecipientFeeder(
        db.session_factory,
        lambda: NOW,
        rate=30,
        ahead=3,
        chunk=2,
        on_queued=lambda: woken.append(1),
    )

    async def counts() -> tuple[int, int]:
        async with db.session_factory() as s:
            rows = await s.scalar(select(func.count()).select_from(Delivery))
            waiting = await s.scalar(select(func.count()).select_from(FanoutRecipient))
        return int(rows or 0), int(waiting or 0)

    await feeder.top_up()
    assert await counts() == (4, 2) and len(woken) == 2
    await feeder.top_up()
    assert await counts() == (4, 2)  # still enough ahead
    async with db.session_factory() as s, s.begin():
        await s.execute(update(Delivery).values(status="sent"))
    await feeder.top_up()
    assert await counts() == (6, 0)
