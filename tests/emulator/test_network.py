"""Latency, concurrency and injected faults, and running the emulator on its own."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from bot.emulator import TelegramEmulator, serve
from tests.emulator.conftest import Call


@pytest.mark.emulator(latency_ms=100)
async def test_latency_is_applied_concurrently_to_a_thousand_requests(
    emulator: TelegramEmulator, call: Call
) -> None:
    results = await asyncio.gather(*(call("getMe") for _ in range(1000)))

    assert {status for status, _ in results} == {200}
    records = emulator.requests()
    assert min(r.duration for r in records) >= 0.1
    # Concurrently, not one after another: many requests were waiting out their latency at
    # the same moment (counted from the emulator's own records, not from a clock budget).
    events = sorted(
        [(r.monotonic, 1) for r in records] + [(r.monotonic + r.duration, -1) for r in records]
    )
    in_flight = most = 0
    for _, change in events:
        in_flight += change
        most = max(most, in_flight)
    assert most >= 50


async def _statuses(emu: TelegramEmulator, http: aiohttp.ClientSession, n: int) -> list[int]:
    statuses = []
    for _ in range(n):
        async with http.post(emu.api_url("getMe")) as response:
            statuses.append(response.status)
    return statuses


async def test_injected_server_errors_follow_the_seed(http: aiohttp.ClientSession) -> None:
    async with TelegramEmulator(error_rate=0.3, seed=7) as first:
        pattern = await _statuses(first, http, 60)
    async with TelegramEmulator(error_rate=0.3, seed=7) as second:
        again = await _statuses(second, http, 60)

    assert pattern == again
    assert 5 <= pattern.count(500) <= 35 and set(pattern) == {200, 500}
    assert second.counters.faults["error"] == pattern.count(500)


@pytest.mark.emulator(timeout_rate=1.0, hang_seconds=30)
async def test_injected_timeouts_hang_past_the_clients_timeout_and_do_nothing(
    emulator: TelegramEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.add_user(1)
    timeout = aiohttp.ClientTimeout(total=0.2)

    with pytest.raises(TimeoutError):
        async with http.post(
            emulator.api_url("sendMessage"), json={"chat_id": 1, "text": "x"}, timeout=timeout
        ):
            pass

    assert emulator.messages(1) == []
    assert [(r.method, r.fault) for r in emulator.requests()] == [("sendMessage", "timeout")]


@pytest.mark.emulator(lost_response_rate=1.0, hang_seconds=30)
async def test_a_lost_response_was_still_delivered(
    emulator: TelegramEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.add_user(1)
    timeout = aiohttp.ClientTimeout(total=0.2)

    with pytest.raises(TimeoutError):
        async with http.post(
            emulator.api_url("sendMessage"), json={"chat_id": 1, "text": "x"}, timeout=timeout
        ):
            pass

    [delivered] = await emulator.wait_for_messages(1)
    assert delivered.text == "x"
    assert [(r.status, r.fault) for r in emulator.requests()] == [(200, "lost")]


async def test_the_standalone_server_serves_the_api_and_the_control_endpoints(
    http: aiohttp.ClientSession, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ready: asyncio.Future[TelegramEmulator] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve(port, rate_limit=5, on_ready=ready.set_result))
    root = f"http://127.0.0.1:{port}"
    try:
        emulator = await asyncio.wait_for(ready, 5)
        async with http.get(f"{root}/_emulator/") as response:
            token = (await response.json())["token"]
        async with http.post(
            f"{root}/_emulator/send_message", json={"user_id": 7, "text": "hi"}
        ) as response:
            assert (await response.json())["ok"]
        async with http.post(f"{root}/bot{token}/getUpdates") as response:
            updates = (await response.json())["result"]
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)

    assert updates[0]["message"]["text"] == "hi"
    assert emulator.config.rate_limit == 5
    assert root in capsys.readouterr().out
