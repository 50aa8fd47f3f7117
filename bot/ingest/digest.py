"""Monthly digest posts ("November Digest | Part 2 — International Relations").

A digest is: a title, a line of region labels, an intro paragraph, an intro list of one-line
summaries ("Huang Jing on ...", "Ding Chun: (i) on ...; and (ii) on ..."), then sections whose
paragraphs are the entries::

    Name (中文名), Name (中文名) & Name (中文名): commentary. — affiliation (outlet, 4 November)

Each paragraph becomes one entry, its region taken from its section heading whatever the
headings' order or wording. Every other non-blank line is either metadata (title, region
line, intro, headings) or listed in ``skipped`` with a reason, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bot.ingest.cutoff import ends_mid_sentence
from bot.ingest.model import (
    CutOff,
    ParsedCommentator,
    ParsedDocument,
    ParsedEntry,
    ParseError,
    Skipped,
)
from bot.ingest.names import Name, name_key, parse_name_list
from bot.ingest.summary import summarize
from bot.ingest.tagging import DEFAULT_REGIONS, RegionSpec, regions_in_heading
from bot.ingest.textutil import (
    MONTH_RE,
    collapse_spaces,
    month_number,
    safe_date,
    shorten,
    split_lines,
)

ENTRY_FORMAT = "'Name (中文名): commentary — affiliation (outlet, 4 November)'"
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_HEADER_MONTH = re.compile(rf"\b({MONTH_RE})(?![a-z])")
_DIGEST_WORD = re.compile(r"\bdigest\b", re.IGNORECASE)
_PART = re.compile(r"\bPart\s+(\d{1,2}|[IVX]{1,4})\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_SUBTITLE = re.compile(r"\s[—–\-:|]\s*([^—–|]+?)\s*$")
_NUMBERED_HEADING = re.compile(r"^(?:#{1,6}\s*)?(?:\d{1,2}|[IVX]{1,4})\s*[.)、．]\s*(\S.{0,79})$")
_MD_HEADING = re.compile(r"^#{1,6}\s*(\S.{0,79})$")
_EDITORIAL_NOTE = re.compile(r"^(?:N\.\s?B\.?|NB\b|Note\b|Editor[’']?s note\b)", re.IGNORECASE)
_AFFILIATION_DASH = re.compile(r"[—–]|--")
_SENTENCE_END = '.!?。！？”"’)]）'
_COLON = re.compile("[:：]")
_TAIL = re.compile(r"[(（]([^()（）]*)[)）]\s*[.。]?\s*$")
_MARKER = re.compile(r"\(\s*(?:i{1,3}|iv|vi{0,3}|ix|x|[a-h]|\d{1,2})\s*\)\s*")
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_RE})(?:,?\s+(\d{{4}}))?$", re.I)
_MONTH_DAY = re.compile(rf"^({MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?$", re.I)
_ISO_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ZH_DATE = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True, slots=True)
class DigestHeader:
    title: str
    month: int | None
    year: int | None
    part: int | None
    subtitle: str | None

    @property
    def label(self) -> str:
        return f"Part {self.part}" if self.part else "another digest"


@dataclass(slots=True)
class _RawEntry:
    line: int
    names: list[Name]
    commentary: str
    affiliation: str | None
    outlet: str | None
    dateline: str | None
    section: str | None
    regions: tuple[str, ...]


@dataclass(slots=True)
class _IntroItem:
    line: int
    key: tuple[str, ...]
    summary: str


@dataclass(slots=True)
class _State:
    section: str | None = None
    section_line: int | None = None
    section_regions: tuple[str, ...] = ()
    seen_section: bool = False
    in_review: bool = False
    fragment: DigestHeader | None = None
    region_labels: tuple[str, ...] = ()
    intro: list[str] = field(default_factory=list)
    intro_items: list[_IntroItem] = field(default_factory=list)
    entries: list[_RawEntry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Intro-list lines no commentary paragraph took.
    unmatched_intro: list[_IntroItem] = field(default_factory=list)


def parse_digest_header(line: str) -> DigestHeader | None:
    """The digest's title line, or None when ``line`` is not one."""
    line = collapse_spaces(_strip_markdown(line))
    if len(line) > 160 or not _DIGEST_WORD.search(line):
        return None
    month_m = _HEADER_MONTH.search(line)
    part_m = _PART.search(line)
    if not month_m and not part_m:
        return None
    month = month_number(month_m.group(1)) if month_m else None
    year_m = _YEAR.search(line)
    part = _part_number(part_m.group(1)) if part_m else None
    sub_m = _SUBTITLE.search(line[part_m.end() :] if part_m else line)
    subtitle = sub_m.group(1).strip() if sub_m else None
    return DigestHeader(line, month, int(year_m.group(1)) if year_m else None, part, subtitle)


def parse_digest(
    text: str,
    *,
    year: int | None = None,
    today: date | None = None,
    regions: Sequence[RegionSpec] = DEFAULT_REGIONS,
) -> ParsedDocument:
    """Parse a monthly digest post.

    The digest rarely states its year: ``year`` wins, then a year in the title, then the
    latest such month before ``today`` (a digest is published after the month it reviews).
    """
    lines = split_lines(text)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ParseError(None, "the document is empty")
    title = collapse_spaces(_strip_markdown(lines[first].strip()))
    header = parse_digest_header(title) or DigestHeader(title, None, None, None, None)
    state = _State()
    for index in range(first + 1, len(lines)):
        line = lines[index].strip()
        if line:
            _read_line(state, index + 1, collapse_spaces(line), first + 2, regions)

    if not state.entries:
        if state.section_line is not None:
            raise ParseError(
                state.section_line,
                f"section “{shorten(state.section or '', 40)}” has no commentary paragraphs; "
                f"expected {ENTRY_FORMAT}",
            )
        raise ParseError(first + 1, f"no commentary paragraphs found; expected {ENTRY_FORMAT}")

    digest_year, year_note = _digest_year(header, year, state.entries, today)
    if year_note:
        state.notes.append(year_note)
    entries = _build_entries(state, header, digest_year)
    cut_off = _cut_off(state, text, len(entries))
    if cut_off is not None:
        state.notes.append(cut_off.note())
    return ParsedDocument(
        kind="digest",
        title=header.title,
        date=safe_date(digest_year, header.month, 1) if header.month else None,
        entries=tuple(entries),
        skipped=tuple(state.skipped),
        month=header.month,
        year=digest_year,
        part=header.part,
        subtitle=header.subtitle,
        intro=" ".join(state.intro) or None,
        notes=tuple(state.notes),
        cut_off=cut_off,
    )


def _cut_off(state: _State, text: str, found: int) -> CutOff | None:
    """The intro list names people whose paragraphs never come, or the text stops mid-sentence.

    Sections follow the intro list's order, so a digest cut short leaves the intro's last
    lines without paragraphs; one unmatched line in the middle is a mismatch, not a cut.
    """
    mid_sentence = ends_mid_sentence(text)
    if state.unmatched_intro:
        matched_lines = {i.line for i in state.intro_items} - {
            i.line for i in state.unmatched_intro
        }
        trailing = all(i.line > max(matched_lines, default=0) for i in state.unmatched_intro)
        if trailing or mid_sentence:
            listed = {name for item in state.intro_items for name in item.key}
            return CutOff("intro", listed=len(listed), found=found)
    if mid_sentence:
        return CutOff("entry", found=found)
    return None


def _read_line(
    state: _State, n: int, line: str, second_line: int, regions: Sequence[RegionSpec]
) -> None:
    plain = _strip_markdown(line)
    other = parse_digest_header(plain)
    if other is not None:
        state.fragment = other
        state.section = None
        state.section_regions = ()
        state.in_review = False
        state.skipped.append(
            Skipped(
                _what(n, plain),
                f"start of a fragment of {other.label} of the digest, not of this part; "
                "its paragraphs are read below",
                n,
            )
        )
        return
    if n == second_line and _is_label_line(plain):
        state.region_labels = tuple(p.strip() for p in re.split(r"[|｜]", plain))
        return

    entry = _parse_entry_line(plain)
    if entry is not None:
        names, rest = entry
        state.entries.append(_raw_entry(n, names, rest, state))
        return
    if _EDITORIAL_NOTE.match(plain):
        state.skipped.append(Skipped(_what(n, plain), "editorial note, not a commentary", n))
        return

    heading = _heading(plain, regions, allow_unnumbered=not state.in_review)
    if heading is not None:
        if "review" in heading.casefold():
            state.in_review = True
            state.skipped.append(
                Skipped(
                    _what(n, plain),
                    "heading of a list reviewing the newsletter's own posts, not a section of "
                    "commentaries",
                    n,
                )
            )
            return
        state.in_review = False
        state.section = heading
        state.section_line = n
        state.section_regions = regions_in_heading(heading, regions) or _label_regions(
            heading, state.region_labels, regions
        )
        state.seen_section = True
        if not state.section_regions and state.fragment is None:
            state.notes.append(f"line {n}: section “{heading}” matches no known region")
        return

    if not state.seen_section and state.fragment is None:
        intro_items = _parse_intro_line(plain, n)
        if intro_items:
            state.intro_items.extend(intro_items)
            return
        if not state.intro_items:
            state.intro.append(plain)
            return
    state.skipped.append(Skipped(_what(n, plain), _why_skipped(state, plain), n))


def _label_regions(
    heading: str, labels: tuple[str, ...], regions: Sequence[RegionSpec]
) -> tuple[str, ...]:
    """A heading that names no region but repeats a label of the region line ("Tech | ...")."""
    folded = heading.casefold()
    for label in labels:
        if label and label.casefold() in folded:
            return regions_in_heading(label, regions)
    return ()


def _why_skipped(state: _State, line: str) -> str:
    if state.in_review:
        kind = "title" if len(line) < 120 and line[-1] not in _SENTENCE_END else "blurb"
        where = f"in {state.fragment.label}'s" if state.fragment else "in the"
        return (
            f"{kind} of a post {where} review list: points to an earlier post, "
            "not a commentary paragraph"
        )
    if state.fragment is not None:
        return f"part of the {state.fragment.label} fragment that is not a commentary paragraph"
    if not state.seen_section:
        return "text between the intro list and the first section, not a commentary paragraph"
    return f"not a commentary paragraph; expected {ENTRY_FORMAT}"


def _what(n: int, line: str) -> str:
    return f"line {n}: “{shorten(line, 90)}”"


def _strip_markdown(line: str) -> str:
    line = line.strip()
    if line.startswith("**") and line.endswith("**") and len(line) > 4:
        line = line[2:-2].strip()
    return line


def _is_label_line(line: str) -> bool:
    parts = [p.strip() for p in re.split(r"[|｜]", line)]
    return len(parts) >= 2 and all(0 < len(p) <= 30 for p in parts)


def _heading(line: str, regions: Sequence[RegionSpec], *, allow_unnumbered: bool) -> str | None:
    m = _NUMBERED_HEADING.match(line) or _MD_HEADING.match(line)
    if m:
        heading = m.group(1).strip().rstrip(":：")
        if heading and heading[-1] not in ".!?。" and len(heading.split()) <= 10:
            return heading
        return None
    if len(line) > 60 or line[-1] in _SENTENCE_END or ":" in line or "：" in line:
        return None
    letters = [c for c in line if c.isascii() and c.isalpha()]
    if len(letters) >= 6 and all(c.isupper() for c in letters) and " " in line:
        return line  # an all-caps heading ("POSTS IN REVIEW")
    if allow_unnumbered and len(line.split()) <= 6 and regions_in_heading(line, regions):
        return line
    return None


def _parse_entry_line(line: str) -> tuple[list[Name], str] | None:
    """``(names, everything after the colon)`` when ``line`` opens a commentary paragraph."""
    colon = _top_level_colon(line, limit=260)
    if colon is None:
        return None
    head, rest = line[:colon].strip(), line[colon + 1 :].strip()
    if not rest or _EDITORIAL_NOTE.match(head):
        return None
    names = parse_name_list(head)
    if names is None:
        return None
    # A bare "Name: ..." is too weak a signal on its own; the newsletter always gives either
    # the Chinese name or the (outlet, date) tail.
    if not any(zh for _, zh in names) and _tail(rest) is None:
        return None
    if rest.startswith(("(i)", "(1)", "(a)")):
        return None  # an intro-list line ("Ding Chun: (i) on ...")
    return names, rest


def _top_level_colon(line: str, *, limit: int) -> int | None:
    """The first colon outside brackets within ``limit`` characters."""
    for m in _COLON.finditer(line, 0, limit):
        prefix = line[: m.start()]
        opened = prefix.count("(") + prefix.count("（") + prefix.count("[")
        closed = prefix.count(")") + prefix.count("）") + prefix.count("]")
        if opened == closed:
            return m.start()
    return None


def _tail(rest: str) -> tuple[str | None, str | None, int] | None:
    """``(outlet, dateline, start)`` of a closing "(outlet, 4 November)", or None."""
    m = _TAIL.search(rest)
    if not m:
        return None
    inner = m.group(1).strip()
    cut = max(inner.rfind(","), inner.rfind("，"))
    if cut >= 0:
        outlet, dateline = inner[:cut].strip(), inner[cut + 1 :].strip()
        if outlet and dateline and len(dateline) <= 30 and any(c.isdigit() for c in dateline):
            return outlet, dateline, m.start()
        return None
    if _parse_dateline(inner, lambda _m: 2000) is not None:
        return None, inner, m.start()
    return None


def _raw_entry(n: int, names: list[Name], rest: str, state: _State) -> _RawEntry:
    outlet = dateline = None
    body = rest
    tail = _tail(rest)
    if tail is not None:
        outlet, dateline, start = tail
        body = rest[:start].rstrip()
    else:
        state.notes.append(f"line {n}: no “(outlet, date)” at the end of the paragraph")
    commentary, affiliation = body, None
    for m in reversed(list(_AFFILIATION_DASH.finditer(body))):
        before = body[: m.start()].rstrip()
        # The affiliation follows the last dash that comes after a full sentence; dashes
        # inside the commentary ("— potentially ...") follow a word.
        if before and before[-1] in _SENTENCE_END:
            commentary, affiliation = before, body[m.end() :].strip().rstrip(".").strip() or None
            break
    return _RawEntry(
        line=n,
        names=names,
        commentary=commentary.strip(),
        affiliation=affiliation,
        outlet=outlet,
        dateline=dateline,
        section=state.section,
        regions=state.section_regions,
    )


def _parse_intro_line(line: str, n: int) -> list[_IntroItem]:
    """The intro list's one-liners: "A & B on X." or "A: (i) on X; and (ii) on Y."."""
    names: list[Name] | None = None
    rest = ""
    colon = _top_level_colon(line, limit=200)
    if colon is not None:
        names = parse_name_list(line[:colon])
        rest = line[colon + 1 :].strip()
    if names is None:
        for m in re.finditer(r"\s+on\s+", line[:200]):
            names = parse_name_list(line[: m.start()])
            if names is not None:
                rest = "on " + line[m.end() :].strip()
                break
    if not names or not rest:
        return []
    who = _display_names(names)
    key = name_key(names)
    segments = [rest]
    stripped = re.sub(r"^on\s+", "", rest)
    if _MARKER.match(stripped):
        segments = [s for s in _MARKER.split(stripped) if s.strip()]
    items = []
    for segment in segments:
        segment = re.sub(r"[;,]?\s*(?:and|&)?\s*$", "", segment.strip()).strip()
        segment = segment.rstrip(";,")
        if not segment:
            continue
        if segment[-1] not in _SENTENCE_END:
            segment += "."
        if not segment.startswith("on "):
            segment = "on " + segment
        items.append(_IntroItem(n, key, f"{who} {segment}"))
    return items


def _display_names(names: list[Name]) -> str:
    latin = [n for n, _ in names]
    if len(latin) == 1:
        return latin[0]
    return ", ".join(latin[:-1]) + " & " + latin[-1]


def _part_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}
    return roman.get(text.upper())


def _parse_dateline(text: str, year_for: Callable[[int], int]) -> date | None:
    """ "4 November", "November 4, 2025", "2025-11-04", "11月4日"; None for "Issue 5"."""
    text = text.strip().rstrip(".")
    day = month = None
    year: int | None = None
    if m := _DAY_MONTH.match(text):
        day, month = int(m.group(1)), month_number(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
    elif m := _MONTH_DAY.match(text):
        day, month = int(m.group(2)), month_number(m.group(1))
        year = int(m.group(3)) if m.group(3) else None
    elif m := _ISO_DATE.match(text):
        return safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _ZH_DATE.match(text):
        month, day = int(m.group(1)), int(m.group(2))
    if day is None or month is None:
        return None
    if year is None:
        year = year_for(month)
    return safe_date(year, month, day)


def _dateline_month(text: str | None) -> int | None:
    if not text:
        return None
    parsed = _parse_dateline(text, lambda _m: 2000)
    return parsed.month if parsed else None


def _digest_year(
    header: DigestHeader, year: int | None, entries: list[_RawEntry], today: date | None
) -> tuple[int, str | None]:
    if year is not None:
        return year, None
    if header.year is not None:
        return header.year, None
    month = header.month
    if month is None:
        months = [m for e in entries if (m := _dateline_month(e.dateline))]
        month = max(months, default=None)
    reference = today or datetime.now(UTC).date()
    if month is None:
        return reference.year, f"year not stated; assumed {reference.year}"
    inferred = reference.year if month < reference.month else reference.year - 1
    return inferred, (
        f"year not stated; assumed {inferred} (the last {_MONTH_NAMES[month - 1]} "
        f"before {reference.isoformat()})"
    )


def _build_entries(state: _State, header: DigestHeader, digest_year: int) -> list[ParsedEntry]:
    digest_month = header.month

    def year_for(month: int) -> int:
        # A January digest can quote a 28 December piece.
        if digest_month is not None and month > digest_month:
            return digest_year - 1
        return digest_year

    summaries: dict[tuple[str, ...], deque[_IntroItem]] = {}
    for item in state.intro_items:
        summaries.setdefault(item.key, deque()).append(item)

    entries: list[ParsedEntry] = []
    for raw in state.entries:
        key = name_key(raw.names)
        intro_item = _take_summary(summaries, key)
        if intro_item is not None:
            summary = intro_item.summary
        else:
            summary = f"{_display_names(raw.names)}: {summarize(raw.commentary, max_sentences=1)}"
            state.notes.append(f"line {raw.line}: no line in the intro list; summary extracted")
        if raw.section is None and state.fragment is None:
            state.notes.append(f"line {raw.line}: paragraph before any section; no region")
        entries.append(
            ParsedEntry(
                text=raw.commentary,
                summary=summary,
                regions=raw.regions,
                commentators=_commentators(raw.names, raw.affiliation),
                outlet=raw.outlet,
                date=_parse_dateline(raw.dateline, year_for) if raw.dateline else None,
                affiliation=raw.affiliation,
                section=raw.section,
                line=raw.line,
            )
        )
    for items in summaries.values():
        for item in items:
            state.unmatched_intro.append(item)
            state.skipped.append(
                Skipped(
                    _what(item.line, item.summary),
                    "intro-list line with no matching commentary paragraph",
                    item.line,
                )
            )
    return entries


def _take_summary(
    summaries: dict[tuple[str, ...], deque[_IntroItem]], key: tuple[str, ...]
) -> _IntroItem | None:
    queue = summaries.get(key)
    if queue:
        return queue.popleft()
    # The intro list sometimes names fewer people, or in another order, than the paragraph.
    best: tuple[int, tuple[str, ...]] | None = None
    for other, items in summaries.items():
        if not items:
            continue
        overlap = len(set(other) & set(key))
        if overlap and (best is None or overlap > best[0]):
            best = (overlap, other)
    return summaries[best[1]].popleft() if best else None


def _commentators(names: list[Name], affiliation: str | None) -> tuple[ParsedCommentator, ...]:
    """Give each commentator their part of the affiliation.

    "Research Fellows, X; Director, Y" for three names: the last segments go one by one to the
    last names and the first (plural) segment covers the rest.
    """
    segments = [s.strip() for s in (split_top_level_semicolons(affiliation) if affiliation else [])]
    segments = [s for s in segments if s]
    assigned: list[str | None] = [None] * len(names)
    if len(segments) == 1:
        assigned = [segments[0]] * len(names)
    elif segments:
        for offset in range(1, min(len(segments), len(names)) + 1):
            assigned[-offset] = segments[-offset]
        for i in range(len(names)):
            if assigned[i] is None:
                assigned[i] = segments[0]
    return tuple(
        ParsedCommentator(name=latin, name_zh=zh, affiliation=aff)
        for (latin, zh), aff in zip(names, assigned, strict=True)
    )


def split_top_level_semicolons(text: str) -> list[str]:
    if not any(c in text for c in "(（["):
        return re.split("[;；]", text)
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "(（[":
            depth += 1
        elif ch in ")）]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ";；":
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def looks_like_digest(text: str) -> bool:
    """A digest title on the first line, or at least two commentary paragraphs."""
    lines = split_lines(text[:200_000])
    first = next((line for line in lines if line.strip()), "")
    if parse_digest_header(first.strip()) is not None:
        return True
    found = 0
    for line in lines[:400]:
        entry = _parse_entry_line(collapse_spaces(line))
        if entry is not None and _tail(entry[1]) is not None:
            found += 1
            if found >= 2:
                return True
    return False
