"""Index tokens for a commentator's name: Latin script, Chinese script and toneless pinyin.

"huang jing", "huangjing", "hj" and "jing huang" all find 黄靖. pypinyin's first reading of a
surname is often wrong (曾 ceng for Zeng, 单 dan for Shan), so every reading of every character
is indexed (bounded), with the surname reading from `SURNAME_READINGS` first.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from pypinyin import Style, pinyin

from bot.search.tokenize import CJK_RE, MAX_WORD, pieces, tokenize

# Surnames pypinyin tends to read as the common word instead (one syllable per character).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",),
    "单": ("shan",),
    "区": ("ou",),
    "仇": ("qiu",),
    "解": ("xie",),
    "朴": ("piao",),
    "查": ("zha",),
    "盖": ("ge",),
    "乐": ("yue",),
    "缪": ("miao",),
    "翟": ("zhai",),
    "覃": ("qin",),
    "召": ("shao",),
    "秘": ("bi",),
    "种": ("chong",),
    "繁": ("po",),
    "长孙": ("zhang", "sun"),
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "澹台": ("tan", "tai"),
    "单于": ("chan", "yu"),
}
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "公孙", "宇文",
        "长孙", "夏侯", "轩辕", "端木", "尉迟", "万俟", "澹台", "单于", "司徒", "司空",
        "西门", "南宫", "独孤", "呼延", "闻人", "赫连", "申屠", "钟离", "太史", "濮阳",
    }
)  # fmt: skip
MAX_READINGS = 16  # combinations of character readings per name, bounded


def split_surname(hanzi: str) -> tuple[str, str]:
    if len(hanzi) >= 3 and hanzi[:2] in COMPOUND_SURNAMES:
        return hanzi[:2], hanzi[2:]
    return hanzi[:1], hanzi[1:]


def _char_readings(chars: str) -> list[list[str]]:
    """Toneless readings per character, most common first; ü spelled both v and u."""
    out = []
    for options in pinyin(chars, style=Style.NORMAL, heteronym=True, errors="ignore"):
        spelled = [s for r in options for s in (r, r.replace("v", "u")) if s.isascii() and s]
        if spelled:
            out.append(list(dict.fromkeys(spelled)))
    return out


@lru_cache(maxsize=8192)
def pinyin_readings(name_zh: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Readings of a Chinese name as (surname syllables, given-name syllables), the surname
    override first: 曾志伟 → ((zeng,), (zhi, wei)), ((ceng,), (zhi, wei)). Bounded."""
    hanzi = "".join(CJK_RE.findall(name_zh))
    if not hanzi:
        return ()
    surname, given = split_surname(hanzi)
    per_char = _char_readings(hanzi)
    if len(per_char) != len(hanzi):  # a character pypinyin cannot read: no pinyin at all
        return ()
    override = SURNAME_READINGS.get(surname)
    if override:
        for i, syllable in enumerate(override):
            per_char[i] = [syllable, *(r for r in per_char[i] if r != syllable)]
    combos = itertools.islice(itertools.product(*per_char), MAX_READINGS)
    n = len(surname)
    return tuple((combo[:n], combo[n:]) for combo in combos)


@lru_cache(maxsize=16384)
def name_tokens(
    name: str | None, name_zh: str | None, aliases: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Every token a commentator's name is found by: the words of the Latin name and aliases,
    the Chinese name (as CJK tokens), and its pinyin syllables, joined forms and initials."""
    tokens: list[str] = []
    for text in (name, *aliases):
        if not text:
            continue
        tokens.extend(tokenize(text).words)
        words = [p.text for p in pieces(text) if not p.cjk]
        if len(words) > 1:
            tokens.append("".join(words))  # huangjing
            tokens.append("".join(w[0] for w in words))  # hj
    for text in (name_zh, *aliases):
        if not text or not CJK_RE.search(text):
            continue
        tokens.extend(tokenize(text).words)
        for surname, given in pinyin_readings(text):
            tokens.extend(surname + given)  # zeng zhi wei
            tokens.append("".join(surname))
            if given:
                tokens.append("".join(given))  # zhiwei
                tokens.append("".join(surname + given))  # zengzhiwei
                tokens.append("".join(given + surname))  # zhiweizeng (Western order)
            tokens.append("".join(s[0] for s in surname + given))  # zzw
    # Joined forms of a long name are cut like any word (bot.search.tokenize.MAX_WORD).
    return tuple(dict.fromkeys(t[:MAX_WORD] for t in tokens))
