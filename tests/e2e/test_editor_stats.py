"""/stats as an editor reads it: one publication, and the latest ones under the overview."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from storage.models import LinkClick
from tests.e2e.conftest import RunningBot
from tests.editorial import factories as f
from tests.site import archive

EDITOR = 9001


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_editor_reads_stats_of_a_report_and_the_latest(running_bot: RunningBot) -> None:
    running_bot.user(EDITOR, "Editor")
    async with running_bot.session_factory() as s, s.begin():
        built = await archive.build(s)
        reader = await f.subscriber(s, 77)
        s.add(f.delivery(reader, "item", built.item_ids[0], "sent", n=1))
        await s.execute(
            insert(LinkClick),
            [
                {
                    "publication_kind": "r",
                    "publication_id": built.report_id,
                    "item_kind": "i",
                    "item_id": built.item_ids[0],
                }
            ]
            * 2,
        )
    one = await running_bot.command(EDITOR, f"/stats r{built.report_id}")
    text = one.text or ""
    assert f"r{built.report_id} Press review 5 November" in text
    assert "Sent 1 · delivered 1 · blocked 0 · failed 0 · still queued 0" in text
    assert "Clicks: 2" in text
    assert "• 2 · Rare earth exports slow again" in text
    assert "Clicks are not counted: set PUBLIC_URL" in text  # this bot has no public address

    overview = await running_bot.command(EDITOR, "/stats")
    assert "Recent publications" in (overview.text or "")
    assert f"r{built.report_id} Press review 5 November: 1 delivered, 2 clicks" in (
        overview.text or ""
    )
    assert f"d{built.digest_id} November digest: 0 delivered, 0 clicks" in (overview.text or "")

    unknown = await running_bot.command(EDITOR, "/stats r4242")
    assert unknown.text == "No publication r4242."
    bad = await running_bot.command(EDITOR, "/stats yesterday")
    assert "Give a publication such as r7" in (bad.text or "")
