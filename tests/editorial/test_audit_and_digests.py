"""/audit pages and /digest link registration."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.editorial import audit_view, digests
from bot.editorial.digests import BadLink, check_link, title_from_link
from storage import audit
from storage.models import Digest, KnownUser
from tests.db_fixtures import Database
from tests.editorial import factories as f


async def test_audit_pages_newest_first_with_names(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        s.add(KnownUser(user_id=1000, username="chief"))
        for n in range(23):
            await audit.record(s, 1000 if n % 2 else 2000, "publish", f"e{n}")
    async with db.session_factory() as s:
        first = await audit_view.page(s, 0)
        last = await audit_view.page(s, 99)  # past the end: the last page
    assert (first.page, first.pages, len(first.rows)) == (0, 3, 10)
    assert [r.target for r in first.rows[:2]] == ["e22", "e21"]
    assert (last.page, [r.target for r in last.rows]) == (2, ["e2", "e1", "e0"])
    assert first.names == {1000: "@chief"}


async def test_registering_a_digest_link_makes_one_draft(db: Database) -> None:
    link = "https://newsletter.example.com/p/november-digest-part-2?utm_source=tg"
    async with db.session_factory() as s, s.begin():
        made = await digests.register(s, link, None, actor_id=1, now=f.NOW, timezone="UTC")
        again = await digests.register(
            s,
            "https://newsletter.example.com/p/november-digest-part-2",
            "Other",
            actor_id=1,
            now=f.NOW,
            timezone="UTC",
        )
    assert made.created and not again.created and again.digest.id == made.digest.id
    assert made.digest.link == "https://newsletter.example.com/p/november-digest-part-2"
    assert (made.digest.title, made.digest.status, made.digest.month) == (
        "November digest part 2",
        "draft",
        "2025-11",
    )
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(Digest.id))) == 1


@pytest.mark.parametrize(
    "text", ["not a link", "ftp://example.com/x", "https://", "http://exa mple.com", "https://x/"]
)
def test_bad_links_are_refused(text: str) -> None:
    with pytest.raises(BadLink):
        check_link(text)


def test_stand_in_titles() -> None:
    assert title_from_link("https://example.com/2025/11/") == "example.com"
    assert title_from_link("https://example.com/posts/china_digest.html") == "China digest"
