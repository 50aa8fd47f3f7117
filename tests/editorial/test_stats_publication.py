"""/stats <publication>: what became of its messages, and the clicks on its links."""

from __future__ import annotations

from sqlalchemy import insert

from bot.editorial.refs import ContentRef
from bot.editorial.stats import publication, recent_publications
from storage.models import LinkClick, SummaryItem, SummaryRun
from tests.db_fixtures import Database
from tests.editorial import factories as f
from tests.site import archive


async def test_a_reports_messages_by_outcome(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        built = await archive.build(s)
        first, second = built.item_ids
        subs = [await f.subscriber(s, chat) for chat in (1, 2, 3, 4, 5, 6)]
        s.add_all(
            [
                f.delivery(subs[0], "item", first, "sent", n=1),
                f.delivery(subs[0], "item", second, "sent", n=2),
                f.delivery(
                    subs[1],
                    "item",
                    first,
                    "failed",
                    n=3,
                    last_error="Forbidden: bot was blocked by the user",
                ),
                f.delivery(
                    subs[2], "item", first, "failed", n=4, last_error="BadRequest: Chat not found"
                ),
                f.delivery(
                    subs[3],
                    "item",
                    first,
                    "failed",
                    n=5,
                    last_error="BadRequest: message is too long",
                ),
                f.delivery(subs[4], "item", first, "pending", n=6),
                # Someone else's item: not counted.
                f.delivery(subs[4], "item", 999, "sent", n=7),
            ]
        )
        # A daily summary listing the report's item counts as one message of it.
        run = SummaryRun(subscriber_id=subs[5].id, period="2025-11-05", items=1)
        s.add(run)
        await s.flush()
        s.add(SummaryItem(run_id=run.id, content_type="item", content_id=second))
        summary = f.delivery(subs[5], "summary", run.id, "sent", n=8)
        summary.kind = "summary"
        s.add(summary)
        await s.execute(
            insert(LinkClick),
            [
                {
                    "publication_kind": "r",
                    "publication_id": built.report_id,
                    "item_kind": "i",
                    "item_id": second,
                },
                {
                    "publication_kind": "d",
                    "publication_id": built.digest_id,
                    "item_kind": "e",
                    "item_id": built.entry_ids[0],
                },
            ],
        )
    async with db.session_factory() as s:
        numbers = await publication(s, ContentRef("r", built.report_id))
        digest = await publication(s, ContentRef("d", built.digest_id))
        missing = await publication(s, ContentRef("r", 4242))
        recent = await recent_publications(s)
    assert numbers is not None
    assert numbers.title == "Press review 5 November"
    assert (numbers.delivered, numbers.blocked, numbers.failed, numbers.queued) == (3, 2, 1, 1)
    assert numbers.sent == 6
    assert numbers.clicks == 1
    assert [c.title for c in numbers.top] == ["Shipping lanes in the South China Sea"]
    assert digest is not None and digest.clicks == 1 and digest.delivered == 0
    assert missing is None
    assert [str(r.ref) for r in recent] == [f"r{built.report_id}", f"d{built.digest_id}"]
