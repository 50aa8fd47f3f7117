"""The English summary of a report item, made offline from its English article at ingest.

News puts its point first, so the summary is the article's lead: its first sentences of prose,
once the page furniture that trafilatura and copy-paste leave behind is gone (bylines,
datelines, photo captions, "Subscribe" and "Advertisement" lines, "Additional reporting by").
Direct quotes, questions and fragments are passed over: they rarely stand on their own.
Sentences are split by sentencex (Wikimedia's rule-based segmenter, compiled, no data to
download), so "U.S.", "Mr." and "p.m." do not end a sentence.

An article with no usable English prose gets "" (never its headline): the editor's preview
then says the summary is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sentencex import segment

from bot.ingest.textutil import MONTH_RE, collapse_spaces, has_cjk

MAX_SENTENCES = 3
MAX_CHARS = 480
# Only the opening of an article is read: the lead is what summarises it. Enough for three
# sentences after passing over quotes and fragments.
_LEAD_CHARS = 3000
_MIN_WORDS = 6

# A line of a few words that is a button or a label ("Advertisement", "Read more"): only
# that short, so that a lead such as "Share prices fell..." stays.
_LABEL = re.compile(
    r"^(?:advertisement|advert|sponsored(?: content)?|subscribe|sign up|sign in|log in|"
    r"register|newsletter|read more|read next|related|recommended|more from|most read|share|"
    r"listen to this article|follow us|click here|you (?:may|might) also like)\b",
    re.IGNORECASE,
)
_LABEL_WORDS = 6
# A paragraph that is a byline, a dateline stamp, a credit or a copyright line.
_BOILERPLATE = re.compile(
    r"^(?:catch up on\b|(?:additional )?reporting by\b|(?:written|edited|compiled|translated) by\b|"
    r"editing by\b|by [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"
    r"(?:,? (?:and|&) [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3})?\s*$|"
    r"(?:photo|photograph|picture|image|video|graphic|illustration|file photo)s?\s*[:：/]|"
    r"updated\s*[:：]|published\s*[:：]|copyright\b|©|all rights reserved\b|"
    r"this (?:article|story) (?:first appeared|was (?:first )?published|originally appeared)\b)",
    re.IGNORECASE,
)
# Furniture anywhere in a paragraph: a caption's credit, a plea to subscribe (lowercased, so
# that the search needs no IGNORECASE, which is slow over long paragraphs).
_FURNITURE = re.compile(
    r"(?:\bphoto(?:graph)?s?\s*:|\bimage\s*:|\(photo\b|getty images|\bphoto credit\b|"
    r"please consider\s*(?:subscribing\b|\.|$)|\bsubscribe (?:now|today|to our)\b|"
    r"\ball rights reserved\b|\bmin(?:ute)? read\b)"
)
# "BEIJING, Aug 28 (Reuters) - " or "WASHINGTON — " in front of the first sentence.
_DATELINE = re.compile(
    rf"^(?:[A-Z][A-Z .'’-]{{2,40}}(?:,\s*(?:{MONTH_RE}\s*\d{{1,2}}|[A-Z][a-z]+))?"
    r"(?:\s*\([A-Za-z .]{2,30}\))?\s*[-–—:]\s+)"
)
_QUOTE_OPEN = ("“", '"', "‘", "'")
_URL = re.compile(r"https?://\S+")


def english_summary(
    text: str | None, *, max_sentences: int = MAX_SENTENCES, max_chars: int = MAX_CHARS
) -> str:
    """The article's lead in at most ``max_sentences`` sentences and ``max_chars`` characters."""
    chosen: list[str] = []
    length = 0
    for sentence in _lead_sentences(text or ""):
        if not _stands_alone(sentence):
            continue
        if chosen and length + len(sentence) + 1 > max_chars:
            break
        chosen.append(sentence)
        length += len(sentence) + 1
        if len(chosen) >= max_sentences:
            break
    return _clip(" ".join(chosen), max_chars)


def is_furniture(paragraph: str) -> bool:
    """A byline, caption, credit or plea to subscribe rather than the article's prose."""
    if _LABEL.match(paragraph) and len(paragraph.split()) <= _LABEL_WORDS:
        return True
    return bool(_BOILERPLATE.match(paragraph) or _FURNITURE.search(paragraph.lower()))


def prose_paragraphs(text: str) -> Iterator[str]:
    """The article's paragraphs that are prose, in order, furniture left out."""
    for raw in text.split("\n"):
        paragraph = collapse_spaces(_URL.sub("", raw)) if raw.strip() else ""
        if not paragraph or is_furniture(paragraph):
            continue
        if has_cjk(paragraph) and _cjk_share(paragraph) > 0.3:
            continue  # a Chinese note pasted into the English article
        if paragraph[-1] not in ".!?”’\"')…" and len(paragraph) < 120:
            continue  # a subheading, a caption or a label: prose ends in punctuation
        yield paragraph


def _lead_sentences(text: str) -> Iterator[str]:
    """Sentences of the opening paragraphs, split as they are asked for.

    At most :data:`_LEAD_CHARS` characters are segmented in all: a paragraph cut at that
    limit loses its last, unfinished piece.
    """
    budget = _LEAD_CHARS
    for index, paragraph in enumerate(prose_paragraphs(text)):
        if index == 0:
            paragraph = _DATELINE.sub("", paragraph, count=1)
        piece = paragraph[:budget]
        sentences = [s.strip() for s in segment("en", piece)]
        if len(piece) < len(paragraph):
            sentences = sentences[:-1]
        yield from (s for s in sentences if s)
        budget -= len(piece)
        if budget <= 0:
            return


def _stands_alone(sentence: str) -> bool:
    """Whether a sentence can be read without the ones around it."""
    if len(sentence.split()) < _MIN_WORDS or sentence.endswith("?"):
        return False
    if sentence.startswith(_QUOTE_OPEN) or sentence.endswith((":", ",", ";")):
        return False
    return sentence[0].isupper() or sentence[0].isdigit()


def _cjk_share(text: str) -> float:
    return sum(1 for ch in text if "\u3400" <= ch <= "\u9fff") / len(text)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
