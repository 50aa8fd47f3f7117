"""Message catalogs: every string a user sees, in English and Chinese.

Each area of the product keeps its own catalog module here (`subscriber`, `delivery`, `editor`,
`search`, `common`), a dict `MESSAGES = {key: {"en": ..., "zh": ...}}`; `t()` looks a key up in
the union of them. Placeholders use `str.format`; callers pass values already HTML-escaped.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"


@cache
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for module in pkgutil.iter_modules(__path__):
        messages = getattr(importlib.import_module(f"{__name__}.{module.name}"), "MESSAGES", {})
        duplicated = merged.keys() & messages.keys()
        if duplicated:
            raise RuntimeError(f"message keys defined twice: {sorted(duplicated)}")
        merged.update(messages)
    return merged


def t(language: str | None, key: str, /, **values: object) -> str:
    """The message `key` in `language` (English when missing), formatted with `values`."""
    entry = catalog()[key]
    template = entry.get(language or DEFAULT_LANGUAGE) or entry[DEFAULT_LANGUAGE]
    return template.format(**values) if values else template
