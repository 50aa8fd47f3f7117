"""What editors read about followed sources (/source and the polls' notices).

Placeholders receive values already HTML-escaped by bot/render/sources.py.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "editor.menu.source": {"en": "Follow the site's feeds", "zh": "关注网站的订阅源"},
    "sources.usage": {
        "en": (
            "<b>Sources</b>: the site's RSS or Atom feeds, polled for new posts.\n"
            "/source add &lt;feed URL&gt; [--auto] [--every 15m] — follow a feed"
            " (--auto publishes new posts without review)\n"
            "/source list — each source's last poll, last new post and last error\n"
            "/source pause|resume &lt;id&gt;, /source remove &lt;id&gt;"
        ),
        "zh": (
            "<b>订阅源</b>：网站的 RSS 或 Atom 订阅，定时检查新文章。\n"
            "/source add &lt;订阅地址&gt; [--auto] [--every 15m] — 关注订阅源"
            "（--auto 表示新文章无需审核直接发布）\n"
            "/source list — 各订阅源最近一次检查、最近一篇新文章和最近一次错误\n"
            "/source pause|resume &lt;编号&gt;，/source remove &lt;编号&gt;"
        ),
    },
    "sources.added": {
        "en": (
            "✅ Following <b>s{id}</b>: {title}\n{url}\n"
            "{seen} posts already in the feed were recorded as seen; none was sent."
        ),
        "zh": "✅ 已关注 <b>s{id}</b>：{title}\n{url}\n订阅中已有的 {seen} 篇文章已记为已读，未发送任何内容。",
    },
    "sources.mode.review": {
        "en": "New posts will come to editors as previews, to publish or discard.",
        "zh": "新文章将以预览形式发给编辑，由编辑发布或丢弃。",
    },
    "sources.mode.auto": {
        "en": "⚡ New posts will be published without review.",
        "zh": "⚡ 新文章将不经审核直接发布。",
    },
    "sources.newest": {
        "en": "Newest post: <b>{title}</b> ({when})\n{link}\nRead as {kind}.",
        "zh": "最新文章：<b>{title}</b>（{when}）\n{link}\n识别为{kind}。",
    },
    "sources.newest_unreadable": {
        "en": "Newest post: <b>{title}</b> ({when})\n{link}\nIt cannot be imported as it is: {problem}",
        "zh": "最新文章：<b>{title}</b>（{when}）\n{link}\n无法按原样导入：{problem}",
    },
    "sources.newest_import": {
        "en": "Press Import to preview it as a draft.",
        "zh": "点击“导入”即可将其存为草稿并预览。",
    },
    "sources.kind.digest": {
        "en": "a digest with {count} entries",
        "zh": "含 {count} 条评论的月度文摘",
    },
    "sources.kind.report": {"en": "a daily report with {count} items", "zh": "含 {count} 条的日报"},
    "sources.kind.article": {"en": "an article", "zh": "一篇文章"},
    "sources.undated": {"en": "undated", "zh": "无日期"},
    "sources.btn.import": {"en": "📥 Import", "zh": "📥 导入"},
    "sources.import_gone": {
        "en": "This Import button has expired; post the link with /post instead.",
        "zh": "此“导入”按钮已失效，请改用 /post 发送链接。",
    },
    "sources.imported": {"en": "📥 Imported from s{id}.", "zh": "📥 已从 s{id} 导入。"},
    "sources.new_post": {
        "en": "📥 New post from <b>s{id}</b> ({title}):",
        "zh": "📥 来自 <b>s{id}</b>（{title}）的新文章：",
    },
    "sources.auto_published": {
        "en": "⚡ Published from <b>s{id}</b> ({title}) without review:",
        "zh": "⚡ 已不经审核发布来自 <b>s{id}</b>（{title}）的文章：",
    },
    "sources.post_error": {
        "en": "⚠️ A new post from <b>s{id}</b> ({title}) could not be taken in.\n{post}\n{link}\n{problem}",
        "zh": "⚠️ 来自 <b>s{id}</b>（{title}）的新文章无法导入。\n{post}\n{link}\n{problem}",
    },
    "sources.failing": {
        "en": (
            "⚠️ Source <b>s{id}</b> ({title}) is failing: {error}\n"
            "I keep trying, less and less often, and will tell you when it works again."
        ),
        "zh": "⚠️ 订阅源 <b>s{id}</b>（{title}）出错：{error}\n我会继续重试（间隔逐渐加长），恢复后会通知你。",
    },
    "sources.recovered": {
        "en": "✅ Source <b>s{id}</b> ({title}) works again.",
        "zh": "✅ 订阅源 <b>s{id}</b>（{title}）已恢复正常。",
    },
    "sources.add_failed": {
        "en": "I could not follow that source: {error}. Nothing was added.",
        "zh": "无法关注该订阅源：{error}。未添加任何内容。",
    },
    "sources.error.fetch": {"en": "{detail}", "zh": "{detail}"},
    "sources.error.html": {
        "en": "that address answers a web page (HTML), not an RSS or Atom feed",
        "zh": "该地址返回的是网页（HTML），而不是 RSS 或 Atom 订阅",
    },
    "sources.error.html_feed": {
        "en": (
            "that address answers a web page (HTML), not an RSS or Atom feed;"
            " the page names its feed: {detail}"
        ),
        "zh": "该地址返回的是网页（HTML），而不是 RSS 或 Atom 订阅；该网页标明的订阅地址是：{detail}",
    },
    "sources.error.invalid": {
        "en": "that is not an RSS or Atom feed ({detail})",
        "zh": "这不是 RSS 或 Atom 订阅（{detail}）",
    },
    "sources.error.bad_url": {
        "en": "“{detail}” is not an http(s) link",
        "zh": "“{detail}” 不是 http(s) 链接",
    },
    "sources.error.exists": {
        "en": "that feed is already followed as {detail}",
        "zh": "该订阅已作为 {detail} 关注",
    },
    "sources.bad_every": {
        "en": "“{text}” is not an interval: use seconds or 15m, 2h (at least 30 s).",
        "zh": "“{text}” 不是有效的间隔：请用秒数或 15m、2h（至少 30 秒）。",
    },
    "sources.list.title": {"en": "<b>Sources</b> ({count})", "zh": "<b>订阅源</b>（{count}）"},
    "sources.list.empty": {
        "en": "No sources yet. Follow one with /source add &lt;feed URL&gt;.",
        "zh": "还没有订阅源。用 /source add &lt;订阅地址&gt; 添加。",
    },
    "sources.list.item": {
        "en": (
            "<b>s{id}</b> {title} — {state}\n{url}\n"
            "Last poll: {poll} · last new post: {new} · last error: {error}"
        ),
        "zh": "<b>s{id}</b> {title} — {state}\n{url}\n最近检查：{poll} · 最近新文章：{new} · 最近错误：{error}",
    },
    "sources.state.active": {"en": "active", "zh": "运行中"},
    "sources.state.paused": {"en": "⏸ paused", "zh": "⏸ 已暂停"},
    "sources.state.failing": {"en": "⚠️ failing", "zh": "⚠️ 出错"},
    "sources.state.auto": {"en": "⚡ publishes without review", "zh": "⚡ 不经审核直接发布"},
    "sources.state.every": {"en": "every {every}", "zh": "每 {every}"},
    "sources.never": {"en": "never", "zh": "从未"},
    "sources.none": {"en": "none", "zh": "无"},
    "sources.paused": {
        "en": "⏸ <b>s{id}</b> is paused: it is not polled until /source resume {id}.",
        "zh": "⏸ <b>s{id}</b> 已暂停：在 /source resume {id} 之前不再检查。",
    },
    "sources.resumed": {
        "en": "▶️ <b>s{id}</b> is polled again, starting now.",
        "zh": "▶️ <b>s{id}</b> 已恢复检查，现在开始。",
    },
    "sources.removed": {
        "en": "🗑 Stopped following <b>s{id}</b> ({title}). What it brought in stays stored.",
        "zh": "🗑 已停止关注 <b>s{id}</b>（{title}）。已导入的内容仍然保留。",
    },
    "sources.not_found": {
        "en": "There is no source “{text}”. /source list shows them.",
        "zh": "没有订阅源“{text}”。/source list 可查看全部。",
    },
}
