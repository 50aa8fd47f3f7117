"""How outbox rows of kind "correct" name the correction they belong to."""

from __future__ import annotations

KIND = "correct"


def reason_of(correction_id: int) -> str:
    """How a "correct" row names its correction (`Delivery.reason`)."""
    return f"correction:{correction_id}"


def correction_of(reason: str | None) -> int | None:
    if reason and reason.startswith("correction:"):
        return int(reason.split(":", 1)[1])
    return None
