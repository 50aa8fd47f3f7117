"""`python -m bot.emulator [--port N] [--host H] [--rate-limit N] [--latency-ms N] ...`"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.emulator.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rate-limit", type=int, default=30, help="sends per second overall")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of 500 answers")
    parser.add_argument("--timeout-rate", type=float, default=0.0, help="share of hung requests")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--token", default=None, help="the bot token to accept")
    parser.add_argument("--no-rate-limits", action="store_true")
    args = parser.parse_args()
    options = {
        "rate_limit": args.rate_limit,
        "latency_ms": args.latency_ms,
        "error_rate": args.error_rate,
        "timeout_rate": args.timeout_rate,
        "seed": args.seed,
        "rate_limits": not args.no_rate_limits,
    }
    if args.token:
        options["token"] = args.token
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.host, **options))


if __name__ == "__main__":
    main()
