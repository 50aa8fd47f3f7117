"""What subscribers read: following things, settings, groups. Values arrive HTML-escaped."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- command menu (setMyCommands) ---
    "sub.menu.start": {"en": "Welcome and what I do", "zh": "欢迎与简介"},
    "sub.menu.subscribe": {"en": "Follow regions or commentators", "zh": "关注地区或评论员"},
    "sub.menu.alert": {"en": "Follow a keyword", "zh": "关注关键词"},
    "sub.menu.list": {"en": "What you follow", "zh": "我的关注"},
    "sub.menu.settings": {"en": "Delivery settings", "zh": "推送设置"},
    "sub.menu.mode": {"en": "Instant, daily or off", "zh": "即时、每日或关闭"},
    "sub.menu.timezone": {"en": "Your time zone", "zh": "你的时区"},
    "sub.menu.unsubscribe": {"en": "Stop following something", "zh": "取消关注"},
    "sub.menu.mute": {"en": "Hide a topic", "zh": "屏蔽话题"},
    "sub.menu.stop": {"en": "Pause all messages", "zh": "暂停全部推送"},
    "sub.menu.help": {"en": "All commands", "zh": "全部命令"},
    # --- welcome and help ---
    "sub.start.welcome": {
        "en": (
            "<b>Welcome to the China-watching digest.</b>\n"
            "I send you short summaries of expert commentary and of English-language press "
            "coverage of China, for the regions, commentators and keywords you follow.\n\n"
            "• /subscribe — pick regions or commentators\n"
            "• /alert <i>keyword</i> — follow a topic, e.g. /alert rare earth\n"
            "• /settings — instant or daily, time zone, language\n"
            "• /help — every command"
        ),
        "zh": (
            "<b>欢迎订阅中国观察简报。</b>\n"
            "我会按照你关注的地区、评论员和关键词，推送专家评论和英文媒体涉华报道的摘要。\n\n"
            "• /subscribe — 选择地区或评论员\n"
            "• /alert <i>关键词</i> — 关注话题，例如 /alert 稀土\n"
            "• /settings — 即时或每日推送、时区、语言\n"
            "• /help — 全部命令"
        ),
    },
    "sub.start.resumed": {
        "en": "Welcome back: deliveries are on again.",
        "zh": "欢迎回来：推送已恢复。",
    },
    "sub.start.bad_link": {
        "en": "That link does not point to anything I know. Use /subscribe to choose.",
        "zh": "这个链接指向的内容不存在。请用 /subscribe 选择。",
    },
    "sub.help": {
        "en": (
            "<b>Following</b>\n"
            "/subscribe — regions and commentators (buttons), or /subscribe Japan, "
            "/subscribe Huang Jing, /subscribe 黄靖\n"
            "/unsubscribe <i>name</i> — stop following\n"
            "/alert <i>keyword</i> — follow a keyword or phrase (English or Chinese); "
            "/unalert to remove\n"
            "/mute <i>keyword</i> — hide matching items; /unmute to undo\n"
            "/list — everything you follow\n\n"
            "<b>Delivery</b>\n"
            "/settings — all settings with buttons\n"
            "/mode instant|daily|off — at once, in a daily summary, or not at all\n"
            "/time 08:00 — when the daily summary arrives\n"
            "/timezone Asia/Shanghai — your time zone (a city works too)\n"
            "/quiet 23:00-07:00 — hold messages overnight (/quiet off)\n"
            "/content en|zh|both — which language of bilingual items to show\n"
            "/language en|zh — the language of these menus\n"
            "/stop — pause everything; /start to resume\n"
            "/forget — delete your data"
        ),
        "zh": (
            "<b>关注</b>\n"
            "/subscribe — 地区和评论员（按钮），或 /subscribe 日本、/subscribe 黄靖、"
            "/subscribe huang jing\n"
            "/unsubscribe <i>名称</i> — 取消关注\n"
            "/alert <i>关键词</i> — 关注关键词或短语（中英文均可）；/unalert 取消\n"
            "/mute <i>关键词</i> — 屏蔽相关内容；/unmute 取消屏蔽\n"
            "/list — 查看全部关注\n\n"
            "<b>推送</b>\n"
            "/settings — 用按钮修改全部设置\n"
            "/mode instant|daily|off — 即时、每日汇总或不推送\n"
            "/time 08:00 — 每日汇总的时间\n"
            "/timezone Asia/Shanghai — 你的时区（也可以写城市名）\n"
            "/quiet 23:00-07:00 — 免打扰时段（/quiet off 关闭）\n"
            "/content en|zh|both — 双语内容显示哪种语言\n"
            "/language en|zh — 菜单语言\n"
            "/stop — 暂停全部推送；/start 恢复\n"
            "/forget — 删除你的数据"
        ),
    },
    "sub.help.search": {
        "en": (
            "<b>Search</b>\n"
            "/search <i>words</i> — the archive in English, Chinese or pinyin, with filters: "
            "<code>/search rare earths</code> · <code>/search 稀土</code> · "
            "<code>/search huang jing</code> · "
            '<code>/search tariffs region:japan by:"Ding Chun" since:2025-11-01</code>\n'
            "@{bot} <i>words</i> — in any chat, pick a result to share it"
        ),
        "zh": (
            "<b>搜索</b>\n"
            "/search <i>关键词</i> — 用中文、英文或拼音搜索往期内容，可加筛选："
            "<code>/search 稀土</code> · <code>/search rare earths</code> · "
            "<code>/search huang jing</code> · "
            "<code>/search 关税 region:日本 by:丁纯 since:2025-11-01</code>\n"
            "@{bot} <i>关键词</i> — 在任意聊天中选择结果即可分享"
        ),
    },
    "sub.help.search_here": {
        "en": "In this chat you can also just send the words, without /search.",
        "zh": "在这里也可以直接发送关键词，无需 /search。",
    },
    "sub.help.group": {
        "en": "In groups, only admins can change what the group follows and its settings.",
        "zh": "在群组中，只有管理员可以修改本群的关注和设置。",
    },
    # --- /subscribe keyboard ---
    "sub.picker.regions": {
        "en": (
            "<b>Regions</b> — tap to follow or unfollow.\n"
            "To follow a person, tap <i>Commentators</i> or type /subscribe <i>name</i>; "
            "for a topic, /alert <i>keyword</i>."
        ),
        "zh": (
            "<b>地区</b> — 点击关注或取消。\n"
            "关注评论员请点 <i>评论员</i> 或输入 /subscribe <i>姓名</i>；关注话题用 /alert <i>关键词</i>。"
        ),
    },
    "sub.picker.commentators": {
        "en": "<b>Commentators</b> — tap to follow or unfollow, or type /subscribe <i>name</i>.",
        "zh": "<b>评论员</b> — 点击关注或取消，或输入 /subscribe <i>姓名</i>。",
    },
    "sub.picker.no_commentators": {
        "en": "<b>Commentators</b>\nNone yet: they appear once the first digest is published.",
        "zh": "<b>评论员</b>\n暂无：第一期简报发布后会出现。",
    },
    "sub.button.commentators": {"en": "👤 Commentators", "zh": "👤 评论员"},
    "sub.button.regions": {"en": "🌍 Regions", "zh": "🌍 地区"},
    "sub.button.done": {"en": "Done", "zh": "完成"},
    "sub.button.catch_up": {"en": "📰 Catch up: latest 3", "zh": "📰 补看最新 3 条"},
    "sub.button.list": {"en": "📋 My list", "zh": "📋 我的关注"},
    # --- following by name ---
    "sub.followed": {
        "en": "✅ You now follow {name}.",
        "zh": "✅ 已关注 {name}。",
    },
    "sub.already_followed": {
        "en": "You already follow {name}.",
        "zh": "你已经关注了 {name}。",
    },
    "sub.unfollowed": {
        "en": "You no longer follow {name}.",
        "zh": "已取消关注 {name}。",
    },
    "sub.not_followed": {
        "en": "You were not following {name}. See /list.",
        "zh": "你没有关注 {name}。查看 /list。",
    },
    "sub.ambiguous": {
        "en": "“{query}” could be several things. Which one?",
        "zh": "“{query}” 对应多个结果，请选择：",
    },
    "sub.unknown": {
        "en": "I don't know “{query}”.",
        "zh": "没有找到 “{query}”。",
    },
    "sub.unknown.suggest": {
        "en": " Did you mean one of these?",
        "zh": " 你是不是要找：",
    },
    "sub.unknown.as_keyword": {
        "en": "\nTo follow it as a keyword instead: /alert {query}",
        "zh": "\n如果想把它作为关键词关注：/alert {query}",
    },
    "sub.subscribe.how": {
        "en": "Send /subscribe to pick from buttons, or /subscribe <i>region or name</i>.",
        "zh": "发送 /subscribe 用按钮选择，或 /subscribe <i>地区或姓名</i>。",
    },
    "sub.unsubscribe.usage": {
        "en": "Tell me what to drop: /unsubscribe <i>name</i>, or tap ✖ in /list.",
        "zh": "请说明要取消的对象：/unsubscribe <i>名称</i>，或在 /list 中点 ✖。",
    },
    # --- keywords and mutes ---
    "sub.alert.added": {
        "en": "🔔 Alert set: items mentioning “{keyword}” will reach you.",
        "zh": "🔔 已设置提醒：提到“{keyword}”的内容会推送给你。",
    },
    "sub.alert.exists": {
        "en": "You already have an alert for “{keyword}”.",
        "zh": "你已经设置过“{keyword}”的提醒。",
    },
    "sub.alert.removed": {
        "en": "Alert for “{keyword}” removed.",
        "zh": "已删除“{keyword}”的提醒。",
    },
    "sub.alert.missing": {
        "en": "You have no alert for “{keyword}”.",
        "zh": "你没有“{keyword}”的提醒。",
    },
    "sub.alert.usage": {
        "en": "Follow a keyword or phrase: /alert rare earth or /alert 稀土",
        "zh": "关注关键词或短语：/alert 稀土 或 /alert rare earth",
    },
    "sub.unalert.usage": {
        "en": "Remove an alert: /unalert <i>keyword</i>. Your alerts: {keywords}",
        "zh": "删除提醒：/unalert <i>关键词</i>。你的提醒：{keywords}",
    },
    "sub.mute.added": {
        "en": "🔇 Muted: items mentioning “{keyword}” will not be sent to you.",
        "zh": "🔇 已屏蔽：提到“{keyword}”的内容不会再推送。",
    },
    "sub.mute.exists": {
        "en": "“{keyword}” is already muted.",
        "zh": "“{keyword}”已经屏蔽。",
    },
    "sub.mute.removed": {
        "en": "“{keyword}” is no longer muted.",
        "zh": "已取消屏蔽“{keyword}”。",
    },
    "sub.mute.missing": {
        "en": "“{keyword}” was not muted.",
        "zh": "“{keyword}”未被屏蔽。",
    },
    "sub.mute.usage": {
        "en": "Hide items about a topic: /mute <i>keyword</i>. Muted now: {keywords}",
        "zh": "屏蔽某个话题：/mute <i>关键词</i>。当前屏蔽：{keywords}",
    },
    "sub.unmute.usage": {
        "en": "Undo a mute: /unmute <i>keyword</i>. Muted now: {keywords}",
        "zh": "取消屏蔽：/unmute <i>关键词</i>。当前屏蔽：{keywords}",
    },
    "sub.none": {"en": "none", "zh": "无"},
    "sub.keyword.empty": {
        "en": "Please give a keyword, e.g. /alert rare earth",
        "zh": "请提供关键词，例如 /alert 稀土",
    },
    "sub.keyword.too_long": {
        "en": "That is too long for a keyword: {limit} characters at most.",
        "zh": "关键词太长：最多 {limit} 个字符。",
    },
    "sub.keyword.too_short": {
        "en": "A single letter would match almost everything; please use a word.",
        "zh": "单个字母几乎匹配所有内容，请输入一个词。",
    },
    "sub.limit": {
        "en": "You follow {limit} things already, the most I keep. Drop some in /list first.",
        "zh": "你已关注 {limit} 项，已达上限。请先在 /list 中删除一些。",
    },
    # --- /list ---
    "sub.list.title": {"en": "<b>You follow</b>", "zh": "<b>你的关注</b>"},
    "sub.list.empty": {
        "en": "You don't follow anything yet. Start with /subscribe or /alert <i>keyword</i>.",
        "zh": "你还没有关注任何内容。可以从 /subscribe 或 /alert <i>关键词</i> 开始。",
    },
    "sub.list.regions": {"en": "Regions", "zh": "地区"},
    "sub.list.commentators": {"en": "Commentators", "zh": "评论员"},
    "sub.list.keywords": {"en": "Keywords", "zh": "关键词"},
    "sub.list.mutes": {"en": "Muted", "zh": "屏蔽"},
    "sub.list.hint": {
        "en": "Tap ✖ to drop one.",
        "zh": "点 ✖ 取消。",
    },
    "sub.list.delivery": {
        "en": "Delivery: {mode}. /settings to change.",
        "zh": "推送方式：{mode}。/settings 可修改。",
    },
    "sub.list.paused": {
        "en": "⏸ Paused with /stop: nothing is sent until you /start again.",
        "zh": "⏸ 已用 /stop 暂停：发送 /start 后恢复推送。",
    },
    "sub.list.dropped": {"en": "Dropped: {name}", "zh": "已取消：{name}"},
    # --- catch-up ---
    "sub.catchup.none": {
        "en": "Nothing published for {name} yet. New items will reach you as they appear.",
        "zh": "{name} 暂无已发布内容。有新内容时会推送给你。",
    },
    "sub.catchup.header": {
        "en": "<b>Latest for {name}</b>",
        "zh": "<b>{name} 的最新内容</b>",
    },
    # --- settings ---
    "sub.settings.title": {"en": "<b>Settings</b>", "zh": "<b>设置</b>"},
    "sub.settings.body": {
        "en": (
            "Delivery: <b>{mode}</b>\n"
            "Daily summary at: <b>{time}</b> ({timezone})\n"
            "Quiet hours: <b>{quiet}</b>\n"
            "Bilingual items shown in: <b>{content}</b>\n"
            "Menu language: <b>{language}</b>\n"
            "Status: <b>{status}</b>\n\n"
            "Tap a button, or type /time 08:00, /timezone <i>city</i>, /quiet 23:00-07:00."
        ),
        "zh": (
            "推送方式：<b>{mode}</b>\n"
            "每日汇总时间：<b>{time}</b>（{timezone}）\n"
            "免打扰：<b>{quiet}</b>\n"
            "双语内容显示：<b>{content}</b>\n"
            "菜单语言：<b>{language}</b>\n"
            "状态：<b>{status}</b>\n\n"
            "点击按钮，或输入 /time 08:00、/timezone <i>城市</i>、/quiet 23:00-07:00。"
        ),
    },
    "sub.mode.instant": {"en": "instant", "zh": "即时"},
    "sub.mode.daily": {"en": "daily summary", "zh": "每日汇总"},
    "sub.mode.off": {"en": "off", "zh": "关闭"},
    "sub.content.en": {"en": "English", "zh": "英文"},
    "sub.content.zh": {"en": "Chinese", "zh": "中文"},
    "sub.content.both": {"en": "both", "zh": "中英双语"},
    "sub.language.en": {"en": "English", "zh": "English"},
    "sub.language.zh": {"en": "中文", "zh": "中文"},
    "sub.status.active": {"en": "active", "zh": "正常"},
    "sub.status.paused": {"en": "paused", "zh": "已暂停"},
    "sub.status.blocked": {"en": "blocked", "zh": "已屏蔽机器人"},
    "sub.quiet.none": {"en": "none", "zh": "无"},
    "sub.button.pause": {"en": "⏸ Pause all", "zh": "⏸ 暂停全部"},
    "sub.button.resume": {"en": "▶ Resume", "zh": "▶ 恢复"},
    "sub.button.forget": {"en": "🗑 Delete my data", "zh": "🗑 删除我的数据"},
    "sub.mode.set": {
        "en": "Delivery: {mode}.",
        "zh": "推送方式：{mode}。",
    },
    "sub.mode.set_daily": {
        "en": "Delivery: daily summary at {time} ({timezone}). Change with /time and /timezone.",
        "zh": "推送方式：每日 {time}（{timezone}）汇总。可用 /time 和 /timezone 修改。",
    },
    "sub.mode.invalid": {
        "en": "Choose one: /mode instant, /mode daily or /mode off.",
        "zh": "请选择：/mode instant、/mode daily 或 /mode off。",
    },
    "sub.mode.current": {
        "en": "Delivery is {mode}. Change it: /mode instant|daily|off",
        "zh": "当前推送方式：{mode}。修改：/mode instant|daily|off",
    },
    "sub.time.set": {
        "en": "Daily summary time: {time} ({timezone}).",
        "zh": "每日汇总时间：{time}（{timezone}）。",
    },
    "sub.time.set_not_daily": {
        "en": "Daily summary time: {time} ({timezone}). It applies once you choose /mode daily.",
        "zh": "每日汇总时间：{time}（{timezone}）。选择 /mode daily 后生效。",
    },
    "sub.time.invalid": {
        "en": "Please give a time of day like /time 08:00 or /time 19:30.",
        "zh": "请输入时间，例如 /time 08:00 或 /time 19:30。",
    },
    "sub.time.current": {
        "en": "Daily summary at {time} ({timezone}). Change it: /time 08:00",
        "zh": "每日汇总时间 {time}（{timezone}）。修改：/time 08:00",
    },
    "sub.timezone.set": {
        "en": "Time zone: {timezone} (local time now {now}).",
        "zh": "时区：{timezone}（当地时间 {now}）。",
    },
    "sub.timezone.unknown": {
        "en": "I don't know that time zone. Did you mean /timezone {suggestion}?",
        "zh": "无法识别这个时区。你是不是要输入 /timezone {suggestion}？",
    },
    "sub.timezone.current": {
        "en": "Time zone: {timezone}. Change it: /timezone Asia/Shanghai or /timezone London",
        "zh": "时区：{timezone}。修改：/timezone Asia/Shanghai 或 /timezone 北京",
    },
    "sub.language.set": {
        "en": "Menus are now in English.",
        "zh": "菜单已切换为中文。",
    },
    "sub.language.invalid": {
        "en": "Choose /language en or /language zh.",
        "zh": "请选择 /language en 或 /language zh。",
    },
    "sub.content.set": {
        "en": "Bilingual items will be shown in: {content}.",
        "zh": "双语内容将显示：{content}。",
    },
    "sub.content.invalid": {
        "en": "Choose /content en, /content zh or /content both.",
        "zh": "请选择 /content en、/content zh 或 /content both。",
    },
    "sub.quiet.set": {
        "en": "Quiet hours {start}–{end} ({timezone}): messages wait until they end.",
        "zh": "免打扰时段 {start}–{end}（{timezone}）：期间的消息会在结束后送达。",
    },
    "sub.quiet.off": {
        "en": "Quiet hours off.",
        "zh": "已关闭免打扰。",
    },
    "sub.quiet.invalid": {
        "en": "Give the hours like /quiet 23:00-07:00, or /quiet off.",
        "zh": "请这样输入：/quiet 23:00-07:00，或 /quiet off。",
    },
    "sub.quiet.current": {
        "en": "Quiet hours: {quiet}. Set them: /quiet 23:00-07:00 (or /quiet off)",
        "zh": "免打扰：{quiet}。设置：/quiet 23:00-07:00（或 /quiet off）",
    },
    "sub.stop.done": {
        "en": "⏸ Paused. I keep what you follow; send /start to resume.",
        "zh": "⏸ 已暂停。你的关注会保留；发送 /start 恢复。",
    },
    "sub.stop.already": {
        "en": "Already paused. Send /start to resume.",
        "zh": "已经是暂停状态。发送 /start 恢复。",
    },
    "sub.resume.done": {
        "en": "▶ Deliveries are on again.",
        "zh": "▶ 推送已恢复。",
    },
    "sub.forget.confirm": {
        "en": (
            "Delete everything I keep about this chat: what it follows, its settings and queued "
            "messages? This cannot be undone."
        ),
        "zh": "删除本聊天的全部数据：关注、设置和待发送的消息？此操作无法撤销。",
    },
    "sub.forget.yes": {"en": "Yes, delete", "zh": "确认删除"},
    "sub.forget.no": {"en": "Cancel", "zh": "取消"},
    "sub.forget.done": {
        "en": "Done: your data is deleted. Send /start if you ever want to come back.",
        "zh": "已删除你的数据。如需再次使用，请发送 /start。",
    },
    "sub.forget.cancelled": {
        "en": "Nothing was deleted.",
        "zh": "未删除任何数据。",
    },
    "sub.forget.nothing": {
        "en": "I keep no data for this chat.",
        "zh": "本聊天没有任何数据。",
    },
    # --- groups ---
    "sub.group.admins_only": {
        "en": "Only this group's admins can change what the group follows and its settings.",
        "zh": "只有本群管理员可以修改本群的关注和设置。",
    },
    "sub.too_long_arg": {
        "en": "That is longer than anything I could look up.",
        "zh": "输入太长，无法查找。",
    },
}
