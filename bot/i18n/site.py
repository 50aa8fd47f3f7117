"""Strings of the public website (bot.site) and of /stats for one publication."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- the website ---
    "site.name": {"en": "China commentary digest", "zh": "中国评论摘要"},
    "site.tagline": {
        "en": "Commentary on China from Chinese scholars and a daily review of English-language media",
        "zh": "中国学者评论精选与英文媒体涉华报道每日汇总",
    },
    "site.nav.home": {"en": "Home", "zh": "首页"},
    "site.nav.commentators": {"en": "Commentators", "zh": "评论员"},
    "site.nav.search": {"en": "Search", "zh": "搜索"},
    "site.nav.feed": {"en": "Atom feed", "zh": "Atom 订阅"},
    "site.nav.language": {"en": "中文", "zh": "English"},
    "site.home.reports": {"en": "Latest daily reports", "zh": "最新每日报道汇总"},
    "site.home.digests": {"en": "Latest monthly digests", "zh": "最新月度摘要"},
    "site.home.latest": {"en": "Latest", "zh": "最新内容"},
    "site.home.regions": {"en": "Regions", "zh": "地区"},
    "site.count.items": {"en": "{n} items", "zh": "{n} 条"},
    "site.count.entries": {"en": "{n} entries", "zh": "{n} 篇"},
    "site.none": {"en": "Nothing published yet.", "zh": "暂无已发布内容。"},
    "site.older": {"en": "Older →", "zh": "更早 →"},
    "site.kind.e": {"en": "Commentary", "zh": "评论"},
    "site.kind.i": {"en": "Press review", "zh": "媒体报道"},
    "site.kind.r": {"en": "Daily report", "zh": "每日报道汇总"},
    "site.kind.d": {"en": "Monthly digest", "zh": "月度摘要"},
    "site.source": {"en": "Source", "zh": "原文"},
    "site.digest.read": {"en": "Read the digest", "zh": "阅读摘要原文"},
    "site.in_report": {"en": "In the daily report of {date}", "zh": "收录于 {date} 每日报道汇总"},
    "site.in_digest": {"en": "In the digest {title}", "zh": "收录于摘要《{title}》"},
    "site.summary.en": {"en": "Summary", "zh": "英文摘要"},
    "site.summary.zh": {"en": "Chinese summary", "zh": "中文摘要"},
    "site.region.title": {"en": "{name}", "zh": "{name}"},
    "site.commentator.count": {"en": "{n} pieces", "zh": "{n} 篇"},
    "site.commentators.title": {"en": "Commentators", "zh": "评论员"},
    "site.search.title": {"en": "Search the archive", "zh": "搜索往期内容"},
    "site.search.button": {"en": "Search", "zh": "搜索"},
    "site.search.hint": {
        "en": (
            'English or Chinese; filters: region:japan, by:"Ding Chun", since:2025-11-01, '
            "until:2025-11-30, type:entry|item|digest"
        ),
        "zh": "中英文皆可；筛选：region:日本、by:丁纯、since:2025-11-01、until:2025-11-30、type:entry|item|digest",
    },
    "site.search.found": {"en": "{n} found", "zh": "找到 {n} 条"},
    "site.search.capped": {
        "en": "more than {n} found; the newest are ranked",
        "zh": "超过 {n} 条；仅对最新的排序",
    },
    "site.search.nothing": {"en": "Nothing found.", "zh": "没有找到相关内容。"},
    "site.search.more": {"en": "More results →", "zh": "更多结果 →"},
    "site.withdrawn.title": {"en": "Withdrawn", "zh": "已撤回"},
    "site.withdrawn.body": {
        "en": "The editors withdrew this page ({kind}); it is no longer part of the archive.",
        "zh": "编辑已撤回此页面（{kind}），它不再收录于往期内容中。",
    },
    "site.withdrawn.on": {"en": "Withdrawn on {date}.", "zh": "撤回日期：{date}。"},
    "site.not_found.title": {"en": "Not found", "zh": "未找到"},
    "site.not_found.body": {
        "en": "There is no page at this address.",
        "zh": "此地址没有页面。",
    },
    "site.feed.all": {"en": "{site}: everything", "zh": "{site}：全部内容"},
    "site.feed.region": {"en": "{site}: {name}", "zh": "{site}：{name}"},
    "site.feed.commentator": {"en": "{site}: {name}", "zh": "{site}：{name}"},
    "site.feed.link": {"en": "Atom feed of this page", "zh": "本页的 Atom 订阅"},
    # --- /stats for one publication ---
    "stats.recent.title": {"en": "<b>Recent publications</b>", "zh": "<b>最近发布</b>"},
    "stats.recent.line": {
        "en": "• <code>{ref}</code> {title}: {delivered} delivered, {clicks} clicks",
        "zh": "• <code>{ref}</code> {title}：送达 {delivered}，点击 {clicks}",
    },
    "stats.recent.none": {"en": "Nothing published yet.", "zh": "暂无发布内容。"},
    "stats.recent.hint": {
        "en": "/stats <code>r7</code> shows one publication in detail.",
        "zh": "/stats <code>r7</code> 查看单项发布详情。",
    },
    "stats.pub.title": {"en": "<b>{ref}</b> {title}", "zh": "<b>{ref}</b> {title}"},
    "stats.pub.published": {"en": "Published {when}", "zh": "发布于 {when}"},
    "stats.pub.status": {"en": "Status: {status}", "zh": "状态：{status}"},
    "stats.pub.messages": {
        "en": (
            "Sent {sent} · delivered {delivered} · blocked {blocked} · failed {failed}"
            " · still queued {queued}"
        ),
        "zh": "已发送 {sent} · 送达 {delivered} · 被屏蔽 {blocked} · 失败 {failed} · 排队中 {queued}",
    },
    "stats.pub.clicks": {"en": "Clicks: {clicks}", "zh": "点击：{clicks}"},
    "stats.pub.tracking_off": {
        "en": "Clicks are not counted: set PUBLIC_URL (and keep CLICK_TRACKING on) to count them.",
        "zh": "未统计点击：设置 PUBLIC_URL（并保持 CLICK_TRACKING 开启）后开始统计。",
    },
    "stats.pub.top": {"en": "<b>Most clicked</b>", "zh": "<b>点击最多</b>"},
    "stats.pub.top_line": {"en": "• {clicks} · {title}", "zh": "• {clicks} · {title}"},
    "stats.pub.not_found": {"en": "No publication {ref}.", "zh": "没有发布内容 {ref}。"},
    "stats.pub.bad_ref": {
        "en": "Give a publication such as <code>r7</code>, <code>d3</code> or <code>e12</code>.",
        "zh": "请给出发布内容编号，例如 <code>r7</code>、<code>d3</code> 或 <code>e12</code>。",
    },
}
