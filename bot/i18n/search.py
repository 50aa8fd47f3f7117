"""Strings of /search, inline search and `digestbot search`."""

MESSAGES: dict[str, dict[str, str]] = {
    "search.menu": {"en": "Search the archive", "zh": "搜索往期内容"},
    "search.usage": {
        "en": (
            "🔎 <b>Search the archive</b>\n"
            "<code>/search rare earths</code> · <code>/search 稀土</code> · "
            "<code>/search huang jing</code>\n\n"
            'Filters: <code>region:japan</code> (or 日本), <code>by:"Ding Chun"</code> '
            "(or 丁纯, dingchun, dc), <code>since:2025-11-01</code>, <code>until:2025-11-30</code>, "
            '<code>type:entry|item|digest</code>. Quote a phrase: <code>"grand bargain"</code>.\n'
            "In any chat, type @{bot} and your query to share a result."
        ),
        "zh": (
            "🔎 <b>搜索往期内容</b>\n"
            "<code>/search 稀土</code> · <code>/search rare earths</code> · "
            "<code>/search huang jing</code>\n\n"
            "筛选：<code>region:日本</code>（或 japan）、<code>by:丁纯</code>"
            '（或 "Ding Chun"、dingchun、dc）、<code>since:2025-11-01</code>、'
            "<code>until:2025-11-30</code>、<code>type:entry|item|digest</code>。"
            '加引号搜索短语：<code>"grand bargain"</code>。\n'
            "在任意聊天中输入 @{bot} 加关键词即可分享结果。"
        ),
    },
    "search.text.hint": {
        "en": (
            "🔎 Send me a few words and I will search the archive: <code>rare earths</code>, "
            "<code>稀土</code>, <code>huang jing</code>. /search also takes filters such as "
            "<code>region:japan</code> or <code>since:2025-11-01</code>.\n"
            "To get new commentary as it is published, /subscribe to regions or commentators. "
            "/help lists every command."
        ),
        "zh": (
            "🔎 直接发送关键词即可搜索往期内容：<code>稀土</code>、<code>rare earths</code>、"
            "<code>huang jing</code>。/search 还可以加筛选，例如 <code>region:日本</code> 或 "
            "<code>since:2025-11-01</code>。\n"
            "想在新内容发布时收到推送，请用 /subscribe 关注地区或评论员。/help 查看全部命令。"
        ),
    },
    "search.text.none": {
        "en": (
            "Send other words to search again; /search also takes filters such as "
            "<code>region:japan</code> (see /help). To hear when something new matches, "
            "use /alert <i>keyword</i> or /subscribe."
        ),
        "zh": (
            "换个关键词再发一次即可重新搜索；/search 还可以加筛选，例如 <code>region:日本</code>"
            "（见 /help）。想在有新内容时收到提醒，请用 /alert <i>关键词</i> 或 /subscribe。"
        ),
    },
    "search.header": {
        "en": "🔎 <b>{query}</b> — {total} results, {first}–{last}:",
        "zh": "🔎 <b>{query}</b> — 共 {total} 条结果，第 {first}–{last} 条：",
    },
    "search.header_capped": {
        "en": "🔎 <b>{query}</b> — the {total} most recent matches, {first}–{last}:",
        "zh": "🔎 <b>{query}</b> — 最近的 {total} 条匹配结果，第 {first}–{last} 条：",
    },
    "search.none": {
        "en": "🔎 No results for <b>{query}</b>.",
        "zh": "🔎 没有找到与 <b>{query}</b> 相关的内容。",
    },
    "search.none_hint": {
        "en": "Try fewer words, another spelling, or the Chinese (or English) name.",
        "zh": "试试减少关键词、换一种写法，或改用英文（或中文）名称。",
    },
    "search.more": {"en": "More ›", "zh": "更多 ›"},
    "search.prev": {"en": "‹ Back", "zh": "‹ 上一页"},
    "search.open": {"en": "Open ›", "zh": "阅读 ›"},
    "search.type.entry": {"en": "Commentary", "zh": "评论"},
    "search.type.item": {"en": "Press review", "zh": "媒体报道"},
    "search.type.digest": {"en": "Digest", "zh": "月度文摘"},
    "search.problem.since": {
        "en": "“since:{value}” is not a date I can read (try since:2025-11-01); ignored.",
        "zh": "“since:{value}” 不是有效日期（例如 since:2025-11-01），已忽略。",
    },
    "search.problem.until": {
        "en": "“until:{value}” is not a date I can read (try until:2025-11-30); ignored.",
        "zh": "“until:{value}” 不是有效日期（例如 until:2025-11-30），已忽略。",
    },
    "search.problem.type": {
        "en": "“type:{value}” is not a type; use type:entry, type:item or type:digest. Ignored.",
        "zh": "“type:{value}” 不是有效类型，请用 type:entry、type:item 或 type:digest。已忽略。",
    },
    "search.problem.region": {
        "en": "No region called “{value}”. Regions: {regions}.",
        "zh": "没有名为“{value}”的地区。可选地区：{regions}。",
    },
    "search.problem.by": {
        "en": "No commentator matches “{value}”.",
        "zh": "没有与“{value}”匹配的评论员。",
    },
    "search.problem.empty": {
        "en": "“{value}:” needs a value, e.g. region:japan; ignored.",
        "zh": "“{value}:” 后面需要填写内容，例如 region:日本；已忽略。",
    },
    "search.problem.range": {
        "en": "The start date is after the end date ({value}).",
        "zh": "开始日期晚于结束日期（{value}）。",
    },
    "search.problem.terms": {
        "en": "Only the first {value} words were searched.",
        "zh": "只搜索了前 {value} 个词。",
    },
    "search.inline.none": {
        "en": "No results",
        "zh": "没有结果",
    },
    "search.inline.none_text": {
        "en": "Nothing in the archive matches “{query}”.",
        "zh": "往期内容中没有与“{query}”匹配的结果。",
    },
}
