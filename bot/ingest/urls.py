"""Canonical URLs: tracking parameters removed, and URLs pulled apart from text glued to them.

The daily report pastes each article's source URL straight into its first paragraph
("...?utm_source=rss_feedIndonesian President ..."), so splitting has to guess where the URL
ends; see :func:`split_glued_url`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that only say where a click came from. "ref" and "share" are left alone: some
# sites use them for content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "spm",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "smid",
        "sr_share",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmsr")

# Values tracking parameters take in feeds; used to find where a glued URL ends.
_KNOWN_TRACKING_VALUES = (
    "rss_feed",
    "rss",
    "feed",
    "newsletter",
    "email",
    "twitter",
    "facebook",
    "social",
    "share",
)

# A URL runs until whitespace, a non-ASCII character (curly quotes, CJK) or a closing bracket.
URL_RE = re.compile(r"https?://[!#-'*-;=?-\[\]_a-z~]+", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    url = url.strip().rstrip(".,;:")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        return url
    netloc = host
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if port and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def split_glued_url(line: str) -> tuple[str | None, str]:
    """Split ``"https://x/a?utm_source=rss_feedThe text"`` into (canonical URL, "The text").

    Returns ``(None, line)`` when the line does not start with a URL.
    """
    stripped = line.lstrip()
    m = URL_RE.match(stripped)
    if not m:
        return None, line
    raw = m.group(0)
    # A URL alone on its line has nothing glued to it.
    cut = _glue_point(raw) if stripped[len(raw) :].strip() else len(raw)
    rest = stripped[cut:]
    raw = raw[:cut]
    return canonical_url(raw), rest.strip()


def _glue_point(raw: str) -> int:
    """Where the URL in ``raw`` ends, when text with no space before it was glued on.

    The regex match stops at the first space, so the glued part is the tail of ``raw``: the
    first word of a paragraph ("Indonesian", "US", "“We"), after a known feed value
    ("rss_feed") or, failing that, where a capitalised word ends the last parameter's value.
    """
    query_at = raw.find("?")
    if query_at < 0:
        # No query: glue can only sit in the last path segment, where slugs are lower-case.
        last = raw.rfind("/")
        m = _GLUED_WORD.search(raw, last + 1)
        return m.start() if m else len(raw)
    eq = raw.rfind("=")
    if eq < query_at:
        return len(raw)
    value_at = eq + 1
    value = raw[value_at:]
    lower = value.lower()
    for known in _KNOWN_TRACKING_VALUES:
        if lower.startswith(known) and len(value) > len(known) and value[: len(known)].islower():
            nxt = value[len(known)]
            if not (nxt.islower() or nxt in "_-&"):
                return value_at + len(known)
    m = _GLUED_WORD.search(raw, value_at)
    return m.start() if m else len(raw)


# A capitalised word (or a short acronym) ending the match, right after a lower-case letter,
# a digit or "_": where a random id or a feed name ends and the paragraph's first word begins.
_GLUED_WORD = re.compile(r"(?<=[a-z0-9_])(?:[A-Z][a-z][A-Za-z'-]*|[A-Z]{2,5})[.,;:!?)]*$")


def outlet_from_url(url: str | None) -> str | None:
    """The site's host name without "www.", e.g. "scmp.com"."""
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None
