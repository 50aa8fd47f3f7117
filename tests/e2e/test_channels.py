"""The edition in channels: an editor connects a channel or supergroup (the bot must be an
administrator who can post there, else the reply says what is missing), and every published
report, digest and article then reaches it as the whole edition, in a few posts split between
items, within Telegram's 20 posts a minute per chat; forum supergroups get items in the topics
their regions map to."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from bot.delivery import notify_published
from bot.publishing import publish
from storage.models import AuditLog, Channel, Delivery, Entry
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, ItemSpec, outbox_settled
from tests.e2e.conftest import RunningBot

EDITOR = 7301
READER = 7302
STRANGER = 7303


def long_item(n: int, repeat: int = 30) -> ItemSpec:
    """An item whose Chinese summary is long enough that a few fill a post."""
    summary = f"第{n}条摘要：" + "东京与北京就出口管制、稀土供应和芯片贸易展开新一轮磋商。" * repeat
    return ItemSpec(
        f"Headline {n}: Tokyo & Beijing <talk> trade",
        title_zh=f"第{n}条标题",
        summary_zh=summary,
        url=f"https://news.example.org/story-{n}",
        regions=["japan"],
    )


async def publish_report(bot: RunningBot, items: list[ItemSpec]) -> list[int]:
    async with bot.session_factory() as s, s.begin():
        report = await factory.report(s, items)
        await publish(s, report_ids=[report.id], now=bot.services.clock())
        ids = [i.id for i in report.items]
    notify_published(bot.services)
    return ids


async def channel_rows(bot: RunningBot) -> list[Delivery]:
    rows = await outbox_settled(bot.session_factory)
    return [r for r in rows if r.kind == "channel"]


async def connected(bot: RunningBot) -> list[Channel]:
    async with bot.session_factory() as s:
        return list(await s.scalars(select(Channel).where(Channel.status == "active")))


async def connect(bot: RunningBot, ref: str) -> str:
    reply = await bot.command(EDITOR, f"/channel add {ref}")
    assert "Connected" in (reply.text or ""), reply.text
    return reply.text or ""


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_editor_connects_a_channel_where_the_bot_can_post_and_sees_it_listed(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")

    text = await connect(bot, "@ChinaWatch")
    listed = await bot.command(EDITOR, "/channel list")

    assert "China Watch" in text and "@chinawatch" in text
    assert "China Watch (@chinawatch) (channel), summaries: English and Chinese" in (
        listed.text or ""
    )
    [row] = await connected(bot)
    assert (row.chat_id, row.type, row.added_by) == (channel.id, "channel", EDITOR)
    again = await bot.command(EDITOR, f"/channel add {channel.id}")
    assert "already connected" in (again.text or "")
    assert len(await connected(bot)) == 1


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("unknown", "Telegram does not know @nosuchchannel"),
        ("left", "The bot is not a member of"),
        ("member", "is not an administrator"),
        ("no_post_right", "without the right to post messages"),
        ("supergroup_member", "is not an administrator"),
        ("basic_group", "is a basic group"),
        ("person", "is a person, not a channel"),
    ],
)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_add_says_what_is_missing_and_stores_nothing(
    running_bot: RunningBot, setup: str, expected: str
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    emulator = bot.emulator
    ref = "@nosuchchannel"
    if setup == "left":
        chat = emulator.create_channel("Gone", username="gone_channel", bot_admin=False)
        chat.bot_status = "left"
        ref = str(chat.id)
    elif setup == "member":
        emulator.create_channel("Readers", username="readers_only", bot_admin=False)
        ref = "@readers_only"
    elif setup == "no_post_right":
        emulator.create_channel(
            "Muted", username="muted_bot", bot_rights={"can_post_messages": False}
        )
        ref = "https://t.me/muted_bot"
    elif setup == "supergroup_member":
        emulator.create_group("Chatty", username="chatty_group", bot_admin=False)
        ref = "@chatty_group"
    elif setup == "basic_group":
        ref = str(emulator.create_group("Small", supergroup=False, bot_admin=True).id)
    elif setup == "person":
        bot.user(READER, username="some_reader")
        ref = "@some_reader"

    reply = await bot.command(EDITOR, f"/channel add {ref}")

    assert expected in (reply.text or "")
    assert await connected(bot) == []
    async with bot.session_factory() as s:
        assert list(await s.scalars(select(AuditLog).where(AuditLog.action == "channel.add"))) == []


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_long_report_reaches_the_channel_whole_in_a_few_posts_split_between_items(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(READER)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    await connect(bot, "@chinawatch")
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, READER, follows=["japan"])
    items = [long_item(n) for n in range(1, 13)]

    ids = await publish_report(bot, items)
    rows = await channel_rows(bot)

    posts = bot.emulator.messages(channel.id)
    assert 2 <= len(posts) < len(items)
    assert all(len(p.source_text or "") <= 4096 for p in posts)
    # Every item exactly once, in order, never cut: headline, Chinese title, whole summary, link.
    text = "\n".join(p.text or "" for p in posts)
    positions = [text.index(f"Headline {n}: Tokyo & Beijing <talk> trade") for n in range(1, 13)]
    assert positions == sorted(positions)
    for spec in items:
        [holder] = [p for p in posts if spec.headline in (p.text or "")]
        assert spec.title_zh in (holder.text or "") and spec.summary_zh in (holder.text or "")
        assert html.escape(spec.url or "") in (holder.source_text or "")
    assert "part 2/" in (posts[1].text or "")
    # The reader still gets their own edition (split between items too); the channel's rows
    # say what each post shows.
    mine = bot.emulator.messages(READER)
    assert 1 <= len(mine) < len(items)
    assert all(any(spec.headline in (m.text or "") for m in mine) for spec in items)
    assert [r.telegram_message_id for r in rows] == [p.message_id for p in posts]
    shown = [piece["id"] for r in rows for piece in (r.edition or {}).get("items", [])]
    assert shown == ids
    assert all((r.edition or {}).get("publication", [""])[0] == "report" for r in rows)
    assert all(r.status == "sent" and r.chat_id == channel.id for r in rows)


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_digest_reaches_the_channel_grouped_by_region(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    await connect(bot, "@chinawatch")
    async with bot.session_factory() as s, s.begin():
        lian = await factory.commentator(s, "Lian Degui", "廉德瑰")
        digest = await factory.digest(
            s,
            "November digest, part 2",
            "https://newsletter.example.org/digest-11-2",
            [
                EntrySpec("Tokyo weighs its chip rules.", [lian], ["japan"], title="Chips"),
                EntrySpec("Brussels and Beijing on tariffs.", regions=["europe"], title="Tariffs"),
                EntrySpec("A view from nowhere in particular.", title="Misc"),
                EntrySpec("Japan again, on rare earths.", regions=["japan"], title="Rare"),
            ],
        )
        entry_ids = list(await s.scalars(select(Entry.id).where(Entry.digest_id == digest.id)))
        await publish(s, entry_ids=entry_ids, digest_ids=[digest.id], now=bot.services.clock())
    notify_published(bot.services)

    rows = await channel_rows(bot)

    [post] = bot.emulator.messages(channel.id)
    text = post.text or ""
    assert "November digest, part 2" in text and "Read the digest" in text
    # Regions in the newsletter's order (Europe before Japan), entries without a region last.
    order = ["Europe", "Tariffs", "Japan", "Lian Degui (廉德瑰)", "Chips", "Rare", "Other", "Misc"]
    positions = [text.index(word) for word in order]
    assert positions == sorted(positions)
    [row] = rows
    assert row.edition is not None and row.edition["publication"] == ["digest", digest.id]


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_single_article_reaches_the_channel_in_its_content_language(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("中国观察", username="zhwatch")
    await connect(bot, "@zhwatch")
    set_reply = await bot.command(EDITOR, "/channel language @zhwatch zh")
    assert "Chinese" in (set_reply.text or "")
    async with bot.session_factory() as s, s.begin():
        entry = await factory.entry(
            s,
            EntrySpec(
                "An English summary.",
                title="English title",
                title_zh="中文标题",
                kind="article",
                url="https://example.org/a",
            ),
        )
        await publish(s, entry_ids=[entry.id], now=bot.services.clock())
    notify_published(bot.services)

    await channel_rows(bot)

    [post] = bot.emulator.messages(channel.id)
    assert "中文标题" in (post.text or "") and "English title" not in (post.text or "")
    assert "阅读全文" in (post.text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_forum_supergroup_gets_items_in_their_regions_topics(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    forum = bot.emulator.create_group("Watchers", username="watchers", forum=True, bot_admin=True)
    japan_topic = bot.emulator.create_topic(forum.id, "Japan")
    europe_topic = bot.emulator.create_topic(forum.id, "Europe")
    misc_topic = bot.emulator.create_topic(forum.id, "Everything else")
    added = await connect(bot, "@watchers")
    assert "/channel topic" in added
    for target, topic in (("japan", japan_topic), ("Europe", europe_topic)):
        reply = await bot.command(EDITOR, f"/channel topic @watchers {target} {topic}")
        assert f"go to topic {topic}" in (reply.text or "")
    bad = await bot.command(EDITOR, "/channel topic @watchers russia 999")
    assert "cannot post in topic 999" in (bad.text or "")
    default = await bot.command(EDITOR, f"/channel topic @watchers default {misc_topic}")
    assert f"go to topic {misc_topic}" in (default.text or "")
    listed = await bot.command(EDITOR, "/channel list")
    assert f"Japan → {japan_topic}" in (listed.text or "")

    await publish_report(
        bot,
        [
            ItemSpec("Tokyo item", regions=["japan"]),
            ItemSpec("Brussels item", regions=["europe"]),
            ItemSpec("Both item", regions=["japan", "us-china"]),
            ItemSpec("Moscow item", regions=["russia"]),
        ],
    )
    await channel_rows(bot)

    def texts(topic: int) -> str:
        return "\n".join(m.text or "" for m in bot.emulator.messages(forum.id, thread_id=topic))

    assert "Tokyo item" in texts(japan_topic) and "Both item" in texts(japan_topic)
    assert "Brussels item" in texts(europe_topic) and "Tokyo item" not in texts(europe_topic)
    assert "Moscow item" in texts(misc_topic) and "Tokyo item" not in texts(misc_topic)
    assert all(m.thread_id for m in bot.emulator.messages(forum.id) if m.method == "sendMessage")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_removed_channel_gets_nothing_more(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    other = bot.emulator.create_channel("Second", username="second_watch")
    await connect(bot, "@chinawatch")
    await connect(bot, "@second_watch")

    reply = await bot.command(EDITOR, "/channel remove @chinawatch")
    await publish_report(bot, [ItemSpec("After removal", regions=["japan"])])
    await channel_rows(bot)

    assert "Removed" in (reply.text or "")
    assert bot.emulator.messages(channel.id) == []
    assert "After removal" in (bot.emulator.messages(other.id)[0].text or "")
    assert [c.username for c in await connected(bot)] == ["second_watch"]
    missing = await bot.command(EDITOR, "/channel remove @chinawatch")
    assert "is not a connected channel" in (missing.text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_non_editors_are_refused_and_nothing_changes(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(STRANGER)
    bot.emulator.create_channel("China Watch", username="chinawatch")
    bot.emulator.create_channel("Other", username="other_watch")
    await connect(bot, "@chinawatch")

    for command in (
        "/channel add @other_watch",
        "/channel remove @chinawatch",
        "/channel list",
        "/channel language @chinawatch en",
    ):
        reply = await bot.command(STRANGER, command)
        assert reply.text == "This command is for editors."

    [row] = await connected(bot)
    assert (row.username, row.content_language) == ("chinawatch", "both")


@pytest.mark.emulator(rate_limits=True, group_per_minute=20, group_period=3.0)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_channel_posts_keep_to_twenty_a_minute_without_flood_errors(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    await connect(bot, "@chinawatch")
    runtime = bot.services.delivery
    # The emulator's "minute" lasts 3 s here; the bot's limiter is given the same window.
    runtime.limiter.limits.group_period = 3.0
    # Summaries at the longest alerts show: two items a post, so 46 items make 23 posts.
    items = [long_item(n, repeat=60) for n in range(1, 47)]

    await publish_report(bot, items)
    rows = await outbox_settled(bot.session_factory, timeout=30)

    posts = bot.emulator.messages(channel.id)
    assert len(posts) > 20 and all(r.status == "sent" for r in rows)
    assert bot.emulator.counters.too_many_requests == 0
    assert bot.emulator.max_sends_in_window(3.0, chat_id=channel.id) <= 20


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_the_list_warns_when_the_bot_can_no_longer_post_in_a_channel(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    await connect(bot, "@chinawatch")
    bot.emulator.kick_bot(channel.id)

    await publish_report(bot, [ItemSpec("Nobody reads this", regions=["japan"])])
    [row] = await channel_rows(bot)
    listed = await bot.command(EDITOR, "/channel list")

    assert row.status == "failed" and bot.emulator.messages(channel.id) == []
    assert "its last post failed" in (listed.text or "")
    assert "bot was kicked from the channel chat" in (listed.text or "")


AUTHOR = 7302


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_an_author_lists_channels_but_only_a_publisher_connects_one(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(AUTHOR, "Writer")
    bot.emulator.create_channel("China Watch", username="chinawatch")
    await bot.command(EDITOR, f"/editor add {AUTHOR} author")

    refused = await bot.command(AUTHOR, "/channel add @chinawatch")
    assert "needs the publisher role" in (refused.text or "")
    assert await connected(bot) == []
    listed = await bot.command(AUTHOR, "/channel list")
    assert "publisher role" not in (listed.text or "")

    await connect(bot, "@chinawatch")
    assert len(await connected(bot)) == 1
    removed = await bot.command(AUTHOR, "/channel remove @chinawatch")
    assert "needs the publisher role" in (removed.text or "")
    assert len(await connected(bot)) == 1
