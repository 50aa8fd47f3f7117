"""Which of the newsletter's regions a text is about, and which known commentators it names.

Everything the newsletter covers is about China, so a region here means "China and X": an
item is tagged ``us-china`` when it is about US-China relations (or about the US's own
China-related affairs), not when it mentions the United States in passing.

Matching is keyword based, in English (whole words, case-sensitive so that "US" is not "us"
and "Polish" is not "polish") and Chinese (substrings; single characters only where they are
unambiguous, e.g. 俄). Phrases that contain a keyword but mean something else ("US$",
"Latin America", 埃塞俄比亚) are listed per region and never count.

Mentions are weighed by where they are and by what the sentence around them says: see
:func:`tag_regions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from sentencex import segment

from bot.ingest.model import ParsedCommentator
from bot.ingest.summary import split_sentences
from bot.ingest.textutil import has_cjk


@dataclass(frozen=True, slots=True)
class RegionSpec:
    slug: str
    name: str
    en: tuple[str, ...]
    zh: tuple[str, ...] = ()
    # Phrases containing a keyword that must not count for this region.
    en_not: tuple[str, ...] = ()
    zh_not: tuple[str, ...] = ()
    # Phrases that by themselves say "China and this region" (中美, Sino-Japanese).
    relation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnownCommentator:
    name: str
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()


_EUROPE_COUNTRIES = [
    "Germany",
    "German",
    "Germans",
    "France",
    "French",
    "Britain",
    "British",
    "UK",
    "U.K.",
    "England",
    "Scotland",
    "Italy",
    "Italian",
    "Spain",
    "Spanish",
    "Netherlands",
    "Dutch",
    "Poland",
    "Polish",
    "Hungary",
    "Hungarian",
    "Czech",
    "Czechia",
    "Slovakia",
    "Austria",
    "Austrian",
    "Belgium",
    "Belgian",
    "Sweden",
    "Swedish",
    "Denmark",
    "Danish",
    "Finland",
    "Finnish",
    "Norway",
    "Norwegian",
    "Ireland",
    "Irish",
    "Portugal",
    "Portuguese",
    "Greece",
    "Greek",
    "Serbia",
    "Serbian",
    "Romania",
    "Romanian",
    "Bulgaria",
    "Croatia",
    "Slovenia",
    "Lithuania",
    "Lithuanian",
    "Latvia",
    "Estonia",
    "Baltic",
    "Switzerland",
    "Swiss",
    "Ukraine",
    "Ukrainian",
    "Brussels",
    "Berlin",
    "London",
    "Paris",
    "Rome",
    "Madrid",
    "Warsaw",
    "Budapest",
    "Belgrade",
    "Kyiv",
    "Macron",
    "Merz",
    "Scholz",
    "Starmer",
    "Orban",
    "Orbán",
    "Meloni",
    "Sánchez",
    "Kallas",
    "NATO",
    "Eurozone",
]

_AFRICA = [
    "Africa",
    "African",
    "Africans",
    "Sahel",
    "Nigeria",
    "Nigerian",
    "Kenya",
    "Kenyan",
    "Ethiopia",
    "Ethiopian",
    "Egypt",
    "Egyptian",
    "Ghana",
    "Ghanaian",
    "Tanzania",
    "Tanzanian",
    "Zambia",
    "Zambian",
    "Angola",
    "Angolan",
    "Congo",
    "Congolese",
    "DRC",
    "Zimbabwe",
    "Zimbabwean",
    "Uganda",
    "Ugandan",
    "Rwanda",
    "Rwandan",
    "Senegal",
    "Senegalese",
    "Morocco",
    "Moroccan",
    "Algeria",
    "Algerian",
    "Tunisia",
    "Tunisian",
    "Sudan",
    "Sudanese",
    "Djibouti",
    "Mozambique",
    "Namibia",
    "Namibian",
    "Botswana",
    "Cameroon",
    "Madagascar",
    "Somalia",
    "Somali",
    "Libya",
    "Libyan",
    "Niger",
    "Mali",
    "Malian",
    "Guinea",
    "Benin",
    "Togo",
    "Gabon",
    "Eritrea",
    "Lesotho",
    "Malawi",
    "Mauritius",
    "Mauritania",
    "Liberia",
    "Seychelles",
    "FOCAC",
    "Nairobi",
    "Lagos",
    "Addis",
    "Abuja",
    "Kinshasa",
    "Pretoria",
    "Johannesburg",
]

DEFAULT_REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec(
        slug="us-china",
        name="US-China",
        en=(
            "US",
            "U.S.",
            "U.S",
            "USA",
            "U.S.A.",
            "United States",
            "America",
            "American",
            "Americans",
            "Washington",
            "White House",
            "Pentagon",
            "Capitol Hill",
            "State Department",
            "Federal Reserve",
            "Trump",
            "Biden",
            "Rubio",
            "Bessent",
            "Lutnick",
            "Greer",
            "Hegseth",
            "Vance",
            "Blinken",
            "Sino-US",
            "Sino-American",
        ),
        zh=(
            "美国",
            "美方",
            "中美",
            "美中",
            "美军",
            "美日",
            "日美",
            "美欧",
            "欧美",
            "美俄",
            "美韩",
            "美台",
            "对美",
            "访美",
            "赴美",
            "白宫",
            "华盛顿",
            "特朗普",
            "川普",
            "拜登",
            "五角大楼",
            "美联储",
        ),
        en_not=(
            "US$",
            "US Open",
            "Latin America",
            "Latin American",
            "South America",
            "South American",
            "Central America",
            "Central American",
            "African American",
            "African Americans",
        ),
        zh_not=("美中不足",),
        relation=(
            "US-China",
            "U.S.-China",
            "China-US",
            "China-U.S.",
            "Sino-US",
            "Sino-U.S.",
            "Sino-American",
            "US-Chinese",
            "中美",
            "美中",
            "对美",
            "访美",
        ),
    ),
    RegionSpec(
        slug="europe",
        name="Europe",
        en=(
            "Europe",
            "European",
            "Europeans",
            "EU",
            "E.U.",
            "European Union",
            "United Kingdom",
            "von der Leyen",
            *_EUROPE_COUNTRIES,
        ),
        zh=(
            "欧盟",
            "欧洲",
            "欧方",
            "中欧",
            "欧美",
            "美欧",
            "布鲁塞尔",
            "德国",
            "法国",
            "英国",
            "意大利",
            "西班牙",
            "荷兰",
            "波兰",
            "匈牙利",
            "捷克",
            "比利时",
            "瑞典",
            "丹麦",
            "芬兰",
            "挪威",
            "希腊",
            "塞尔维亚",
            "乌克兰",
            "北约",
            "马克龙",
            "默茨",
        ),
        en_not=("Paris Agreement", "French fries", "New England"),
        relation=(
            "EU-China",
            "China-EU",
            "China-Europe",
            "Europe-China",
            "Sino-European",
            "中欧峰会",
            "中欧关系",
            "中欧贸易",
            "中欧班列",
            "中德",
            "中法",
            "中英",
            "访欧",
            "对欧",
        ),
    ),
    RegionSpec(
        slug="japan",
        name="Japan",
        en=(
            "Japan",
            "Japanese",
            "Tokyo",
            "Osaka",
            "Okinawa",
            "Takaichi",
            "Ishiba",
            "Kishida",
            "Fukushima",
            "Senkaku",
            "Sino-Japanese",
        ),
        zh=(
            "日本",
            "日方",
            "中日",
            "日美",
            "美日",
            "日韩",
            "韩日",
            "访日",
            "对日",
            "赴日",
            "日军",
            "日企",
            "日元",
            "东京",
            "冲绳",
            "高市",
            "石破",
            "岸田",
            "钓鱼岛",
            "日本海军",
            "日本海上自卫队",
        ),
        en_not=("Sea of Japan",),
        # 日本海 is the sea; 日本海军 / 日本海上自卫队 are Japan's navy (longer, so they win).
        zh_not=("今日美国", "节日美", "日本海"),
        relation=(
            "Sino-Japanese",
            "Japan-China",
            "China-Japan",
            "中日",
            "日中",
            "访日",
            "对日",
        ),
    ),
    RegionSpec(
        slug="africa",
        name="Africa",
        en=(*_AFRICA, "South Africa", "South African", "Ivory Coast", "African Union"),
        zh=(
            "非洲",
            "非盟",
            "中非",
            "南非",
            "尼日利亚",
            "肯尼亚",
            "埃塞俄比亚",
            "埃及",
            "加纳",
            "坦桑尼亚",
            "赞比亚",
            "安哥拉",
            "刚果",
            "津巴布韦",
            "乌干达",
            "卢旺达",
            "塞内加尔",
            "摩洛哥",
            "阿尔及利亚",
            "苏丹",
            "吉布提",
            "莫桑比克",
            "纳米比亚",
        ),
        en_not=("African American", "African Americans", "Guinea pig", "Papua New Guinea"),
        relation=(
            "China-Africa",
            "Africa-China",
            "Sino-African",
            "FOCAC",
            "中非合作",
            "中非关系",
            "对非",
        ),
    ),
    RegionSpec(
        slug="russia",
        name="Russia",
        en=(
            "Russia",
            "Russian",
            "Russians",
            "Moscow",
            "Kremlin",
            "Putin",
            "Lavrov",
            "Medvedev",
            "Soviet",
            "USSR",
            "Sino-Russian",
            "rouble",
            "ruble",
            "Siberia",
        ),
        zh=("俄", "莫斯科", "普京", "克里姆林宫", "拉夫罗夫", "苏联", "卢布"),
        zh_not=("埃塞俄比亚", "俄亥俄", "俄勒冈"),
        relation=("Sino-Russian", "Russia-China", "China-Russia", "中俄", "俄中"),
    ),
)

REGION_SLUGS: tuple[str, ...] = tuple(r.slug for r in DEFAULT_REGIONS)


_T = TypeVar("_T")
_S = TypeVar("_S")
_RECENT: dict[int, tuple[object, object]] = {}


def _by_identity(data: Sequence[_S], build: Callable[[tuple[_S, ...]], _T]) -> _T:
    """``build(tuple(data))`` (itself cached by value), remembered by the object's identity.

    Callers pass the same tuple for every item of a document; hashing a few hundred keyword
    strings per call would otherwise cost more than the matching.
    """
    hit = _RECENT.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]  # type: ignore[return-value]
    matcher = build(tuple(data))
    if len(_RECENT) > 32:
        _RECENT.clear()
    _RECENT[id(data)] = (data, matcher)
    return matcher


def trie_regex(words: Iterable[str]) -> str:
    """One regex matching any of ``words``, longest first, factored as a trie.

    A plain alternation of a few hundred keywords makes the engine try each one at every
    capitalised position; the trie tries one branch per character.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(trie)


@dataclass(frozen=True, slots=True)
class _RegionMatcher:
    en: re.Pattern[str]
    zh: re.Pattern[str]
    # matched text -> indexes of the regions it counts for; () for a phrase that never counts.
    lookup: dict[str, tuple[int, ...]]
    slugs: tuple[str, ...]


@lru_cache(maxsize=16)
def _region_matcher(regions: tuple[RegionSpec, ...]) -> _RegionMatcher:
    lookup: dict[str, tuple[int, ...]] = {}
    for index, spec in enumerate(regions):
        for kw in spec.en:
            for variant in (kw, kw.upper()) if len(kw) > 3 else (kw,):
                if index not in lookup.setdefault(variant, ()):
                    lookup[variant] += (index,)
        for kw in spec.zh:
            if index not in lookup.setdefault(kw, ()):
                lookup[kw] += (index,)
    # Negative phrases are matched too (the longest match wins), so the keyword inside them
    # doesn't count; a phrase that is another region's keyword (埃塞俄比亚) counts for that one.
    for spec in regions:
        for kw in (*spec.en_not, *spec.zh_not):
            lookup.setdefault(kw, ())
    en = [k for k in lookup if not has_cjk(k)]
    zh = [k for k in lookup if has_cjk(k)]
    # The word boundary before an English keyword is checked in Python: a look-behind here
    # would stop the engine from skipping ahead to possible first letters, and cost 10x.
    return _RegionMatcher(
        en=re.compile(rf"{trie_regex(en)}(?![\w$])" if en else r"(?!)"),
        zh=re.compile(trie_regex(zh) if zh else r"(?!)"),
        lookup=lookup,
        slugs=tuple(r.slug for r in regions),
    )


def _mentions(text: str, regions: Sequence[RegionSpec]) -> list[tuple[int, tuple[int, ...]]]:
    """Where ``text`` names a region: (offset, indexes of the regions that keyword counts for)."""
    matcher = _by_identity(regions, _region_matcher)
    lookup = matcher.lookup
    found: list[tuple[int, tuple[int, ...]]] = []
    for m in matcher.en.finditer(text):
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "._"):
            continue
        if lookup[m.group(0)]:
            found.append((start, lookup[m.group(0)]))
    for m in matcher.zh.finditer(text):
        if lookup[m.group(0)]:
            found.append((m.start(), lookup[m.group(0)]))
    return found


def count_region_mentions(
    text: str | None, regions: Sequence[RegionSpec] = DEFAULT_REGIONS
) -> dict[str, int]:
    """How often each region's keywords occur in ``text`` (regions with none are absent)."""
    if not text:
        return {}
    hits = [0] * len(regions)
    for _, indexes in _mentions(text, regions):
        for index in indexes:
            hits[index] += 1
    return {spec.slug: n for spec, n in zip(regions, hits, strict=True) if n > 0}


# China as an actor in a sentence: with a region in the same sentence, the sentence is about
# the two of them ("Beijing protested to Tokyo", "中方对美方表示不满").
_ACTOR_EN = ("China", "Chinese", "Beijing", "Sino", "PRC", "CCP", "Xi", "Zhongnanhai")
_ACTOR_PAIR = ("the two", "both")
_ACTOR_PAIRED = ("countries", "governments", "sides", "neighbours", "neighbors")
_ACTOR_ZH: tuple[str, ...] = ("中国", "中方", "中共", "北京", "习近平", "两国", "双边", "双方")
_ACTOR_ZH += tuple(f"{c}华" for c in "访对来在赴驻涉援")
# What relations are made of: diplomacy, trade measures, security, money between states.
# Stems take any ending ("negotiat" -> negotiations); words stand alone ("ban", not "bank").
_CUE_STEMS = (
    "negotiat", "visit", "envoy", "ambassador", "embass", "diplomat", "ministr", "tariff",
    "sanction", "blacklist", "restrict", "retaliat", "countermeasure", "protest", "dispute",
    "tension", "rival", "confront", "drill", "exercise", "patrol", "warship", "espionage",
    "spy", "spies", "accus", "condemn", "warn", "loan", "lender", "invest", "alliance",
    "partnership", "cooperat", "bilateral",
)  # fmt: skip
_CUE_WORDS = (
    "ties", "relation", "relations", "relationship", "talks", "dialogue", "summit", "summits",
    "minister", "ministers", "duties", "levies", "trade", "truce", "export control",
    "export controls", "entity list", "ban", "bans", "banned", "banning", "curb", "curbs",
    "curbed", "military", "coastguard", "coast guard", "pressed", "debt", "debts", "owes",
    "aid", "allies", "ally",
)  # fmt: skip
_CUE_ZH = (
    "关系", "会谈", "会晤", "谈判", "磋商", "对话", "峰会", "访问", "访华", "出访", "大使",
    "使馆", "外长", "外交", "部长", "关税", "制裁", "贸易", "摩擦", "休战", "管制", "实体清单",
    "黑名单", "禁令", "限制", "反制", "抗议", "交涉", "争端", "争议", "紧张", "对抗", "竞争",
    "演习", "巡航", "巡逻", "军事", "海警", "间谍", "施压", "警告", "指责", "谴责", "贷款",
    "债务", "投资", "援助", "同盟", "盟友", "伙伴", "合作",
)  # fmt: skip
# Tries, not alternations: a search runs for every sentence that names a region.
_CHINA_ACTOR = re.compile(
    rf"\b(?:{trie_regex(_ACTOR_EN)})\b|{trie_regex(_ACTOR_ZH)}|"
    rf"\b(?:{trie_regex(_ACTOR_PAIR)}) (?:{trie_regex(_ACTOR_PAIRED)})\b"
)
_RELATION_CUE = re.compile(
    rf"\b(?:{trie_regex(_CUE_STEMS)}|(?:{trie_regex(_CUE_WORDS)})\b)|{trie_regex(_CUE_ZH)}"
)


# A sentence naming a region: plainly, with China as an actor, with a relation cue as well.
_PLAIN, _PAIR, _RELATED = 1.0, 1.5, 2.0
_SENTENCE_ENDS = (". ", ".\n", ".” ", '." ', "? ", "! ", "。", "！", "？")


def _weight(sentence: str) -> float:
    """How strongly a sentence that names a region ties it to China."""
    if not _CHINA_ACTOR.search(sentence):
        return _PLAIN
    return _RELATED if _RELATION_CUE.search(sentence.lower()) else _PAIR


# Points a region needs: with its name in the title the rest only has to confirm it; without,
# the summary and the lead must be about it (a company story that names the US twice is not).
TITLED_THRESHOLD = 4.0
UNTITLED_THRESHOLD = 6.0
# A body that keeps coming back to a region is about it, however short: a third of its
# sentences (at least two) name the region.
_DENSE_SHARE, _DENSE_POINTS = 1 / 3, 2.0


def _sentence_weights(
    text: str | None, regions: Sequence[RegionSpec]
) -> list[tuple[set[str], float]]:
    """Per sentence naming a region: its regions and how strongly it ties them to China.

    The text is searched once; only the paragraphs that name a region are split into
    sentences (most of a long article names none, and splitting is what costs).
    """
    if not text:
        return []
    mentions = _mentions(text, regions)
    if not mentions:
        return []
    mentions.sort()
    found: list[tuple[set[str], float]] = []
    index = 0
    while index < len(mentions):
        at = mentions[index][0]
        paragraph_start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        paragraph_end = len(text) if end < 0 else end
        paragraph = text[paragraph_start:paragraph_end]
        inside = []
        while index < len(mentions) and mentions[index][0] < paragraph_end:
            inside.append((mentions[index][0] - paragraph_start, mentions[index][1]))
            index += 1
        found += _weigh_paragraph(paragraph, inside, regions)
    return found


def _weigh_paragraph(
    paragraph: str, mentions: list[tuple[int, tuple[int, ...]]], regions: Sequence[RegionSpec]
) -> list[tuple[set[str], float]]:
    sentences = split_sentences(paragraph) if has_cjk(paragraph) else segment("en", paragraph)
    found: list[tuple[set[str], float]] = []
    offset = 0
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence:
            continue
        start = paragraph.find(sentence, offset)
        start = offset if start < 0 else start
        offset = start + len(sentence)
        slugs = {
            regions[i].slug for at, indexes in mentions if start <= at < offset for i in indexes
        }
        if not slugs:
            continue
        found.append((slugs, _weight(sentence)))
    return found


def _sentence_count(text: str) -> int:
    """Roughly how many sentences ``text`` has (full stops before a space or the end)."""
    return max(1, sum(text.count(end) for end in _SENTENCE_ENDS) + 1)


def _relation_phrases(text: str, regions: Sequence[RegionSpec]) -> set[str]:
    return {r.slug for r in regions if any(p in text for p in r.relation)}


def tag_regions(
    *,
    titles: Iterable[str | None] = (),
    summary: str | None = None,
    text: str | None = None,
    regions: Sequence[RegionSpec] = DEFAULT_REGIONS,
) -> tuple[str, ...]:
    """The regions a piece is about, in the order of ``regions``.

    Each sentence naming a region weighs 1, 1.5 when it also names China as an actor (China,
    Beijing, 中方, "the two countries"), 2 when it also has a relation cue (ties, talks,
    tariffs, sanctions, summit, drills, loans, 关税, 会谈...) or is itself a relation phrase
    (中美, Sino-Japanese). Where it is decides how much it counts: the title (English or
    Chinese) gives 3 and up to 2 more for a relation; the summary up to 4 points; the lead
    paragraph up to 3; the rest of the body a quarter, up to 3; a body where a third of the
    sentences name the region adds 2 (a short piece about little else). A region is tagged at
    :data:`TITLED_THRESHOLD` points when the title names it, at :data:`UNTITLED_THRESHOLD`
    otherwise, and never without a sentence that pairs it with China in the title, summary
    or lead (or, deeper in the body, one with a relation cue too): a typhoon that passes
    Okinawa on its way to Shanghai is not about Japan.
    """
    scores: dict[str, float] = {}
    related: set[str] = set()
    titled: set[str] = set()

    def add(slug: str, points: float) -> None:
        scores[slug] = scores.get(slug, 0.0) + points

    title_text = " \n ".join(t for t in titles if t)
    title_weights = _sentence_weights(title_text.replace(" \n ", ". "), regions)
    bonus: dict[str, float] = {}
    for mentions, weight in title_weights:
        for slug in mentions:
            bonus[slug] = max(bonus.get(slug, 0.0), weight - _PLAIN)
    for slug in count_region_mentions(title_text, regions):
        titled.add(slug)
        add(slug, 3.0 + 2 * bonus.get(slug, 0.0))

    lead, _, rest = (text or "").strip().partition("\n")
    lead_weights = _sentence_weights(lead, regions)
    rest_weights = _sentence_weights(rest, regions)
    zones = (
        (_sentence_weights(summary, regions), 1.0, 4.0, _PAIR),
        (lead_weights, 1.0, 3.0, _PAIR),
        (rest_weights, 0.25, 3.0, _RELATED),
    )
    for weights, factor, cap, relating in zones:
        zone_points: dict[str, float] = {}
        for mentions, weight in weights:
            for slug in mentions:
                zone_points[slug] = zone_points.get(slug, 0.0) + weight * factor
                if weight >= relating:
                    related.add(slug)
        for slug, points in zone_points.items():
            add(slug, min(points, cap))
    body = lead_weights + rest_weights
    sentences = _sentence_count(text or "")
    for slug in {slug for mentions, _ in body for slug in mentions}:
        naming = sum(1 for mentions, _ in body if slug in mentions)
        if naming >= 2 and naming / sentences >= _DENSE_SHARE:
            add(slug, _DENSE_POINTS)
    for mentions, weight in title_weights:
        if weight > _PLAIN:
            related.update(mentions)
    for zone in (title_text, summary or "", lead):
        related |= _relation_phrases(zone, regions)

    chosen = []
    for spec in regions:
        needed = TITLED_THRESHOLD if spec.slug in titled else UNTITLED_THRESHOLD
        if spec.slug in related and scores.get(spec.slug, 0.0) >= needed:
            chosen.append(spec.slug)
    return tuple(chosen)


def regions_in_heading(
    heading: str, regions: Sequence[RegionSpec] = DEFAULT_REGIONS
) -> tuple[str, ...]:
    """Regions a section heading names ("3. Japan", "Sino-Russian Relations", "中非关系")."""
    found = set(count_region_mentions(heading, regions))
    folded = heading.casefold()
    for spec in regions:
        if spec.name.casefold() in folded or spec.slug in folded:
            found.add(spec.slug)
    return tuple(r.slug for r in regions if r.slug in found)


@dataclass(frozen=True, slots=True)
class _CommentatorMatcher:
    pattern: re.Pattern[str] | None
    lookup: dict[str, int]
    zh: tuple[tuple[str, int], ...]
    people: tuple[KnownCommentator, ...]


@lru_cache(maxsize=16)
def _commentator_matcher(people: tuple[KnownCommentator, ...]) -> _CommentatorMatcher:
    lookup: dict[str, int] = {}
    zh: list[tuple[str, int]] = []
    for index, person in enumerate(people):
        names = [person.name, *person.aliases]
        if person.name_zh:
            names.append(person.name_zh)
        parts = person.name.split()
        if len(parts) == 2:
            # Chinese names are often written given-name first in English-language media.
            names.append(f"{parts[1]} {parts[0]}")
        for name in names:
            name = " ".join(name.split())
            if not name:
                continue
            if has_cjk(name):
                if len(name) >= 2:
                    zh.append((name, index))
            elif len(name) >= 4:
                lookup.setdefault(name, index)
    pattern = re.compile(rf"{trie_regex(lookup)}(?!\w)") if lookup else None
    return _CommentatorMatcher(pattern, lookup, tuple(zh), people)


def tag_commentators(
    texts: Iterable[str | None], commentators: Sequence[KnownCommentator]
) -> tuple[ParsedCommentator, ...]:
    """The known commentators named in ``texts`` (Latin, Chinese or alias), in the given order."""
    if not commentators:
        return ()
    matcher = _by_identity(commentators, _commentator_matcher)
    found: set[int] = set()
    for text in texts:
        if not text:
            continue
        if matcher.pattern is not None:
            for m in matcher.pattern.finditer(text):
                if not (m.start() and text[m.start() - 1].isalnum()):
                    found.add(matcher.lookup[m.group(0)])
        if has_cjk(text):
            for name, index in matcher.zh:
                if index not in found and name in text:
                    found.add(index)
    return tuple(
        ParsedCommentator(name=p.name, name_zh=p.name_zh)
        for i, p in enumerate(matcher.people)
        if i in found
    )
