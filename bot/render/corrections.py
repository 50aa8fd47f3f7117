"""Texts of corrections: the editor's counts, the line a withdrawn message is left with."""

from __future__ import annotations

from bot.i18n import t
from bot.render import esc
from storage.models import Correction


def correction_report(
    correction: Correction, *, updated: int, missed: int, merged: bool = False
) -> str:
    language = correction.language
    return t(
        language,
        "corrections.report_merged" if merged else "corrections.report",
        what=esc(correction.what),
        action=t(language, f"corrections.action.{correction.action}"),
        updated=updated,
        missed=missed,
    )


def correction_queued(language: str, *, queued: int, pruned: int, more: bool = False) -> str:
    """The line added to the reply to /edit or /retract; `more`: messages are still being
    looked through (a large audience), the report follows when all are done."""
    if more:
        lines = [t(language, "corrections.queued_more", count=queued)]
    elif queued:
        lines = [t(language, "corrections.queued", count=queued)]
    else:
        lines = [t(language, "corrections.none")]
    if pruned:
        lines.append(t(language, "corrections.too_old", count=pruned))
    return "\n".join(lines)


def withdrawn(language: str) -> str:
    return t(language, "corrections.withdrawn")
