"""Is this upload or page text, and in which encoding? :func:`decode_document` decides.

Every path that turns bytes into a document calls it: /post uploads and links, `digestbot
ingest PATH|URL`, and :meth:`bot.ingest.fetch.FetchedPage.text` for feed sources. The rules:

1. A byte-order mark decides the encoding (UTF-8, UTF-16, UTF-32); the rest must decode.
2. A NUL byte without such a mark means binary: text files never hold one, while programs,
   archives, images and PDFs nearly always do.
3. Strict UTF-8, then the charset the server declared, then charset-normalizer's detection
   (GB18030/GBK, Big5, Windows code pages, ...), preferring GB18030 and Windows-1252 among
   about equally clean readings. Nothing decodes: not text.
4. What decoded must read as text: at most 1 control character in 100 (tabs, line and page
   breaks aside), so a binary that happened to decode as a single-byte code page is refused.

`filetype` only names what a refused file looks like ("png", "zip", "elf"); it never decides,
since its weaker signatures ("ID3" for MP3) can start an ordinary text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

import filetype
from charset_normalizer import from_bytes

from bot.i18n import t

# Longest BOM first: UTF-32-LE's mark begins with UTF-16-LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Among readings charset-normalizer finds equally clean, the encodings editors' machines save
# in: mainland Chinese Windows (GBK, read as its superset GB18030) and Western Windows. Short
# samples are ambiguous (two GBK characters are also two Big5 or Korean ones; "Café" is also
# Baltic cp775), and these are the documents this bot is sent.
_PREFERRED = ("gb18030", "cp1252")
# How much more "mess" (charset-normalizer's chaos, 0 to 1; it gives up at 0.2) a preferred
# reading may show and still count as clean as the cleanest: a few accented letters read
# as Baltic instead of Western score a little cleaner on a short note.
_EQUALLY_CLEAN = 0.1
_CHINESE = frozenset({"gb18030", "gbk", "gb2312"})
# Unicode control characters (category Cc) other than tab, line and page breaks and NEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
MAX_CONTROL_RATIO = 0.01
# How much of a long document the control-character rule reads: a binary shows itself early.
_SAMPLE_CHARS = 200_000


class NotText(Exception):
    """The bytes are not a text document.

    `reason` is "binary" (NUL bytes or control characters) or "undecodable" (no encoding
    reads them); `looks_like` is a file type's usual extension when one is recognised.
    """

    def __init__(
        self, reason: Literal["binary", "undecodable"], looks_like: str | None = None
    ) -> None:
        super().__init__(reason, looks_like)
        self.reason = reason
        self.looks_like = looks_like

    def text(self, language: str) -> str:
        """Why the bytes were refused, as a clause ("it holds binary data (PNG)")."""
        if self.reason == "undecodable":
            return t(language, "input.not_text.undecodable")
        if self.looks_like:
            return t(language, "input.not_text.binary_kind", kind=self.looks_like.upper())
        return t(language, "input.not_text.binary")

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  # a Python codec name: "utf-8", "utf-16", "gb18030", ...


def decode_document(data: bytes, *, declared: str | None = None) -> DecodedText:
    """The text in `data` and its encoding, or :class:`NotText`.

    `declared` is the charset a server or a file's metadata named; it is tried after UTF-8
    and checked like any other guess. CPU-bound on large inputs: call it in a worker thread.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data, data.decode(encoding), encoding)
            except UnicodeDecodeError:
                raise NotText("undecodable") from None
    if b"\x00" in data:
        raise NotText("binary", _looks_like(data))
    for candidate in ("utf-8", _codec(declared)):
        if candidate is None:
            continue
        try:
            return _checked(data, data.decode(candidate), candidate)
        except UnicodeDecodeError:
            continue
    return _detected(data)


def _detected(data: bytes) -> DecodedText:
    matches = list(from_bytes(data, enable_fallback=False))
    if not matches:
        raise NotText("undecodable", _looks_like(data))
    cleanest = min(match.chaos for match in matches)
    tied = {m.encoding: m for m in matches if m.chaos <= cleanest + _EQUALLY_CLEAN}
    best = next((tied[name] for name in _PREFERRED if name in tied), matches[0])
    return _checked(data, str(best), best.encoding)


def _checked(data: bytes, text: str, encoding: str) -> DecodedText:
    sample = text[:_SAMPLE_CHARS]
    if sample and len(_CONTROLS.findall(sample)) > MAX_CONTROL_RATIO * len(sample):
        raise NotText("binary", _looks_like(data))
    return DecodedText(text, encoding)


def _codec(name: str | None) -> str | None:
    """A declared charset as a Python codec name; None when Python does not know it."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # GB2312 and GBK declarations usually mean "whatever Windows saved": read them as GB18030,
    # their superset, so one character outside the declared set does not fail the whole page.
    return "gb18030" if codec in _CHINESE else codec


def _looks_like(data: bytes) -> str | None:
    kind = filetype.guess(data[:8192])
    return kind.extension if kind is not None else None
