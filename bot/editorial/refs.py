"""How editors name content in commands, previews and buttons.

One letter says what it is, the number is the row id:

    e12  an entry (an article, a post, one commentary of a digest); a bare "12" means e12
    i45  one item of a daily report
    r7   a whole daily report (all its items)
    d3   a monthly digest (its link, and its entries when it was uploaded as a document)

Buttons carry the same text: "ed:pub:e12" (see bot/render/editor.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

RefKind = Literal["e", "i", "r", "d"]
REF_KINDS: tuple[RefKind, ...] = ("e", "i", "r", "d")
_REF_RE = re.compile(r"#?([eird]?)(\d{1,12})\Z", re.IGNORECASE)


class BadRef(ValueError):
    """Text that is not a content id."""


@dataclass(frozen=True, slots=True)
class ContentRef:
    kind: RefKind
    id: int

    def __str__(self) -> str:
        return f"{self.kind}{self.id}"

    @classmethod
    def parse(cls, text: str) -> ContentRef:
        match = _REF_RE.match(text.strip())
        if not match:
            raise BadRef(text)
        letter = (match.group(1) or "e").lower()
        return cls(cast(RefKind, letter), int(match.group(2)))
