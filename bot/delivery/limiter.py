"""One rate limiter for every request the bot makes: command replies and the outbox alike.

Telegram's flood limits, enforced before a request leaves (never discovered through 429s):

- overall: at most `per_second` sends in any sliding window of `1 + guard` seconds, as
  Telegram sees them. Telegram counts arrivals: two sends that leave 1.00 s apart may arrive
  0.99 s apart when the first was held up on the way. So each send counts from the moment it
  may leave until `1 + guard` after the latest it can have arrived, which its answer tells
  (`_Pacer`); the guard (20 ms) absorbs what the answer cannot. A token bucket of a few slots on
  top spreads sends evenly instead of letting the whole second's budget out at once
  (python-telegram-bot's AIORateLimiter starts with a full bucket and lets about 2x the limit
  through in its first second);
- private chats: a token bucket of 3 refilled a little slower than 1/s, so a burst of three
  replies goes at once and a steady stream stays under one per second;
- groups and channels (negative chat ids): at most 20 in any sliding `60 + guard` seconds;
- after a 429, nothing goes to that scope (the chat, or everything when the error is global)
  until `retry_after` has passed. The halt is a deadline every request re-checks after waking,
  so a concurrent request can never lift it early (python-telegram-bot issue #5338).

Only requests that put a new message into a chat use the overall budget. Edits use the chat's
budget only: Telegram throttles a chat edited in a loop, but edits are not broadcasts.
Other methods (answerCallbackQuery, getChat, ...) only wait out a global halt.

Requests carry a priority (`RateLimitArgs`); lower goes first. Interactive requests (no
`rate_limit_args`) have priority 0, the outbox sends with its rows' priorities (10 and more), so
a reply to a user takes the next free slot even while a fan-out of thousands is queued.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

INTERACTIVE = 0

# Methods that put a new message into a chat: the ones Telegram's broadcast limits count.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendAudio",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendPaidMedia",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendChecklist",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendGame",
        "forwardMessage",
        "forwardMessages",
        "copyMessage",
        "copyMessages",
    }
)
EDIT_METHODS = frozenset(
    {
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "stopMessageLiveLocation",
        "editMessageChecklist",
    }
)

Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class RateLimitArgs:
    """Passed as `rate_limit_args=` by the outbox sender: its priority (lower first), how
    many 429s the limiter itself retries before handing the error back, and a hook called
    just before the request leaves (the sender uses it to know what is in flight)."""

    priority: int = 10
    max_retries: int = 2
    on_send: Callable[[], None] | None = None


@dataclass(slots=True)
class Limits:
    per_second: int = 30
    guard: float = 0.02  # seconds added to every window (see the module docstring)
    # Token-bucket depth of the overall pace (0: 1/25 of a second's sends, at least 1.5). A
    # fractional half slot lets a grant the event loop served late be caught up on the next
    # one, so timer lateness does not add up into a lower rate.
    smooth_slots: float = 0
    private_burst: int = 3
    private_interval: float = 1.1  # seconds per refilled token, slower than Telegram's 1/s
    group_per_minute: int = 20
    group_period: float = 60.0
    halt_margin: float = 0.1  # added to retry_after
    # Off only where Telegram's per-chat limits are known not to apply (tests against an
    # emulator with flood limits switched off): the overall limit and 429 halts still hold.
    chat_limits: bool = True


class _PriorityGate:
    """A lock whose waiters are served lowest priority number first, FIFO within one."""

    __slots__ = ("_held", "_seq", "_waiters")

    def __init__(self) -> None:
        self._held = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    @property
    def idle(self) -> bool:
        return not self._held and not self._waiters

    async def acquire(self, priority: int) -> None:
        if not self._held and not self._waiters:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed over just as we were cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)  # ownership moves to that waiter
                return
        self._held = False


class _Pacer:
    """Grants overall send slots: at most `limit` sends counted at once, evenly paced, the
    waiter with the lowest priority number first.

    Telegram counts arrivals, which we cannot see; we see when each answer comes back. A send
    is counted from its grant until `window` after the latest it can have arrived: its answer's
    time less the fastest round trip seen recently (no answer comes back faster than that).
    While it is in flight it counts whatever happens. So a send held up anywhere (in our event
    loop before it left, on the way, at Telegram) keeps its slot as much longer as it was late,
    and only that send does: one slow answer does not slow every send that follows.
    """

    RTT_HORIZON = 30.0  # the fastest round trip over this long is the baseline
    # A baseline drawn from few answers may be all slow ones (new connections being set up on
    # a busy event loop): the next request, on a warm connection, can then arrive earlier than
    # the baseline allows for, and one send too many lands in Telegram's second (seen with 300
    # users starting at once). Until this many answers have been seen within the horizon
    # (and at least `limit`), only half of the baseline is trusted.
    TRUST_AFTER = 30
    # A send left without an answer (timeout, broken connection, cancelled) may still be on its
    # way: it is taken to arrive when given up on, or this long past the fastest round trip if
    # that is later.
    UNANSWERED_GRACE = 0.25
    FULL_POLL = 0.01  # seconds between checks while only answers still due can free a slot

    def __init__(
        self, limit: int, window: float, smooth: float, clock: Callable[[], float]
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.rate = limit / window
        self.depth = max(1.0, float(smooth))
        # Never more than a third of the bucket per wake-up, so batching stays within it.
        self.tick = min(0.005, (self.depth - 1.0) / 3 / self.rate)
        self._tokens = self.depth
        self._filled_at = clock()
        self._in_flight = 0
        self._expiries: deque[float] = deque()  # answered sends leave the count then; sorted
        self._rtts: deque[tuple[float, float]] = deque()  # increasing rtt: sliding min
        self._samples = 0  # answers seen since the baseline last started afresh
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self.halted_until = 0.0

    def done(self, started: float, now: float, *, answered: bool) -> None:
        """The request of a granted slot is over; `started`: when it was about to leave."""
        self._in_flight -= 1
        if answered:
            fastest = self._fastest(now - started, now)
            self._samples += 1
            if self._samples < max(self.TRUST_AFTER, self.limit):
                fastest /= 2
            arrived_by = now - fastest
        else:
            arrived_by = max(now, started + self._fastest(None, now) + self.UNANSWERED_GRACE)
        # Kept sorted (`arrived_by` shifts with the baseline): a later expiry is the safe side.
        expiry = arrived_by + self.window
        if self._expiries and self._expiries[-1] > expiry:
            expiry = self._expiries[-1]
        self._expiries.append(expiry)

    def set_limit(self, limit: int) -> None:
        """A new overall limit from now on; sends already counted keep counting."""
        self.limit = limit
        self.rate = limit / self.window

    def unused(self) -> None:
        """A granted slot whose request never left (cancelled, or its chat halted meanwhile)."""
        self._in_flight -= 1

    def _fastest(self, rtt: float | None, now: float) -> float:
        """The fastest recent round trip, taking `rtt` (an answered request's) into account."""
        rtts = self._rtts
        while rtts and rtts[0][0] < now - self.RTT_HORIZON:
            rtts.popleft()
        if not rtts:
            self._samples = 0  # no answer within the horizon: the baseline starts afresh
        if rtt is not None:
            while rtts and rtts[-1][1] >= rtt:
                rtts.pop()
            rtts.append((now, rtt))
        while rtts and rtts[0][0] < now - self.RTT_HORIZON:
            rtts.popleft()
        return rtts[0][1] if rtts else 0.0

    def _delay(self, now: float) -> float:
        """Seconds until a slot may be granted (0 when one may go now)."""
        expiries = self._expiries
        while expiries and expiries[0] <= now:
            expiries.popleft()
        delay = max(0.0, self.halted_until - now)
        over = self._in_flight + len(expiries) - self.limit
        if over >= 0:
            # The (over + 1)th answered send to expire frees a slot; if that takes sends still
            # in flight, their answers are awaited.
            delay = max(delay, expiries[over] - now if over < len(expiries) else self.FULL_POLL)
        tokens = min(self.depth, self._tokens + (now - self._filled_at) * self.rate)
        self._tokens, self._filled_at = tokens, now
        if tokens < 1.0:
            delay = max(delay, (1.0 - tokens) / self.rate)
        return delay

    def _take(self) -> None:
        self._tokens -= 1.0
        self._in_flight += 1

    def counted(self, now: float) -> int:
        """Sends that may have reached Telegram within the last window."""
        self._delay(now)
        return self._in_flight + len(self._expiries)

    async def acquire(self, priority: int) -> None:
        """Wait for a slot; the caller reports its request's end with `done` or `unused`."""
        if not self._waiters and self._delay(self.clock()) <= 0:
            self._take()
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run(), name="rate-limiter-pacer")
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.unused()  # granted just as we were cancelled
            raise

    async def _run(self) -> None:
        waiters = self._waiters
        while waiters:
            while waiters and waiters[0][2].done():
                heapq.heappop(waiters)
            if not waiters:
                break
            delay = self._delay(self.clock())
            if delay > 0:
                # At high rates, wake at most every `tick` and grant what has accrued: one
                # event-loop turn per slot would cost more than the sends themselves.
                await asyncio.sleep(max(delay, self.tick))
                continue
            _, _, future = heapq.heappop(waiters)
            self._take()
            future.set_result(None)

    def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        for _, _, future in self._waiters:
            future.cancel()
        self._waiters.clear()


@dataclass(slots=True)
class _ChatState:
    gate: _PriorityGate
    tokens: float = 0.0
    filled_at: float = 0.0
    recent: deque[float] | None = None  # groups: send times within the last minute
    halted_until: float = 0.0


class FloodLimiter(BaseRateLimiter[RateLimitArgs]):
    """The bot's rate limiter (see the module docstring); installed on the Application and
    used by the outbox sender through the same bot."""

    def __init__(
        self, limits: Limits | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        lim = self.limits
        smooth = lim.smooth_slots or max(1.5, lim.per_second / 25)
        self.window = 1.0 + lim.guard
        self._pacer: _Pacer | None = None
        self._smooth = smooth
        self._chats: dict[int, _ChatState] = {}
        self._last_chat_429: tuple[float, int] | None = None
        self.stats = {"requests": 0, "sends": 0, "retry_after": 0, "global_halts": 0}

    @property
    def pacer(self) -> _Pacer:
        # Created lazily: a pacer belongs to the running event loop.
        if self._pacer is None:
            self._pacer = _Pacer(self.limits.per_second, self.window, self._smooth, self.clock)
        return self._pacer

    def set_rate(self, per_second: int) -> None:
        """Change the overall limit while running: this process's share of the deployment's
        budget changes as processes come and go (`bot.delivery.budget`)."""
        per_second = max(1, per_second)
        if per_second == self.limits.per_second:
            return
        self.limits.per_second = per_second
        if self._pacer is not None:
            self._pacer.set_limit(per_second)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        if self._pacer is not None:
            self._pacer.close()
            self._pacer = None

    # ------------------------------------------------------------------ chat bookkeeping

    def _chat(self, chat_id: int) -> _ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            if len(self._chats) > 50_000:
                self._prune()
            state = _ChatState(
                _PriorityGate(), tokens=float(self.limits.private_burst), filled_at=self.clock()
            )
            if chat_id < 0:
                state.recent = deque()
            self._chats[chat_id] = state
        return state

    def _prune(self) -> None:
        now = self.clock()
        for chat_id, state in list(self._chats.items()):
            if (
                state.gate.idle
                and self._chat_delay(state, now, consume=False) <= 0
                and not state.recent
            ):
                del self._chats[chat_id]

    def _chat_delay(self, state: _ChatState, now: float, *, consume: bool) -> float:
        lim = self.limits
        delay = max(0.0, state.halted_until - now)
        if not lim.chat_limits:
            return delay
        if state.recent is not None:
            period = lim.group_period + lim.guard
            recent = state.recent
            while recent and recent[0] <= now - period:
                recent.popleft()
            if len(recent) >= lim.group_per_minute:
                delay = max(delay, recent[len(recent) - lim.group_per_minute] + period - now)
            elif consume and delay <= 0:
                recent.append(now)
            return delay
        tokens = min(
            float(lim.private_burst), state.tokens + (now - state.filled_at) / lim.private_interval
        )
        state.tokens, state.filled_at = tokens, now
        if tokens < 1.0:
            delay = max(delay, (1.0 - tokens) * lim.private_interval)
        elif consume and delay <= 0:
            state.tokens -= 1.0
        return delay

    def chat_ready_in(self, chat_id: int) -> float:
        """Seconds until a message to `chat_id` could go (0: now). The sender uses this to
        pick rows whose chat is free instead of parking tasks on busy chats."""
        state = self._chats.get(chat_id)
        if state is None:
            return max(0.0, self.pacer.halted_until - self.clock())
        now = self.clock()
        return max(self._chat_delay(state, now, consume=False), self.pacer.halted_until - now)

    def _global_halt(self) -> float:
        return self.pacer.halted_until - self.clock()

    def global_halt_in(self) -> float:
        return max(0.0, self._global_halt())

    def note_group_sends(self, chat_id: int, ages: list[float]) -> None:
        """Messages the bot sent to group `chat_id` `ages` seconds ago, as the outbox recorded
        them (a new owner takes the sending over mid-minute): they count towards the group's
        20 a minute. The record includes this process's own earlier sends, so it replaces
        what this limiter remembers unless that is more."""
        if chat_id >= 0 or not ages:
            return
        state = self._chat(chat_id)
        assert state.recent is not None
        now = self.clock()
        period = self.limits.group_period + self.limits.guard
        recorded = sorted(now - age for age in ages if 0 <= age < period)
        self._chat_delay(state, now, consume=False)  # drops what has expired
        if len(recorded) > len(state.recent):
            state.recent.clear()
            state.recent.extend(recorded)

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` (a new owner lets the last second of the process it
        replaces run out: Telegram counts the bot's sends, not this process's)."""
        self.pacer.halted_until = max(self.pacer.halted_until, self.clock() + seconds)

    # ------------------------------------------------------------------------ requests

    async def _admit(self, endpoint: str, chat_id: int | None, priority: int) -> bool:
        """Wait until this request may leave, and count it. True when it holds an overall
        slot, which the caller must hand back with `pacer.done`."""
        is_send = endpoint in SEND_METHODS
        is_edit = endpoint in EDIT_METHODS
        if chat_id is None or not (is_send or is_edit):
            await _wait_out(self._global_halt)
            return False
        state = self._chat(chat_id)
        await state.gate.acquire(priority)
        try:
            while True:
                await _wait_out(lambda: self._chat_delay(state, self.clock(), consume=False))
                if is_send:
                    await self.pacer.acquire(priority)
                else:
                    await _wait_out(self._global_halt)
                # A 429 may have halted the chat while we waited for the overall slot.
                if self._chat_delay(state, self.clock(), consume=True) <= 0:
                    break
                if is_send:
                    self.pacer.unused()
        finally:
            state.gate.release()
        if is_send:
            self.stats["sends"] += 1
        return is_send

    def _on_retry_after(self, chat_id: int | None, retry_after: float) -> None:
        """Halt the scope a 429 applies to. Telegram does not say which limit was hit: treat
        it as global when the request had no chat, when our own overall window is close to
        full, or when a second chat got a 429 within the same second; else as that chat's."""
        now = self.clock()
        until = now + retry_after + self.limits.halt_margin
        self.stats["retry_after"] += 1
        pacer = self.pacer
        recent_other = (
            self._last_chat_429 is not None
            and self._last_chat_429[1] != chat_id
            and now - self._last_chat_429[0] < 1.0
        )
        busy = pacer.counted(now) >= 0.8 * self.limits.per_second
        if chat_id is None or busy or recent_other:
            if until > pacer.halted_until:
                pacer.halted_until = until
            self.stats["global_halts"] += 1
            log.warning("flood control: all sends halted for %.1f s", retry_after)
        else:
            log.info("flood control: chat %s halted for %.1f s", chat_id, retry_after)
        if chat_id is not None:
            state = self._chat(chat_id)
            state.halted_until = max(state.halted_until, until)
            self._last_chat_429 = (now, chat_id)

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        priority = rate_limit_args.priority if rate_limit_args else INTERACTIVE
        max_retries = rate_limit_args.max_retries if rate_limit_args else 2
        chat_id = _chat_id(data.get("chat_id"))
        self.stats["requests"] += 1
        attempt = 0
        while True:
            paced = await self._admit(endpoint, chat_id, priority)
            started = self.clock()
            answered = False
            try:
                if rate_limit_args is not None and rate_limit_args.on_send is not None:
                    rate_limit_args.on_send()
                result = await callback(*args, **kwargs)
                answered = True
                return result
            except RetryAfter as exc:
                answered = True
                self._on_retry_after(chat_id, exc._retry_after.total_seconds())  # noqa: SLF001
                if attempt >= max_retries:
                    raise
                attempt += 1
            except TelegramError as exc:
                # Telegram's refusals are answers; a timeout or a broken connection is not.
                answered = not isinstance(exc, NetworkError)
                raise
            finally:
                if paced:
                    self.pacer.done(started, self.clock(), answered=answered)


async def _wait_out(remaining: Callable[[], float]) -> None:
    """Sleep until `remaining()` is no longer positive. It is re-read after every sleep: a halt
    can be extended (never shortened) while we sleep, so this is a deadline, not an event."""
    while (delay := remaining()) > 0:  # noqa: ASYNC110
        await asyncio.sleep(delay)


def _chat_id(value: Any) -> int | None:
    """Numeric chat id; '@channel' usernames are keyed by a stable negative hash (they are
    channels or supergroups, so the group limit is the right one)."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -(abs(hash(str(value))) % 10**12) - 10**13
