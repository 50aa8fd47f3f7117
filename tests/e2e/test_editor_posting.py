"""Editors post from their phones: paste or upload, check the preview, publish, and the
subscribers who follow the content receive it."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.emulator import EmuMessage
from storage.models import (
    ContentStatus,
    DailyReport,
    Delivery,
    DeliveryStatus,
    Digest,
    Entry,
    Region,
    ReportItem,
    Subscriber,
    Subscription,
)
from tests.e2e.conftest import RunningBot
from tests.editorial.documents import ARTICLE_003, DAILY_REPORT, DIGEST

EDITOR = 8001
JAPAN_FAN = 8101
EUROPE_FAN = 8102
ARTICLE_TITLE = "Why Tokyo And Beijing Keep Talking About Supply Chains"


async def _follow(running_bot: RunningBot, user_id: int, slug: str) -> None:
    running_bot.user(user_id)
    async with running_bot.session_factory() as session, session.begin():
        region = (await session.scalars(select(Region).where(Region.slug == slug))).one()
        subscriber = Subscriber(chat_id=user_id, chat_type="private")
        subscriber.subscriptions.append(
            Subscription(kind="region", region_id=region.id, target=slug)
        )
        session.add(subscriber)


async def _outbox_settled(running_bot: RunningBot, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait until everything published was fanned out and nothing waits in the outbox."""

    async def busy() -> int:
        # Unfanned content first, then the outbox: SQLite runs each SELECT on its own snapshot,
        # and in this order a fan-out committed between the two cannot slip through unseen.
        async with running_bot.session_factory() as session:
            unfanned = 0
            for model in (Entry, DailyReport):
                unfanned += (
                    await session.scalar(
                        select(func.count(model.id)).where(
                            model.status == ContentStatus.PUBLISHED, model.fanned_out_at.is_(None)
                        )
                    )
                    or 0
                )
            waiting = await session.scalar(
                select(func.count(Delivery.id)).where(
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
                )
            )
            return int(waiting or 0) + unfanned

    # The outbox is in the database, which signals nothing: poll it, within the timeout.
    async with asyncio.timeout(timeout):
        while await busy():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def _button_texts(message: EmuMessage) -> list[str]:
    return message.button_texts


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_an_editor_pastes_an_article_previews_it_and_a_japan_follower_receives_it(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, JAPAN_FAN, "japan")
    await _follow(running_bot, EUROPE_FAN, "europe")

    preview = await running_bot.command(EDITOR, "/post\n" + ARTICLE_003)
    text = preview.text or ""
    assert "Preview of e" in text and "(draft)" in text
    assert "He Jun" in text and ARTICLE_TITLE in text
    assert "🌏 Japan" in text
    assert "Leave a Reply" not in text  # boilerplate is not what subscribers get
    assert _button_texts(preview) == [
        "✅ Publish",
        "🗑 Discard",
        "🌏 Edit regions",
        "👤 Edit commentators",
    ]
    # Nothing goes out before Publish.
    async with running_bot.session_factory() as session:
        entry = (await session.scalars(select(Entry))).one()
        assert entry.status == ContentStatus.DRAFT
    assert running_bot.emulator.messages(JAPAN_FAN) == []

    pressed = await running_bot.press(EDITOR, preview, text="Publish")
    assert pressed.answer["text"].startswith(f"✅ Published e{entry.id}")
    assert "(published)" in pressed.text
    assert "Publish" not in " ".join(pressed.message.button_texts)

    alert = await running_bot.emulator.wait_for_message(JAPAN_FAN, ARTICLE_TITLE)
    assert "He Jun" in (alert.text or "")
    await _outbox_settled(running_bot)
    assert running_bot.emulator.messages(EUROPE_FAN) == []


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_an_uploaded_daily_report_is_published_and_a_japan_follower_gets_only_japan(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, JAPAN_FAN, "japan")
    await _follow(running_bot, EUROPE_FAN, "europe")

    running_bot.emulator.send_document(EDITOR, DAILY_REPORT, "press-review-2025-09-02.md")
    preview = await running_bot.emulator.wait_for_message(EDITOR, "Daily report r")
    text = preview.text or ""
    async with running_bot.session_factory() as session:
        items = (await session.scalars(select(ReportItem).order_by(ReportItem.position))).all()
    assert [i.status for i in items] == ["draft"] * 3
    assert f"i{items[0].id} Japan and China hold rare-earth talks in Tokyo — Japan" in text
    assert f"i{items[1].id} EU weighs new tariffs on Chinese electric vehicles — Europe" in text
    assert f"i{items[2].id} China funds a new port in Kenya — Africa" in text
    assert "3 items" in text and "Subscribers would miss" not in text

    await running_bot.press(EDITOR, preview, text="Publish")
    japan = await running_bot.emulator.wait_for_message(JAPAN_FAN, "rare-earth talks")
    assert "日本与中国在东京举行稀土会谈" in (japan.text or "")
    await running_bot.emulator.wait_for_message(EUROPE_FAN, "EU weighs new tariffs")
    await _outbox_settled(running_bot)
    assert len(running_bot.emulator.messages(JAPAN_FAN)) == 1
    assert len(running_bot.emulator.messages(EUROPE_FAN)) == 1


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_preview_warns_and_the_editor_fixes_regions_and_commentators_first(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, JAPAN_FAN, "japan")
    post = "**Harbour talks resume**\n\nOfficials met again on Monday to discuss shipping fees."
    preview = await running_bot.command(EDITOR, "/post " + post)
    text = preview.text or ""
    assert "Subscribers would miss" in text
    assert "no region — region followers will not get it" in text
    assert "no commentator" in text

    picker = await running_bot.press(EDITOR, preview, text="Edit regions")
    assert "▫️ Japan" in picker.message.button_texts
    toggled = await running_bot.press(EDITOR, picker.message, text="Japan")
    assert "✅ Japan" in toggled.message.button_texts
    back = await running_bot.press(EDITOR, toggled.message, text="Back to preview")
    assert "🌏 Japan" in back.text and "no region" not in back.text

    await running_bot.press(EDITOR, back.message, text="Edit commentators")
    prompt = await running_bot.emulator.wait_for_message(EDITOR, "👤 Commentators of e")
    before = len(running_bot.emulator.messages(EDITOR))
    running_bot.emulator.send_message(
        EDITOR, "Huang Jing (黄靖), Wang Yiwei (王义桅)", reply_to=prompt.message_id
    )
    sent = await running_bot.emulator.wait_for_messages(EDITOR, before + 1)
    fixed = sent[-1]
    assert "commentators changed from “none” to “Huang Jing (黄靖); Wang Yiwei (王义桅)”" in (
        fixed.text or ""
    )
    assert "Subscribers would miss" not in (fixed.text or "")

    await running_bot.press(EDITOR, fixed, text="Publish")
    alert = await running_bot.emulator.wait_for_message(JAPAN_FAN, "Harbour talks resume")
    assert "Huang Jing (黄靖) & Wang Yiwei (王义桅)" in (alert.text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_bad_posts_get_a_clear_message_and_store_nothing(running_bot: RunningBot) -> None:
    running_bot.user(EDITOR, "Editor")
    usage = await running_bot.command(EDITOR, "/post")
    assert "Send /post followed by the text" in (usage.text or "")
    running_bot.emulator.send_document(EDITOR, b"%PDF-1.4", "scan.pdf")
    wrong = await running_bot.emulator.wait_for_message(EDITOR, "Only .txt, .md and .html")
    assert "scan.pdf" in (wrong.text or "")
    running_bot.emulator.send_document(EDITOR, "x" * (2 * 1024 * 1024 + 10), "huge.txt")
    await running_bot.emulator.wait_for_message(EDITOR, "files up to 2.0 MB can be posted")
    broken = await running_bot.command(
        EDITOR, "/post 英文媒体关于中国的报道汇总 2025-09-02\n摘要\n中文标题: 没有编号的标题"
    )
    assert "I could not read that (line" in (broken.text or "")
    assert "Nothing was stored." in (broken.text or "")
    async with running_bot.session_factory() as session:
        for model in (Entry, DailyReport, ReportItem):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_whole_digest_previews_as_a_list_and_publishes_in_one_go(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, JAPAN_FAN, "japan")
    running_bot.emulator.send_document(EDITOR, DIGEST, "october-digest.txt", caption="/post")
    preview = await running_bot.emulator.wait_for_message(EDITOR, "Digest d")
    async with running_bot.session_factory() as session:
        digest = (await session.scalars(select(Digest))).one()
        entries = (await session.scalars(select(Entry).order_by(Entry.position))).all()
    text = preview.text or ""
    assert f"Digest d{digest.id} (draft): October Digest | Part 1" in text
    assert f"e{entries[0].id} Huang Jing (黄靖): " in text and "— Japan" in text
    assert f"e{entries[1].id} Wang Yiwei (王义桅): " in text and "— Europe" in text
    assert f"no link to the digest — add one with /digest <link> d{digest.id}" in text

    linked = await running_bot.command(
        EDITOR, f"/digest https://newsletter.example.com/p/october-digest d{digest.id}"
    )
    assert "Link: https://newsletter.example.com/p/october-digest" in (linked.text or "")
    assert "no link" not in (linked.text or "")
    await running_bot.press(EDITOR, linked, text="Publish")
    got = await running_bot.emulator.wait_for_message(JAPAN_FAN, "October Digest")
    assert any(
        e.get("url") == "https://newsletter.example.com/p/october-digest" for e in got.entities
    )
    async with running_bot.session_factory() as session:
        statuses = (await session.scalars(select(Entry.status))).all()
    assert statuses == ["published", "published"]


SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _seed(prefix: str) -> bytes:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed {prefix}_*.txt not found in {SEEDS}")
    return found[0].read_bytes()


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_the_real_daily_report_reaches_a_japan_follower_with_its_japan_items_only(
    running_bot: RunningBot,
) -> None:
    data = _seed("001")
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, JAPAN_FAN, "japan")
    running_bot.emulator.send_document(EDITOR, data, "report.txt")
    preview = await running_bot.emulator.wait_for_message(EDITOR, "Daily report r")
    assert len(preview.source_text or "") <= 4096
    assert preview.button_texts[:2] == ["1/3", "▶"]  # 33 items, 12 a page
    await running_bot.press(EDITOR, preview, text="Publish")
    await _outbox_settled(running_bot, timeout=10)
    async with running_bot.session_factory() as session:
        japan_items = (
            await session.scalars(
                select(ReportItem.headline).join(ReportItem.regions).where(Region.slug == "japan")
            )
        ).all()
    got = running_bot.emulator.messages(JAPAN_FAN)
    assert len(japan_items) >= 1
    assert len(got) == 1  # one message for the edition, listing every Japan item
    for headline in japan_items:
        assert html.unescape(headline) in (got[0].text or ""), headline


ENGLISH_READER = 8103
TAGGED_REPORT = Path(__file__).parents[1] / "fixtures" / "tagging" / "report_2026-03-10.txt"


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_an_english_reader_gets_the_summary_made_from_the_article_at_ingest(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    await _follow(running_bot, ENGLISH_READER, "japan")
    await running_bot.command(ENGLISH_READER, "/content en")

    running_bot.emulator.send_document(EDITOR, TAGGED_REPORT.read_bytes(), "review.txt")
    preview = await running_bot.emulator.wait_for_message(EDITOR, "Daily report r")
    await running_bot.press(EDITOR, preview, text="Publish")
    edition = await running_bot.emulator.wait_for_message(ENGLISH_READER, "coastguard")

    text = edition.text or ""
    # The item's English summary, made at ingest from the article's lead, not its headline.
    assert "Japan lodged a protest with Beijing on Sunday" in text
    assert re.search(r"[\u3400-\u9fff]", text) is None  # no Chinese they did not ask for
