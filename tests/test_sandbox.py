"""`digestbot sandbox`: a newcomer tries the bot in a terminal, with no Telegram token.

The session is driven through `sandbox_session` with scripted lines and a captured output, on a
temporary SQLite database, as the terminal drives it; two tests run the real command in a
subprocess (piped, and on a pseudo-terminal).
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import os
import re
import select
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select
from sqlalchemy.orm import selectinload

from bot.config import Settings
from bot.emulator import EmuChat, EmuMessage
from bot.i18n import catalog, t
from bot.sandbox import commands, display, identities, sandbox_session
from bot.sandbox.display import Style
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Editor, Subscriber

REPO = Path(__file__).resolve().parents[1]
JAPAN_ARTICLE = (
    "Japan and China resume talks on rare earths in Tokyo. Trade ministers from both "
    "countries met on Monday to discuss export licences for magnets."
)


def visible(rendered_html: str) -> str:
    """What a reader sees of a catalog message: no tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered_html))


def visible_prefix(key: str) -> str:
    """The visible text of a catalog message before its first placeholder."""
    return visible(catalog()[key]["en"].split("{", 1)[0]).strip()


WELCOME = visible(t("en", "sub.start.welcome")).splitlines()[0]
EDITORS_ONLY = visible(t("en", "error.editors_only"))


Line = str | Callable[["Script"], str]


class Script:
    """Lines to type, and what the sandbox printed after each of them. A line may be a
    function of what was printed so far (to press a button whose number was just shown)."""

    def __init__(self, *lines: Line) -> None:
        self.script = lines
        self.typed: list[str] = []
        self.printed: dict[int, list[str]] = defaultdict(list)  # -1: the banner

    async def feed(self) -> AsyncIterator[str]:
        for line in self.script:
            self.typed.append(line if isinstance(line, str) else line(self))
            yield self.typed[-1]

    def out(self, text: str) -> None:
        self.printed[len(self.typed) - 1].append(text)

    def after(self, line: str, occurrence: int = 1) -> str:
        """Everything printed in answer to the `occurrence`-th time `line` was typed."""
        indices = [i for i, typed in enumerate(self.typed) if typed == line]
        return "\n".join(self.printed[indices[occurrence - 1]][1:])  # [0] echoes the line

    @property
    def banner(self) -> str:
        return "\n".join(self.printed[-1])


async def run(settings: Settings, *lines: Line) -> Script:
    script = Script(*lines)
    code = await sandbox_session(settings, script.feed(), script.out)
    assert code == 0, script.printed
    everything = "\n".join(text for block in script.printed.values() for text in block)
    assert "Telegram would refuse" not in everything
    return script


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        telegram_bot_token=None,
        admin_ids=[],
        default_timezone="UTC",
    )


async def subscribers(settings: Settings) -> list[Subscriber]:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            query = sql_select(Subscriber).options(selectinload(Subscriber.subscriptions))
            return list(await session.scalars(query.order_by(Subscriber.id)))
    finally:
        await engine.dispose()


def button_number(block: str, label: str) -> int:
    """The number the terminal shows on the button whose text ends with `label`."""
    match = re.search(rf"\[(\d+)\] [^\[\n]*?{re.escape(label)}\b", block)
    assert match, f"no button {label!r} in:\n{block}"
    return int(match.group(1))


# --- stories ------------------------------------------------------------------------------


async def test_a_newcomer_starts_subscribes_with_a_button_and_gets_a_check_mark(
    settings: Settings,
) -> None:
    def japan_button(script: Script) -> str:
        return str(button_number(script.after("/subscribe"), "Japan"))

    script = await run(settings, "/start", "/subscribe", japan_button, "/list")
    assert "/start" in script.banner and ":editor" in script.banner
    assert WELCOME in script.after("/start")
    regions = script.after("/subscribe")
    assert "[1]" in regions and "✅" not in regions

    pressed = script.after(japan_button(script))
    assert pressed.startswith("bot › (edited)")
    assert f"[{japan_button(script)}] ✅ Japan" in pressed
    assert "[toast]" in pressed  # the bot's answer to the press, under the message
    assert "Japan" in script.after("/list")

    [you] = await subscribers(settings)
    assert you.chat_id == identities.FIRST_USER_ID
    assert [s.target for s in you.subscriptions] == ["japan"]


async def test_an_editor_posts_publishes_and_followers_get_it_now_or_in_their_summary(
    settings: Settings,
) -> None:
    # The daily follower's summary is due in an hour; the clock is then moved past it.
    summary_time = f"{dt.datetime.now(dt.UTC) + dt.timedelta(hours=1):%H:%M}"
    script = await run(
        settings,
        "/subscribe japan",
        ":user dana",
        "/mode daily",
        f"/time {summary_time}",
        "/subscribe japan",
        ":user bob",
        f"/post {JAPAN_ARTICLE}",
        ":editor",
        f"/post {JAPAN_ARTICLE}",
        ":press Publish",
        ":wait",
        ":user you",
        ":user dana",
        ":time +2h",
        ":user dana",
    )
    assert "bob" in script.after(":user bob") and "new here" in script.after(":user bob")
    assert EDITORS_ONLY in script.after(f"/post {JAPAN_ARTICLE}", 1)
    preview = script.after(f"/post {JAPAN_ARTICLE}", 2)
    assert visible_prefix("editor.preview.entry") + " e1" in preview
    assert "Publish" in preview and "[1]" in preview
    assert "(edited)" in script.after(":press Publish")

    # The instant follower ("you") gets it at once; reading their chat shows it.
    assert "new message for you" in script.after(":wait") + script.after(":press Publish")
    assert "rare earths" in script.after(":user you")
    # The daily follower gets nothing until their summary, after the clock moves.
    assert "rare earths" not in script.after(":user dana", 2)
    summary = script.after(":time +2h") + script.after(":user dana", 3)
    assert visible_prefix("delivery.summary.title") in summary
    assert "rare earths" in summary

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            editors = list(await session.scalars(sql_select(Editor.user_id)))
    finally:
        await engine.dispose()
    assert editors == [identities.user_id("bob")]


async def test_groups_keep_their_id_between_sessions_and_only_admins_change_them(
    settings: Settings,
) -> None:
    first = await run(settings, ":group Newsroom", "/subscribe europe", "just chatting")
    assert "admin" in first.after(":group Newsroom")
    assert "Europe" in first.after("/subscribe europe")
    assert "privacy mode" in first.after("just chatting")

    second = await run(
        settings, ":user carol", ":group newsroom member", "/list", "/subscribe japan"
    )
    assert "a member" in second.after(":group newsroom member")
    assert "Europe" in second.after("/list")  # the same group, found by its name again
    assert second.after("/subscribe japan").startswith("bot › ")  # refused: not an admin

    chats = {s.chat_id: [x.target for x in s.subscriptions] for s in await subscribers(settings)}
    assert chats == {identities.group_id("Newsroom"): ["europe"]}


async def test_uploading_a_daily_report_file_as_an_editor_shows_its_preview(
    settings: Settings,
) -> None:
    [report] = sorted((REPO / "tests" / "fixtures" / "ingest").glob("report_*"))
    script = await run(settings, ":editor", f":upload {report}", ":upload /no/such/file.txt")
    preview = script.after(f":upload {report}")
    assert visible_prefix("editor.preview.report") in preview
    assert "[1]" in preview
    assert "cannot read" in script.after(":upload /no/such/file.txt")


async def test_a_database_with_real_subscribers_is_refused(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session, session.begin():
            session.add(Subscriber(chat_id=5_123_456_789, chat_type="private"))
    finally:
        await engine.dispose()
    script = Script("/start")
    code = await sandbox_session(settings, script.feed(), script.out)
    assert code == 2
    assert "5123456789" in script.banner and "DATABASE_URL" in script.banner


# --- the command itself -------------------------------------------------------------------


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        TELEGRAM_BOT_TOKEN="",
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def test_piped_lines_get_answers_in_order_and_eof_exits_cleanly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"],
        input="/start\n:user bob\n/help\n",
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("you › /start") < out.index(WELCOME) < out.index("bob › /help")
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a Linux pty")
def test_on_a_terminal_the_prompt_comes_back_and_ctrl_c_leaves_cleanly(tmp_path: Path) -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the sandbox on the pty
        os.chdir(REPO)
        os.execvpe(sys.executable, [sys.executable, "-m", "bot", "sandbox"], _env(tmp_path))
    seen = ""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")  # reads may split a character

    def read_until(text: str, *, after: int = 0, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """Read the pty until `text` shows up past position `after`; returns where it ends."""
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen[after:]:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} in:\n{seen}"
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed the pty
                    chunk = b""
                assert chunk, f"no {text!r} before the end:\n{seen}"
                seen += decoder.decode(chunk)
        return seen.index(text, after) + len(text)

    try:
        read_until("you › ")
        os.write(fd, b"/start\n")
        answered = read_until(WELCOME)
        read_until("you › ", after=answered)  # the prompt is back under the answer
        os.write(fd, b"\x03")  # Ctrl-C
        _, status = os.waitpid(pid, 0)
        pid = 0
        assert os.waitstatus_to_exitcode(status) == 0, seen
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)


# --- pieces -------------------------------------------------------------------------------


def test_sandbox_commands_parse() -> None:
    parse = commands.parse
    assert parse("   ") is None
    assert parse("/subscribe japan") == commands.Send("/subscribe japan")
    assert parse("3") == commands.Press(3)
    assert parse(":press Publish") == commands.Press("Publish")
    assert parse(":user Bob Lee") == commands.SwitchUser("Bob Lee")
    assert parse(":editor off") == commands.MakeEditor(False)
    assert parse(":group The Newsroom member") == commands.EnterGroup("The Newsroom", admin=False)
    assert parse(':upload "my report.txt" /post') == commands.Upload("my report.txt", "/post")
    assert parse(":time +1h30m") == commands.MoveTime(dt.timedelta(hours=1, minutes=30))
    assert parse(":send 42") == commands.Send("42")
    assert isinstance(parse(":time soon"), commands.Invalid)
    assert isinstance(parse(":nonsense"), commands.Invalid)
    assert commands.parse_duration("+1d 2h") == dt.timedelta(days=1, hours=2)
    assert commands.parse_duration("0m") is None


def test_names_get_the_same_ids_every_time_and_ids_in_sandbox_ranges() -> None:
    assert identities.user_id("you") == identities.FIRST_USER_ID
    assert identities.user_id("Bob") == identities.user_id(" bob ") != identities.user_id("ann")
    assert identities.group_id("Newsroom") == identities.group_id("newsroom") < 0
    for chat_id in (
        identities.user_id("bob"),
        identities.group_id("x"),
        identities.FIRST_USER_ID,
    ):
        assert identities.is_sandbox_chat(chat_id)
    assert not identities.is_sandbox_chat(5_123_456_789)
    assert not identities.is_sandbox_chat(-1001234567890)
    assert identities.username("bob") == "bob" and identities.username("Bob Lee") is None


def _message(**fields: object) -> EmuMessage:
    return EmuMessage(EmuChat(7, "private"), 1, 0, True, **fields)  # type: ignore[arg-type]


def test_messages_show_styles_links_and_numbered_buttons() -> None:
    text = "Bold 🇨🇳 link"
    entities = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://example.org/a"},
    ]
    keyboard = {
        "inline_keyboard": [
            [{"text": "✅ Japan", "callback_data": "a"}, {"text": "Europe", "callback_data": "b"}],
            [{"text": "Read", "url": "https://example.org/r"}],
        ]
    }
    message = _message(text=text, entities=entities, reply_markup=keyboard)
    plain = display.render(message, Style())
    assert plain.splitlines()[0] == "bot › Bold 🇨🇳 link (https://example.org/a)"
    assert "[1] ✅ Japan   [2] Europe" in plain and "[3] Read ↗ https://example.org/r" in plain
    assert display.render(message, Style(), edited=True).startswith("bot › (edited) Bold")
    ansi = display.render(message, Style(ansi=True))
    assert "\033[1mBold\033[22m" in ansi

    keys = _message(text="Pick", reply_markup={"keyboard": [["Yes", "No"]]})
    assert "[1] Yes   [2] No" in display.render(keys, Style())
    asked = _message(text="Names?", reply_markup={"force_reply": True})
    assert "reply" in display.render(asked, Style())
