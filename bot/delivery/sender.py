"""The outbox sender: works through `Delivery` rows at the rate limiter's pace.

One loop claims batches of due rows (priority, then id; at most one row per chat at a time, and
only chats the limiter would let through now), renders them (`prepare`) and starts one task per
row. The tasks wait for their slot in the shared `FloodLimiter` and send; their outcomes are
written back in batches (one transaction every `flush_interval`), so 1,000 sends a second do not
mean 1,000 commits a second.

How many rows are claimed at once is bounded by `concurrency` (about half a second of sends):
enough to hide 100 ms of latency at any rate, few enough that the HTTP pool (sized from it in
`runtime.configure_builder`) never runs dry (python-telegram-bot issue #3087) and that a stop
leaves little in the air. While the event loop runs late (too little CPU for the full rate) the
window shrinks, so replies to users stay fast (`bot.delivery.looplag`).

Stopping (the task cancelled: SIGTERM, the process losing the owner lock): rows whose request
has not started go back to pending untouched; requests already sent are awaited (up to
`drain_timeout`) and recorded. Every claim carries this process's sender id; see
`bot.delivery.senders` for rows a dead process leaves in doubt. A database error while claiming
is logged and the claim retried; the results of sends are kept in memory until they are written.

The lease: other processes take a sender for dead when its heartbeat is `SENDER_STALE_SECONDS`
old, and resend its claims. A process whose event loop or database stalled that long is not
dead, though, and would send them too when it comes back. So the runtime renews a lease on
every heartbeat that reaches the database (half the staleness limit, `renew_lease`); a claimed
row whose request has not left when the lease runs out is not sent. It is put back to pending
only if it is still this sender's claim, and nothing new is claimed until a heartbeat renews
the lease. A stall thus costs at most the requests that were in flight when it began.

Outcomes:
- accepted: sent, with Telegram's message id;
- 429: back to pending after `retry_after` (the limiter has halted the scope meanwhile), the
  attempt not counted;
- 403 (blocked, kicked, deactivated) or 400 chat not found: the subscriber is marked blocked and
  everything still queued for it is cancelled;
- 400 group upgraded to a supergroup: the subscriber moves to `migrate_to_chat_id` and the row
  is sent there;
- other 400s: failed with Telegram's description (resending the same request cannot help);
- 5xx, network errors and timeouts: retried with exponential back-off, failed after
  `MAX_ATTEMPTS`. A read timeout can hide a message Telegram accepted; it is retried anyway, as
  the alternative is losing every message whose response was slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.corrections.report import corrections_done
from bot.delivery import heap, outbox
from bot.delivery.http import AiohttpRequest
from bot.delivery.limiter import FloodLimiter, RateLimitArgs
from bot.delivery.looplag import LoopLag, SendWindow
from bot.delivery.migration import move_chat
from bot.delivery.prepare import Outgoing, prepare
from bot.localtime import quiet_until
from storage.models import DeliveryStatus, SubscriberStatus, utcnow

log = logging.getLogger(__name__)
# do_api_request("sendMessage") is deliberate (see OutboxSender._send); PTB suggests the method.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)

NOT_MODIFIED = "message is not modified"
GONE_MARKERS = ("chat not found", "user not found", "peer_id_invalid", "chat_write_forbidden")


@dataclass(slots=True)
class _Outcome:
    row: outbox.QueuedRow
    change: dict[str, Any]
    block: str | None = None  # the subscriber is gone: deactivate it
    migrate_to: int | None = None
    also: dict[str, Any] | None = None  # a change to another row (a deleted message's)


async def _uncancellable(coro: Any) -> Any:
    """Run database work to its end even if the caller is cancelled meanwhile."""
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        raise


class LeaseExpired(Exception):
    """The sender's lease ran out before a claimed row's request left (see the docstring)."""


def backoff(attempts: int) -> float:
    """Seconds before retry `attempts` + 1 after a server or network error: 2, 4, 8, 16 ..."""
    return float(min(2**attempts, 300))


def classify(row: outbox.QueuedRow, exc: Exception, now: dt.datetime) -> _Outcome:
    """What a failed send means for its row (see the module docstring)."""
    error = f"{type(exc).__name__}: {exc}"[:500]
    wall = utcnow()
    if isinstance(exc, RetryAfter):
        delay = exc._retry_after.total_seconds()  # noqa: SLF001 - the int property is deprecated
        return _Outcome(
            row,
            {
                "status": DeliveryStatus.PENDING,
                "attempts": row.attempts - 1,
                "not_before": now + dt.timedelta(seconds=delay),
                "last_error": error,
                "updated_at": wall,
            },
        )
    if isinstance(exc, ChatMigrated):
        return _Outcome(
            row,
            {
                "status": DeliveryStatus.PENDING,
                "attempts": row.attempts - 1,
                "chat_id": exc.new_chat_id,
                "last_error": error,
                "updated_at": wall,
            },
            migrate_to=exc.new_chat_id,
        )
    failed = {"status": DeliveryStatus.FAILED, "last_error": error, "updated_at": wall}
    message = str(exc).lower()
    if isinstance(exc, Forbidden) or (
        isinstance(exc, BadRequest) and any(m in message for m in GONE_MARKERS)
    ):
        return _Outcome(row, failed, block=error)
    if isinstance(exc, BadRequest) or not isinstance(exc, TelegramError):
        return _Outcome(row, failed)
    # NetworkError, TimedOut, 5xx: try again later.
    if row.attempts >= outbox.MAX_ATTEMPTS:
        return _Outcome(row, failed)
    return _Outcome(
        row,
        {
            "status": DeliveryStatus.PENDING,
            "not_before": now + dt.timedelta(seconds=backoff(row.attempts)),
            "last_error": error,
            "updated_at": wall,
        },
    )


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    released: int = 0
    claimed: int = 0
    cancelled: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Any,
        limiter: FloodLimiter,
        *,
        clock: Callable[[], dt.datetime],
        concurrency: int,
        paid_broadcast: bool = False,
        poll_interval: float = 1.0,
        flush_interval: float = 0.05,
        drain_timeout: float = 20.0,
        write_lock: AbstractAsyncContextManager[Any] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.bot = bot
        # Links in what goes out (tracked links, digest pages) follow these settings.
        self.settings = settings
        self.limiter = limiter
        self.clock = clock
        self.concurrency = max(1, concurrency)
        # The requests in flight shrink while the event loop runs late (see `looplag`).
        self.lag = LoopLag()
        self.window = SendWindow(self.concurrency)
        self.paid_broadcast = paid_broadcast
        self.poll_interval = poll_interval
        self.flush_interval = flush_interval
        self.drain_timeout = drain_timeout
        # SQLite has one writer: taking turns in-process spares SQLite's busy handler, which
        # sleeps in steps of up to 100 ms, a stall a paced sender cannot afford.
        self.write_lock = write_lock or contextlib.nullcontext()
        self.stats = SenderStats()
        # This process's `Sender` row (bot.delivery.senders), recorded on every row it claims.
        self.sender_id: int | None = None
        # Monotonic deadline for sending claims (None: no lease, a sender on its own).
        self.lease: float | None = None
        self._unsent: list[tuple[outbox.QueuedRow, int | None]] = []
        self._writing: list[_Outcome] = []  # outcomes of the write under way
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._tasks: dict[int, tuple[asyncio.Task[None], outbox.QueuedRow]] = {}
        self._started: set[int] = set()
        self._busy_chats: set[int] = set()
        self._outcomes: list[_Outcome] = []
        self._claiming: asyncio.Future[int] | None = None
        self._flushing: asyncio.Future[None] | None = None
        self._flushed = asyncio.Event()
        self._busy = False

    def wake(self) -> None:
        """Look at the outbox now (something was queued in this process)."""
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    @property
    def unrecorded(self) -> int:
        """Requests that may have reached Telegram with their result not yet written: what a
        crash or a takeover now could send twice."""
        return len(self._started) + len(self._outcomes) + len(self._writing)

    def renew_lease(self, until: float) -> None:
        """Claims may be sent until `until` (time.monotonic)."""
        self.lease = until

    def leased(self) -> bool:
        return self.lease is None or time.monotonic() < self.lease

    # ---------------------------------------------------------------------------- loop

    async def run(self) -> None:
        flusher = asyncio.create_task(self._flush_loop(), name="outbox-flush")
        heap.hold()  # full garbage collections stay short while we send (see `heap`)
        self.lag.start()
        try:
            while True:
                window = self.window.update(self.lag.late)
                room = window - len(self._tasks)
                started = 0
                if room >= max(1, window // 3) or not self._tasks:
                    halt = self.limiter.global_halt_in()
                    if halt > 0:
                        await asyncio.sleep(halt)
                        continue
                    # Shielded: a stop must not cut a claim between its commit and the tasks
                    # that send (or put back) what it claimed.
                    self._claiming = asyncio.ensure_future(self._claim_and_start(room))
                    try:
                        started = await asyncio.shield(self._claiming)
                    except Exception as exc:  # noqa: BLE001 - the database went away: retry
                        self._claiming = None
                        log.warning("outbox: could not claim rows, retrying: %s", exc)
                        await asyncio.sleep(self.poll_interval)
                        continue
                    self._claiming = None
                self._note_busy(bool(self._tasks))
                if started and started >= room // 2:
                    continue  # probably more waiting: claim again as soon as there is room
                await self._idle(room_only=bool(started))
        finally:
            try:
                self.lag.stop()
                await self._wind_down(flusher)
            finally:
                heap.release()

    async def _wind_down(self, flusher: asyncio.Task[None]) -> None:
        """Finish the claim under way, drain the sends, record every outcome."""
        if self._claiming is not None:
            await asyncio.wait({self._claiming})
            self._claiming = None
        await self._drain()
        flusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flusher
        if self._flushing is not None and not self._flushing.done():
            await asyncio.wait({self._flushing})
        for attempt in range(3):  # the database may be back in a moment (a dropped connection)
            try:
                await self._flush()
                return
            except Exception:  # noqa: BLE001 - kept in memory; written by the next run
                log.warning("outbox: could not record send results (attempt %d)", attempt + 1)
                await asyncio.sleep(0.5)

    def _note_busy(self, busy: bool) -> None:
        """Sends in flight or not; the moment the outbox drains suits a full garbage
        collection (`heap.refresh`)."""
        if self._busy and not busy:
            heap.refresh()
        self._busy = busy

    async def _idle(self, *, room_only: bool) -> None:
        """Wait for room (a send finished), a wake-up, or the poll interval."""
        self._room.clear()
        waits = [asyncio.ensure_future(self._room.wait())]
        if not room_only:
            waits.append(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waits, timeout=self.poll_interval, return_when="FIRST_COMPLETED")
        finally:
            for w in waits:
                w.cancel()
        self._wake.clear()

    async def _claim_and_start(self, room: int) -> int:
        if not self.leased():
            return 0  # possibly taken for dead: claim again once a heartbeat gets through
        claimed_as = self.sender_id
        now = self.clock()
        async with self.write_lock, self.session_factory() as session, session.begin():
            await outbox.bookkeeping(session)
            queued = await outbox.candidates(session, now, scan=room * 4 + 20)
            picked, deferred, dead = self._pick(queued, room, now)
            await outbox.defer(session, deferred)
            await outbox.cancel(session, dead, "the subscriber is not active")
            await corrections_done(session, [row for row in queued if row.id in set(dead)], now)
            won = await outbox.claim(session, [row.id for row in picked], claimed_as)
        self.stats.cancelled += len(dead)
        rows = [row for row in picked if row.id in won]
        if not rows:
            return 0
        for row in rows:
            row.attempts += 1
        try:
            async with self.session_factory() as session:
                ready = await prepare(session, rows, now, self.settings)
        except BaseException:
            for row in rows:  # claimed, never sent: back to pending as soon as we can write
                self._give_back(row, claimed_as)
            raise
        self.stats.batches += 1
        self.stats.claimed += len(rows)
        for row in rows:
            outgoing = ready[row.id]
            if isinstance(outgoing, str):
                self._outcomes.append(
                    _Outcome(
                        row,
                        {
                            "status": DeliveryStatus.CANCELLED,
                            "last_error": outgoing,
                            "updated_at": utcnow(),
                        },
                    )
                )
                continue
            self._busy_chats.add(row.chat_id)
            task = asyncio.create_task(
                self._send(row, outgoing, claimed_as), name=f"outbox-{row.id}"
            )
            self._tasks[row.id] = (task, row)
        return len(rows)

    def _pick(
        self, candidates: list[outbox.QueuedRow], room: int, now: dt.datetime
    ) -> tuple[list[outbox.QueuedRow], dict[int, dt.datetime], list[int]]:
        """Rows to claim (one per chat, chats the limiter would serve now), rows to hold
        until a subscriber's quiet hours end, rows of subscribers who are no longer active."""
        picked: list[outbox.QueuedRow] = []
        deferred: dict[int, dt.datetime] = {}
        dead: list[int] = []
        chats: set[int] = set()
        for c in candidates:
            if c.subscriber_id is not None and c.subscriber_status != SubscriberStatus.ACTIVE:
                dead.append(c.id)
                continue
            # An edit of a sent message makes no sound: it need not wait for quiet hours.
            if c.quiet_start and c.quiet_end and c.kind not in ("reply", "correct"):
                until = quiet_until(now, c.timezone or "UTC", c.quiet_start, c.quiet_end)
                if until is not None:
                    deferred[c.id] = until
                    continue
            if len(picked) >= room or c.chat_id in chats or c.chat_id in self._busy_chats:
                continue
            if self.limiter.chat_ready_in(c.chat_id) > 0.05:
                continue
            chats.add(c.chat_id)
            picked.append(c)
        return picked, deferred, dead

    # ---------------------------------------------------------------------------- sends

    async def _send(
        self, row: outbox.QueuedRow, outgoing: Outgoing, claimed_as: int | None = None
    ) -> None:
        def started() -> None:
            if not self.leased():
                raise LeaseExpired
            self._started.add(row.id)

        payload = self._payload(row, outgoing)
        try:
            result = await self._post(
                payload,
                RateLimitArgs(priority=row.priority, max_retries=0, on_send=started),
                outgoing.method,
            )
        except BadRequest as exc:
            if outgoing.method != "editMessageText" or NOT_MODIFIED not in str(exc).lower():
                self._failed(row, exc)
                return
            # The message already reads as it should: the correction is done.
            self.stats.sent += 1
            self._record(
                _Outcome(
                    row,
                    {
                        "status": DeliveryStatus.SENT,
                        "sent_at": self.clock(),
                        "updated_at": utcnow(),
                    },
                )
            )
        except asyncio.CancelledError:
            if row.id not in self._started:
                self._give_back(row, claimed_as)
            raise
        except LeaseExpired:
            self._give_back(row, claimed_as)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on its row
            self._failed(row, exc)
        else:
            self.stats.sent += 1
            message_id = result.get("message_id") if isinstance(result, dict) else None
            change: dict[str, Any] = {
                "status": DeliveryStatus.SENT,
                "sent_at": self.clock(),
                "updated_at": utcnow(),
            }
            if outgoing.method == "sendMessage":
                change["telegram_message_id"] = message_id
            outcome = _Outcome(row, change)
            if outgoing.method == "deleteMessage" and row.content_id is not None:
                # The message is gone: later corrections have nothing to edit.
                outcome.also = {"id": row.content_id, "telegram_message_id": None}
            self._record(outcome)

    def _payload(self, row: outbox.QueuedRow, outgoing: Outgoing) -> dict[str, Any]:
        """The request for a new message, or for the edit or deletion of a sent one."""
        payload: dict[str, Any] = {"chat_id": row.chat_id}
        if outgoing.method == "deleteMessage":
            payload["message_id"] = outgoing.message_id
            return payload
        payload["text"] = outgoing.text
        payload["parse_mode"] = ParseMode.HTML
        if outgoing.reply_markup:
            payload["reply_markup"] = outgoing.reply_markup
        if outgoing.disable_preview:
            payload["link_preview_options"] = {"is_disabled": True}
        if outgoing.method == "editMessageText":
            payload["message_id"] = outgoing.message_id
            return payload
        if row.thread_id:
            payload["message_thread_id"] = row.thread_id
        if self.paid_broadcast:
            payload["allow_paid_broadcast"] = True
        return payload

    def _failed(self, row: outbox.QueuedRow, exc: Exception) -> None:
        outcome = classify(row, exc, self.clock())
        if outcome.block:
            self.stats.blocked += 1
        elif outcome.change["status"] == DeliveryStatus.FAILED:
            self.stats.failed += 1
            if len(self.stats.errors) < 20:
                self.stats.errors.append(outcome.change["last_error"])
        else:
            self.stats.retried += 1
        if not isinstance(exc, TelegramError):
            log.exception("outbox: unexpected error sending row %s", row.id)
        self._record(outcome)

    async def _post(
        self, payload: dict[str, Any], limit: RateLimitArgs, method: str = "sendMessage"
    ) -> Any:
        """sendMessage through the shared rate limiter. With our HTTP client, straight to it as
        JSON: python-telegram-bot's Bot.send_message costs ~0.8 ms of CPU per call here (it
        builds request objects and a full Message from the answer), a cap on a 1,000 msg/s
        fan-out that only needs the message id."""
        request = getattr(self.bot, "request", None)
        if not isinstance(request, AiohttpRequest):
            return await self.bot.do_api_request(method, api_kwargs=payload, rate_limit_args=limit)
        url = f"{self.bot.base_url}/{method}"

        async def call(*_: Any, **__: Any) -> Any:
            return await request.post_json(url, payload)

        return await self.limiter.process_request(call, (), {}, method, payload, limit)

    def _give_back(self, row: outbox.QueuedRow, claimed_as: int | None) -> None:
        """A claimed row whose request never left: pending again, if it is still our claim
        (another process may have found this one stale and taken it over meanwhile)."""
        self._unsent.append((row, claimed_as))
        self._tasks.pop(row.id, None)
        self.stats.released += 1
        self._room.set()

    def _record(self, outcome: _Outcome) -> None:
        self._outcomes.append(outcome)
        self._tasks.pop(outcome.row.id, None)
        self._started.discard(outcome.row.id)
        self._room.set()

    # ----------------------------------------------------------------------- recording

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            if self._outcomes or self._unsent:
                # Shielded: cancelling a write half-way can leave SQLite's lock held.
                self._flushing = asyncio.ensure_future(self._flush())
                try:
                    await asyncio.shield(self._flushing)
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - keep the outcomes and try again
                    log.exception("outbox: could not record send results; retrying")
                    await asyncio.sleep(1.0)

    async def flush(self) -> None:
        """Write the results still in memory (left by a run whose last write failed)."""
        if self._flushing is None or self._flushing.done():
            await self._flush()

    async def _flush(self) -> None:
        outcomes, self._outcomes = self._outcomes, []
        unsent, self._unsent = self._unsent, []
        if not outcomes and not unsent:
            return
        self._writing = outcomes
        try:
            async with self.write_lock, self.session_factory() as session, session.begin():
                await outbox.bookkeeping(session)
                await outbox.release_unsent(session, [(r.id, by) for r, by in unsent])
                await outbox.write_results(
                    session,
                    [{"id": o.row.id, **o.change} for o in outcomes]
                    + [o.also for o in outcomes if o.also is not None],
                )
                now = self.clock()
                await corrections_done(session, [o.row for o in outcomes], now)
                for o in outcomes:
                    if o.block and o.row.subscriber_id is not None:
                        await outbox.deactivate_subscriber(
                            session, o.row.subscriber_id, now, o.block
                        )
                    if o.migrate_to is not None:
                        await move_chat(session, o.row.chat_id, o.migrate_to)
        except BaseException:
            self._outcomes[:0] = outcomes
            self._unsent[:0] = unsent
            raise
        finally:
            self._writing = []
        # A chat stays busy until its outcome is written: a 403 must deactivate the subscriber
        # before the next row for that chat can be claimed.
        for o in outcomes:
            self._busy_chats.discard(o.row.chat_id)
        for row, _ in unsent:
            self._busy_chats.discard(row.chat_id)
        self._room.set()  # those chats may have more queued
        if any(o.migrate_to is not None for o in outcomes):
            self.wake()

    async def _drain(self) -> None:
        """Put back what has not started, wait for what has (see the module docstring)."""
        for row_id, (task, _) in list(self._tasks.items()):
            if row_id not in self._started:
                task.cancel()
        tasks = [task for task, _ in self._tasks.values()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self.drain_timeout)
            for task in pending:
                task.cancel()  # left `sending`: in doubt, recovered at the next start
