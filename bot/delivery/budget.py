"""One send budget for the whole deployment: Telegram's overall limit (`SEND_RATE_LIMIT`, 30/s
or the paid limit) holds for the bot, not for each process.

Only one process sends the outbox: the owner (`bot.delivery.ownership`, a PostgreSQL advisory
lock or, on SQLite, a file lock), elected with failover within a heartbeat
(`SENDER_HEARTBEAT_SECONDS`). One process sends 1,000 msg/s, so a single sender costs no
throughput, and the per-chat limits (1/s per private chat, 20/min per group) are kept by the one
limiter that sees every outbox send. The alternative, a budget leased row by row from
PostgreSQL, would put a database round trip in front of every send and still leave the per-chat
limits to be shared.

Every process also answers its own users (command replies, button presses) through its own
limiter. So that replies and the outbox together stay within the limit, the budget is split by
the number of live processes `n` (fresh heartbeats, `bot.delivery.senders`): each process that
does not send gets `REPLY_SHARE` of the limit divided among the `n - 1` of them (at least 1/s),
and the owner gets the rest, which its own replies share with the outbox (replies first). With
one process the owner has the whole budget; two processes at 30/s give the owner 27/s and the
other 3/s. The sum never exceeds the limit once every process has seen the same `n`, which
takes at most one heartbeat after a process starts or stops.

Per-chat limits are per process: a reply from one process and an alert from the owner can reach
the same chat within a second. Telegram tolerates such short bursts (the limiter itself allows
three in a row in a private chat).
"""

from __future__ import annotations

REPLY_SHARE = 0.1


def share(limit: int, alive: int, *, sends_outbox: bool) -> int:
    """This process's overall sends per second, given the deployment's `limit` and the number
    of live processes (this one included)."""
    others = max(0, alive - 1)
    if others == 0:
        return limit
    standby = max(1, int(limit * REPLY_SHARE) // others)
    if not sends_outbox:
        return standby
    return max(1, limit - standby * others)
