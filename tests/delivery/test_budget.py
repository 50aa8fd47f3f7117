"""One send budget for the deployment: however many processes run, their shares add up to at
most Telegram's limit, and a process alone has all of it."""

from __future__ import annotations

import pytest

from bot.delivery.budget import share


@pytest.mark.parametrize("limit", [1, 30, 100, 1000])
def test_a_process_alone_sends_at_the_full_limit(limit: int) -> None:
    assert share(limit, 1, sends_outbox=True) == limit


@pytest.mark.parametrize("limit", [30, 100, 1000])
@pytest.mark.parametrize("alive", [2, 3, 5, 10])
def test_the_sender_and_the_standbys_together_stay_within_the_limit(limit: int, alive: int) -> None:
    sender = share(limit, alive, sends_outbox=True)
    standby = share(limit, alive, sends_outbox=False)
    assert standby >= 1, "every process can still answer its users"
    assert sender + (alive - 1) * standby <= limit
    # Replies get a tenth of the budget (at least 1/s per standby); the outbox the rest.
    assert (alive - 1) * standby <= max(limit // 10, alive - 1)
    assert sender == limit - (alive - 1) * standby


def test_two_processes_at_the_free_limit_split_27_and_3() -> None:
    assert (share(30, 2, sends_outbox=True), share(30, 2, sends_outbox=False)) == (27, 3)
