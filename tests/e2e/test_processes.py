"""Several `digestbot run` processes on one PostgreSQL database: one long-polls Telegram, the
others stand by and take over when it dies; Telegram never answers 409 Conflict.

Real subprocesses of this checkout against the emulator in the test process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.emulator import TelegramEmulator
from tests.bot_process import BotProcess, free_port
from tests.db_fixtures import Database

ANN = 7201
POLLING = "this process polls Telegram"
STANDING_BY = "standing by to take over"


async def test_one_process_polls_and_another_takes_over_when_it_is_killed(
    emulator: TelegramEmulator, postgres_db: Database, tmp_path: Path
) -> None:
    settings = {
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": postgres_db.url,
    }
    first, second = await asyncio.gather(
        BotProcess.start(["run"], cwd=tmp_path, **settings),
        BotProcess.start(["run"], cwd=tmp_path, **settings),
    )
    try:
        poller, standby = await _roles(first, second)
        emulator.add_user(ANN, "Ann")
        [reply] = await emulator.ask(ANN, "/help", timeout=15)
        assert reply.text

        poller.kill()
        await poller.finish()
        await standby.wait_for_line(POLLING, timeout=30)
        [reply] = await emulator.ask(ANN, "/help", timeout=15)
        assert reply.text

        assert standby.process.returncode is None
        conflicts = [r for r in emulator.requests("getUpdates") if r.status == 409]
        assert conflicts == []
    finally:
        await asyncio.gather(first.close(), second.close())
    assert standby.process.returncode == 0, standby.output()


async def _roles(first: BotProcess, second: BotProcess) -> tuple[BotProcess, BotProcess]:
    """(the poller, the standby), once each has said which it is."""
    waits = [asyncio.create_task(p.wait_for_line(POLLING)) for p in (first, second)]
    _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED, timeout=60)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    poller, standby = (first, second) if first.has_line(POLLING) else (second, first)
    assert poller.has_line(POLLING), poller.output()
    await standby.wait_for_line(STANDING_BY)
    assert not standby.has_line(POLLING)
    return poller, standby


async def test_digestbot_run_in_webhook_mode_serves_the_webhook_and_stops_on_sigterm(
    emulator: TelegramEmulator, sqlite_db: Database, tmp_path: Path
) -> None:
    port = free_port()
    proc = await BotProcess.start(
        ["run"],
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN=emulator.token,
        TELEGRAM_API_URL=emulator.base_url,
        DATABASE_URL=sqlite_db.url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
        WEBHOOK_SECRET="process-secret",
        PORT=str(port),
        WEB_HOST="127.0.0.1",
    )
    try:
        await proc.wait_for_line("webhook mode")
        emulator.add_user(ANN, "Ann")
        [reply] = await emulator.ask(ANN, "/help", timeout=15)
        assert reply.text
    finally:
        proc.terminate()
    assert await proc.finish() == 0, proc.output()
    assert emulator.requests("getUpdates") == []
    assert "Traceback" not in proc.output()
