"""Whether a pasted document stops before its end: editors paste what they have.

A parser reads a cut-off document as far as it goes; these checks say that it looks cut off,
so the editor's preview can warn before anyone publishes half a report.
"""

from __future__ import annotations

from bot.ingest.english_summary import is_furniture
from bot.ingest.textutil import collapse_spaces, split_lines

# What a finished sentence, a heading with a dateline or a quoted title ends with.
_FINISHED = ".!?。！？…”’\"')）]』」》"
# Shorter lines are headings, labels and names: they need no full stop.
_MIN_SENTENCE = 40
# What no line ends with unless more was to follow, however short ("For example,").
_UNFINISHED = ",;:—–-(/，；：、（"


def last_content_line(text: str) -> str:
    """The last line that is not blank and not page furniture ("Additional reporting by")."""
    for raw in reversed(split_lines(text)):
        line = collapse_spaces(raw)
        if line and not is_furniture(line):
            return line
    return ""


def ends_mid_sentence(text: str) -> bool:
    """Whether ``text`` stops in the middle of a sentence of prose."""
    line = last_content_line(text).rstrip("*_ ")
    if not line or line.startswith(("http://", "https://")):
        return False
    if line[-1] in _UNFINISHED:
        return True
    return len(line) >= _MIN_SENTENCE and line[-1] not in _FINISHED
