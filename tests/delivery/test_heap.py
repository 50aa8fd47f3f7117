"""While a sender runs the heap is hidden from the garbage collector; nothing is kept for good."""

from __future__ import annotations

import gc
import weakref

import pytest

from bot.delivery import heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_the_heap_is_frozen_while_any_sender_runs_and_handed_back_after() -> None:
    assert gc.get_freeze_count() == 0

    heap.hold()
    heap.hold()  # a second sender in the same process
    assert gc.get_freeze_count() > 0
    heap.release()
    assert gc.get_freeze_count() > 0, "the other sender still runs"
    heap.release()

    assert gc.get_freeze_count() == 0


def test_an_idle_refresh_frees_garbage_cycles_that_were_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap._State, "refreshed_at", float("-inf"))  # none in the last minute
    node = Node()
    gone = weakref.ref(node)
    heap.hold()
    try:
        del node
        gc.collect()
        assert gone() is not None, "frozen: not collected"

        heap.refresh()

        assert gone() is None
        assert gc.get_freeze_count() > 0, "frozen again after the refresh"
    finally:
        heap.release()
