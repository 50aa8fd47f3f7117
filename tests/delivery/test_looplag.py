"""The sender's window of requests in flight: it shrinks while the event loop runs late (replies
would wait behind the sends) and grows back to the full concurrency when the loop is on time."""

from __future__ import annotations

from bot.delivery.looplag import SendWindow


def test_the_window_shrinks_while_the_loop_is_late_then_grows_back() -> None:
    window = SendWindow(500)
    assert window.update(0.0) == 500
    sizes = []
    for _ in range(20):
        window._cut_at = 0.0  # noqa: SLF001 - one cut per round of answers; rounds pass here
        sizes.append(window.update(0.2))
    assert sizes[0] < 500 and sizes == sorted(sizes, reverse=True)
    assert sizes[-1] == window.floor > 0
    for _ in range(200):
        size = window.update(0.001)
    assert size == 500
