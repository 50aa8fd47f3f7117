"""Sending: the outbox, the rate-limited sender, fan-out of published content, schedules."""
