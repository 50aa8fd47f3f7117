"""A bot that cannot start says why in one line; one that cannot reach Telegram keeps trying."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.emulator import TelegramEmulator
from tests.bot_process import BotProcess, free_port
from tests.db_fixtures import POSTGRES_ADMIN_URL

TOKEN = "5555500001:AAEmulatorTokenForLocalUse-digestbot"
POSTGRES_SERVER = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]


@pytest.mark.parametrize(
    ("database_url", "names"),
    [
        ("postgresql://postgres@127.0.0.1:{port}/digestbot", ["cannot reach", "DATABASE_URL"]),
        (POSTGRES_SERVER + "/digestbot_no_such_db", ["does not exist", "createdb"]),
        ("sqlite:///{tmp}/no/such/dir/bot.sqlite3", ["directory", "DATABASE_URL"]),
    ],
    ids=["postgres-unreachable", "postgres-missing-database", "sqlite-missing-directory"],
)
async def test_a_database_that_cannot_be_opened_is_one_line_naming_it(
    tmp_path: Path, database_url: str, names: list[str]
) -> None:
    url = database_url.format(port=free_port(), tmp=tmp_path)
    proc = await BotProcess.start(["run"], cwd=tmp_path, DATABASE_URL=url, TELEGRAM_BOT_TOKEN=TOKEN)
    code = await proc.finish()
    assert code == 1
    assert len(proc.lines) == 1, proc.output()
    assert proc.lines[0].startswith("digestbot: ")
    for name in names:
        assert name in proc.lines[0]


async def test_db_upgrade_on_an_unreachable_database_is_one_line_too(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/digestbot"
    proc = await BotProcess.start(["db", "upgrade"], cwd=tmp_path, DATABASE_URL=url)
    assert await proc.finish() == 1
    assert len(proc.lines) == 1 and "cannot reach PostgreSQL" in proc.lines[0], proc.output()


async def test_webhook_url_without_a_secret_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    proc = await BotProcess.start(
        ["run"],
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        WEBHOOK_URL="https://bot.example.org/telegram",
    )
    assert await proc.finish() == 2
    assert any(line.startswith("WEBHOOK_SECRET: required") for line in proc.lines)
    assert "Traceback" not in proc.output()


async def test_telegram_unreachable_at_start_is_retried_one_line_each_until_stopped(
    tmp_path: Path,
) -> None:
    api = f"http://127.0.0.1:{free_port()}"
    proc = await BotProcess.start(
        ["run"],
        cwd=tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api,
    )
    try:
        await proc.wait_for_line("getMe attempt 2")
    finally:
        proc.terminate()
    assert await proc.finish() == 0
    attempts = [line for line in proc.lines if "Telegram unreachable" in line]
    assert len(attempts) >= 2
    assert all(api in line and "TELEGRAM_API_URL" in line for line in attempts)
    assert "Traceback" not in proc.output()


async def test_a_token_telegram_refuses_stops_with_one_line(
    emulator: TelegramEmulator, tmp_path: Path
) -> None:
    proc = await BotProcess.start(
        ["run"],
        cwd=tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        TELEGRAM_BOT_TOKEN="123456:NotTheBotsToken",
        TELEGRAM_API_URL=emulator.base_url,
    )
    assert await proc.finish() == 1
    errors = [line for line in proc.lines if line.startswith("digestbot: ")]
    assert errors and "TELEGRAM_BOT_TOKEN" in errors[0], proc.output()
    assert "Traceback" not in proc.output()
