"""What editors read: previews, confirmations, refusals, /stats, /audit.

Placeholders receive values already HTML-escaped by bot/render/editor.py.
"""

MESSAGES: dict[str, dict[str, str]] = {
    # --- help and usage ---
    "editor.help.title": {
        "en": "<b>Editor commands</b> — you are {role}",
        "zh": "<b>编辑命令</b> — 你的角色：{role}",
    },
    "editor.help.post": {
        "en": (
            "/post — text, a link, a reply to a message, or a .txt/.md/.html file with /post as"
            " its caption: a draft to preview; /post &lt;id&gt; reopens a draft's preview"
        ),
        "zh": "/post — 文字、链接、回复某条消息，或以 /post 为说明的 .txt/.md/.html 文件：存为草稿并预览；/post &lt;编号&gt; 重新打开草稿预览",
    },
    "editor.help.drafts": {
        "en": "/drafts — drafts and scheduled items, each with a button to open it",
        "zh": "/drafts — 草稿和定时内容，每条都有打开按钮",
    },
    "editor.help.digest": {
        "en": "/digest &lt;link&gt; [title] — register a monthly digest link",
        "zh": "/digest &lt;链接&gt; [标题] — 登记月度文摘链接",
    },
    "editor.help.edit": {
        "en": "/edit &lt;id&gt; regions|commentators|summary … — correct a draft",
        "zh": "/edit &lt;编号&gt; regions|commentators|summary … — 修改草稿",
    },
    "editor.help.edit_publisher": {
        "en": "/edit &lt;id&gt; regions|commentators|summary … — correct a draft or published content",
        "zh": "/edit &lt;编号&gt; regions|commentators|summary … — 修改草稿或已发布内容",
    },
    "editor.help.publish": {
        "en": "✅ Publish — the button under a preview",
        "zh": "✅ 发布 — 预览下方的按钮",
    },
    "editor.help.schedule": {
        "en": "/schedule &lt;id&gt; &lt;time&gt; — publish later",
        "zh": "/schedule &lt;编号&gt; &lt;时间&gt; — 定时发布",
    },
    "editor.help.retract": {
        "en": "/retract &lt;id&gt; — take published content back (asks first)",
        "zh": "/retract &lt;编号&gt; — 撤回已发布内容（会先确认）",
    },
    "editor.help.stats": {
        "en": "/stats — how the newsletter is doing",
        "zh": "/stats — 订阅与发送统计",
    },
    "editor.help.broadcast": {
        "en": "/broadcast &lt;text&gt; — a message to every subscriber",
        "zh": "/broadcast &lt;文字&gt; — 向所有订阅者群发",
    },
    "editor.help.editor": {
        "en": "/editor list — the editors and their roles",
        "zh": "/editor list — 编辑及其角色",
    },
    "editor.help.editor_publisher": {
        "en": (
            "/editor add &lt;user id or @username&gt; author|publisher, /editor remove …,"
            " /editor list"
        ),
        "zh": "/editor add &lt;用户 id 或 @用户名&gt; author|publisher，/editor remove …，/editor list",
    },
    "editor.help.audit": {"en": "/audit — who changed what", "zh": "/audit — 操作记录"},
    "editor.help.source": {
        "en": "/source add|list|pause|resume|remove — follow the site's feeds",
        "zh": "/source add|list|pause|resume|remove — 关注网站的订阅源",
    },
    "editor.help.publishers_also": {
        "en": (
            "Publishers also publish (the ✅ Publish button), /schedule, /retract, /broadcast,"
            " correct published content, add editors and run /source."
        ),
        "zh": "发布者还可以发布（✅ 发布 按钮）、/schedule、/retract、/broadcast、修改已发布内容、添加编辑和使用 /source。",
    },
    "editor.help.ids": {
        "en": "Ids: e12 an entry, i45 a report item, r7 a daily report, d3 a digest.",
        "zh": "编号：e12 条目，i45 日报条目，r7 日报，d3 文摘。",
    },
    "editor.role.author": {"en": "an author", "zh": "作者"},
    "editor.role.publisher": {"en": "a publisher", "zh": "发布者"},
    "editor.role_name.author": {"en": "author", "zh": "作者"},
    "editor.role_name.publisher": {"en": "publisher", "zh": "发布者"},
    "editor.needs_role": {
        "en": (
            "🔒 This needs the {role} role, and you are {current}. Nothing was changed."
            " Ask a publisher (/editor list shows who)."
        ),
        "zh": "🔒 此操作需要{role}角色，而你是{current}。未做任何更改。请联系发布者（/editor list 可查看）。",
    },
    "editor.usage.post": {
        "en": (
            "Send /post followed by the text or a link, reply /post to a message, or upload a"
            " .txt, .md or .html file with /post as its caption."
        ),
        "zh": "发送 /post 加文字或链接，或用 /post 回复一条消息，或上传 .txt、.md、.html 文件并以 /post 作说明。",
    },
    "editor.usage.edit": {
        "en": (
            "Usage: /edit &lt;id&gt; regions japan, europe\n"
            "/edit &lt;id&gt; commentators Huang Jing (黄靖), Wang Yiwei (王义桅)\n"
            "/edit &lt;id&gt; summary New summary text\n"
            "/edit &lt;id&gt; summary_en A report item's English summary\n"
            "/edit &lt;id&gt; title A new headline (an entry's title)"
        ),
        "zh": (
            "用法：/edit &lt;编号&gt; regions japan, europe\n"
            "/edit &lt;编号&gt; commentators Huang Jing (黄靖), Wang Yiwei (王义桅)\n"
            "/edit &lt;编号&gt; summary 新的摘要\n"
            "/edit &lt;编号&gt; summary_en 日报条目的英文摘要\n"
            "/edit &lt;编号&gt; title 新的标题（日报条目的英文标题）"
        ),
    },
    "editor.usage.retract": {
        "en": "Usage: /retract &lt;id&gt;, e.g. /retract e12",
        "zh": "用法：/retract &lt;编号&gt;，例如 /retract e12",
    },
    "editor.usage.schedule": {
        "en": (
            "Usage: /schedule &lt;id&gt; &lt;time&gt; — e.g. /schedule e12 {example},"
            " +2h or tomorrow 08:00 (your time zone: {zone}); /schedule &lt;id&gt; cancel"
        ),
        "zh": (
            "用法：/schedule &lt;编号&gt; &lt;时间&gt; — 例如 /schedule e12 {example}、"
            "+2h 或 tomorrow 08:00（你的时区：{zone}）；/schedule &lt;编号&gt; cancel 取消"
        ),
    },
    "editor.usage.digest": {
        "en": (
            "Usage: /digest &lt;link&gt; [title] — or /digest &lt;link&gt; d&lt;id&gt; to add"
            " the link to a digest posted with /post"
        ),
        "zh": "用法：/digest &lt;链接&gt; [标题] — 或 /digest &lt;链接&gt; d&lt;编号&gt; 为已用 /post 发布的文摘添加链接",
    },
    "editor.usage.broadcast": {
        "en": "Usage: /broadcast &lt;text&gt; — you will be asked to confirm before it goes out.",
        "zh": "用法：/broadcast &lt;文字&gt; — 发送前会请你确认。",
    },
    "editor.usage.editor": {
        "en": (
            "Usage: /editor add &lt;user id or @username&gt; author|publisher, /editor remove …,"
            " /editor list. Without a role, a new editor is an author: authors prepare drafts,"
            " publishers also publish, schedule, retract, broadcast and manage editors."
        ),
        "zh": (
            "用法：/editor add &lt;用户 id 或 @用户名&gt; author|publisher，/editor remove …，"
            "/editor list。不写角色时新编辑为作者：作者只能准备草稿，发布者还可以发布、定时、撤回、群发和管理编辑。"
        ),
    },
    "editor.bad_ref": {
        "en": (
            "“{text}” is not an id. Ids look like e12 (entry), i45 (report item),"
            " r7 (daily report), d3 (digest)."
        ),
        "zh": "“{text}” 不是编号。编号形如 e12（条目）、i45（日报条目）、r7（日报）、d3（文摘）。",
    },
    "editor.not_found": {
        "en": "There is nothing with id {ref}.",
        "zh": "没有编号为 {ref} 的内容。",
    },
    # --- /post ---
    "editor.post.parse_error": {
        "en": "I could not read that: {reason}. Nothing was stored.",
        "zh": "无法解析：{reason}。未保存任何内容。",
    },
    "editor.post.parse_error_line": {
        "en": "I could not read that (line {line}): {reason}. Nothing was stored.",
        "zh": "无法解析（第 {line} 行）：{reason}。未保存任何内容。",
    },
    "editor.post.fetch_error": {
        "en": "I could not fetch that link: {reason}. Nothing was stored.",
        "zh": "无法获取该链接：{reason}。未保存任何内容。",
    },
    "editor.post.bad_file_type": {
        "en": "Only .txt, .md and .html files can be posted; “{name}” is not one.",
        "zh": "只能发布 .txt、.md 和 .html 文件；“{name}” 不是。",
    },
    "editor.post.too_big": {
        "en": "That file is {size}; files up to {limit} can be posted.",
        "zh": "该文件大小为 {size}；可发布的文件最大 {limit}。",
    },
    "editor.post.download_failed": {
        "en": "I could not download that file from Telegram. Please send it again.",
        "zh": "无法从 Telegram 下载该文件，请重新发送。",
    },
    "editor.post.nothing": {
        "en": "That document has nothing I can publish: no entry was found in it.",
        "zh": "该文档中没有可发布的内容：未找到任何条目。",
    },
    "editor.post.duplicate": {
        "en": "This was posted before as {ref} ({status}).",
        "zh": "这已经以 {ref} 发布过（{status}）。",
    },
    # --- previews ---
    "editor.preview.entry": {
        "en": "<b>Preview of {ref}</b> ({status}) — subscribers will see:",
        "zh": "<b>{ref} 预览</b>（{status}）— 订阅者将看到：",
    },
    "editor.preview.report": {
        "en": "<b>Daily report {ref}</b> ({status}): {title} — {count} items",
        "zh": "<b>日报 {ref}</b>（{status}）：{title} — 共 {count} 条",
    },
    "editor.preview.digest": {
        "en": "<b>Digest {ref}</b> ({status}): {title} — {count} entries",
        "zh": "<b>文摘 {ref}</b>（{status}）：{title} — 共 {count} 条",
    },
    "editor.preview.digest_link": {
        "en": "Link: {link}",
        "zh": "链接：{link}",
    },
    "editor.preview.subscribers_see": {
        "en": "Subscribers will see each item like this one:",
        "zh": "订阅者收到的每条内容如下例：",
    },
    "editor.preview.no_region": {"en": "no region", "zh": "无地区"},
    "editor.preview.more": {
        "en": "… and {count} more (pages below)",
        "zh": "……还有 {count} 条（见下方翻页）",
    },
    "editor.preview.how_to_edit": {
        "en": "Fix an item with /edit &lt;id&gt; regions|commentators|summary|summary_en …",
        "zh": "用 /edit &lt;编号&gt; regions|commentators|summary|summary_en … 修改单条内容",
    },
    "editor.status.draft": {"en": "draft", "zh": "草稿"},
    "editor.status.scheduled": {"en": "scheduled", "zh": "已定时"},
    "editor.status.published": {"en": "published", "zh": "已发布"},
    "editor.status.retracted": {"en": "retracted", "zh": "已撤回"},
    "editor.scheduled_for": {
        "en": "Scheduled for {when} ({zone}).",
        "zh": "定于 {when}（{zone}）发布。",
    },
    # --- warnings ---
    "editor.warn.title": {
        "en": "⚠️ <b>Subscribers would miss:</b>",
        "zh": "⚠️ <b>订阅者将缺少：</b>",
    },
    "editor.warn.no_title_zh": {"en": "{ref}: no Chinese title", "zh": "{ref}：没有中文标题"},
    "editor.warn.no_summary_zh": {"en": "{ref}: no Chinese summary", "zh": "{ref}：没有中文摘要"},
    "editor.warn.no_summary_en": {
        "en": "{ref}: no English summary (no English article text) — add one with /edit {ref} summary_en …",
        "zh": "{ref}：没有英文摘要（没有英文正文）— 用 /edit {ref} summary_en … 添加",
    },
    "editor.warn.no_region": {
        "en": "{ref}: no region — region followers will not get it",
        "zh": "{ref}：没有地区 — 关注地区的订阅者收不到",
    },
    "editor.warn.no_commentator": {
        "en": "{ref}: no commentator — commentator followers will not get it",
        "zh": "{ref}：没有评论员 — 关注评论员的订阅者收不到",
    },
    "editor.warn.bad_link": {
        "en": "{ref}: the link does not parse: {link}",
        "zh": "{ref}：链接无法解析：{link}",
    },
    "editor.warn.no_link": {
        "en": "{ref}: no link to the digest — add one with /digest &lt;link&gt; {ref}",
        "zh": "{ref}：没有文摘链接 — 用 /digest &lt;链接&gt; {ref} 添加",
    },
    "editor.warn.no_entries": {
        "en": (
            "{ref}: no entries — the link goes to every subscriber, without per-region counts;"
            " to target it, post the digest document with /post, then"
            " /digest &lt;link&gt; d&lt;id&gt;"
        ),
        "zh": (
            "{ref}：没有条目 — 链接将发给所有订阅者，不附各地区条目数；如需按关注发送，"
            "请先用 /post 发布文摘文档，再用 /digest &lt;链接&gt; d&lt;编号&gt;"
        ),
    },
    "editor.warn.cut_off_intro": {
        "en": (
            "{ref}: the introduction lists {listed} commentators, {found} entries found — the"
            " text looks cut off; paste the rest before publishing"
        ),
        "zh": "{ref}：导语列出 {listed} 位评论员，只找到 {found} 条评论 — 文本似乎不完整，请补全后再发布",
    },
    "editor.warn.cut_off_intro_one": {
        "en": (
            "{ref}: the introduction lists {listed} commentators, 1 entry found — the text"
            " looks cut off; paste the rest before publishing"
        ),
        "zh": "{ref}：导语列出 {listed} 位评论员，只找到 1 条评论 — 文本似乎不完整，请补全后再发布",
    },
    "editor.warn.cut_off_entry": {
        "en": (
            "{ref}: the text stops mid-sentence in its last entry — it looks cut off; paste"
            " the rest before publishing"
        ),
        "zh": "{ref}：文本在最后一条评论中途中断 — 似乎不完整，请补全后再发布",
    },
    "editor.warn.cut_off_headlines": {
        "en": (
            "{ref}: the headline list names {listed} stories, {found} items found — the text"
            " looks cut off; paste the rest before publishing"
        ),
        "zh": "{ref}：标题列表列出 {listed} 篇报道，只找到 {found} 条 — 文本似乎不完整，请补全后再发布",
    },
    "editor.warn.cut_off_headlines_one": {
        "en": (
            "{ref}: the headline list names {listed} stories, 1 item found — the text looks"
            " cut off; paste the rest before publishing"
        ),
        "zh": "{ref}：标题列表列出 {listed} 篇报道，只找到 1 条 — 文本似乎不完整，请补全后再发布",
    },
    "editor.warn.cut_off_item": {
        "en": (
            "{ref}: the text stops mid-sentence in item {item} — it looks cut off; paste the"
            " rest before publishing"
        ),
        "zh": "{ref}：文本在第 {item} 条中途中断 — 似乎不完整，请补全后再发布",
    },
    "editor.warn.cut_off_articles": {
        "en": (
            "{ref}: the text stops in the article of item {item} and later items have no"
            " article ({missing}) — it looks cut off"
        ),
        "zh": "{ref}：文本在第 {item} 条的正文处中断，其后 {missing} 条没有正文 — 似乎不完整",
    },
    "editor.warn.skipped": {
        "en": "not stored: {what} ({why})",
        "zh": "未保存：{what}（{why}）",
    },
    "editor.warn.more": {"en": "… and {count} more", "zh": "……还有 {count} 条"},
    "editor.warn.anyway": {
        "en": "You can publish anyway, or fix it first.",
        "zh": "你可以直接发布，也可以先修改。",
    },
    # --- buttons ---
    "editor.btn.publish": {"en": "✅ Publish", "zh": "✅ 发布"},
    "editor.btn.edit_regions": {"en": "🌏 Edit regions", "zh": "🌏 修改地区"},
    "editor.btn.edit_commentators": {"en": "👤 Edit commentators", "zh": "👤 修改评论员"},
    "editor.btn.discard": {"en": "🗑 Discard", "zh": "🗑 丢弃"},
    "editor.btn.done": {"en": "✔ Done", "zh": "✔ 完成"},
    "editor.btn.back": {"en": "↩ Back to preview", "zh": "↩ 返回预览"},
    "editor.btn.send_broadcast": {
        "en": "📣 Send to {count} subscribers",
        "zh": "📣 发送给 {count} 位订阅者",
    },
    "editor.btn.cancel": {"en": "✖ Cancel", "zh": "✖ 取消"},
    "editor.btn.retract": {"en": "↩️ Retract {ref}", "zh": "↩️ 撤回 {ref}"},
    "editor.btn.open": {"en": "{ref} · {title}", "zh": "{ref} · {title}"},
    # --- publish / discard ---
    "editor.published": {
        "en": "✅ Published {ref}. Subscribers who follow it will receive it shortly.",
        "zh": "✅ 已发布 {ref}。关注的订阅者稍后会收到。",
    },
    "editor.already_published": {
        "en": "{ref} is already published.",
        "zh": "{ref} 已经发布。",
    },
    "editor.is_retracted": {"en": "{ref} was retracted.", "zh": "{ref} 已撤回。"},
    "editor.item_goes_with_report": {
        "en": "A report item is published, scheduled or discarded with its report: use r{report}.",
        "zh": "日报条目随日报一起发布、定时或丢弃：请使用 r{report}。",
    },
    "editor.discarded": {
        "en": "🗑 Discarded {ref}. Nothing was sent.",
        "zh": "🗑 已丢弃 {ref}，未发送任何内容。",
    },
    "editor.discard_published": {
        "en": "{ref} is already published; use /retract {ref} to take it back.",
        "zh": "{ref} 已发布；请用 /retract {ref} 撤回。",
    },
    # --- editing ---
    "editor.edit.regions_prompt": {
        "en": "Regions of {ref}: tap to switch them on or off.",
        "zh": "{ref} 的地区：点击以选择或取消。",
    },
    "editor.edit.regions_for_list": {
        "en": "Regions are set per item: /edit &lt;id&gt; regions japan, europe",
        "zh": "地区按条目设置：/edit &lt;编号&gt; regions japan, europe",
    },
    "editor.edit.commentators_prompt": {
        "en": (
            "Commentators of {ref} now: {current}\n"
            "Reply to this message with the new list, e.g. Huang Jing (黄靖), Wang Yiwei (王义桅)"
            " — or “none” to clear it."
        ),
        "zh": (
            "{ref} 当前的评论员：{current}\n"
            "请回复本消息给出新的名单，例如 Huang Jing (黄靖), Wang Yiwei (王义桅)，或回复 “none” 清空。"
        ),
    },
    "editor.edit.nobody": {"en": "none", "zh": "无"},
    "editor.edit.done": {
        "en": "✏️ {ref}: {field} changed from “{old}” to “{new}”.",
        "zh": "✏️ {ref}：{field} 已由 “{old}” 改为 “{new}”。",
    },
    "editor.field.regions": {"en": "regions", "zh": "地区"},
    "editor.field.commentators": {"en": "commentators", "zh": "评论员"},
    "editor.field.summary": {"en": "summary", "zh": "摘要"},
    "editor.field.summary_en": {"en": "English summary", "zh": "英文摘要"},
    "editor.field.title": {"en": "title", "zh": "标题"},
    "editor.edit.unknown_field": {
        "en": (
            "“{detail}” is not something I can edit: use regions, commentators, summary,"
            " summary_en or title."
        ),
        "zh": "无法修改 “{detail}”：可修改 regions、commentators、summary、summary_en 或 title。",
    },
    "editor.edit.summary_en_items_only": {
        "en": (
            "{detail} has one summary, in its own language: change it with /edit {detail}"
            " summary. English summaries belong to report items (i…)."
        ),
        "zh": "{detail} 只有一份摘要（原文语言）：请用 /edit {detail} summary 修改。英文摘要只属于日报条目（i…）。",
    },
    "editor.edit.unknown_region": {
        "en": "“{detail}” is not a region. Regions: {regions}.",
        "zh": "“{detail}” 不是地区。可选地区：{regions}。",
    },
    "editor.edit.bad_commentators": {
        "en": "I could not read “{detail}” as names: write Name (中文名), separated by commas.",
        "zh": "无法把 “{detail}” 识别为姓名：请写成 Name (中文名)，用逗号分隔。",
    },
    "editor.edit.empty_summary": {
        "en": "The summary cannot be empty.",
        "zh": "摘要不能为空。",
    },
    "editor.edit.summary_too_long": {
        "en": "That summary is too long: at most {detail} characters.",
        "zh": "摘要太长：最多 {detail} 个字符。",
    },
    "editor.edit.not_editable": {
        "en": "{detail} cannot be edited this way: edit its entries or items (e… or i…).",
        "zh": "{detail} 不能这样修改：请修改其中的条目（e… 或 i…）。",
    },
    "editor.edit.not_found": {
        "en": "There is nothing with id {detail}.",
        "zh": "没有编号为 {detail} 的内容。",
    },
    "editor.edit.retracted": {
        "en": "{detail} was retracted and can no longer be edited.",
        "zh": "{detail} 已撤回，不能再修改。",
    },
    # --- retract ---
    "editor.retract.done": {
        "en": "↩️ Retracted {ref}: it is out of search and will not be sent again.",
        "zh": "↩️ 已撤回 {ref}：已从搜索中移除，不会再发送。",
    },
    "editor.retract.received": {
        "en": "Already received by {count}: {names}",
        "zh": "已收到的 {count} 位：{names}",
    },
    "editor.retract.received_how": {
        "en": "Already received by {count} ({how}): {names}",
        "zh": "已收到的 {count} 位（{how}）：{names}",
    },
    "editor.retract.how.at_once": {"en": "{count} at once", "zh": "{count} 位即时收到"},
    "editor.retract.how.summary": {
        "en": "{count} in a daily summary",
        "zh": "{count} 位在每日汇总中收到",
    },
    "editor.retract.nobody": {
        "en": "No one had received it yet.",
        "zh": "还没有人收到。",
    },
    "editor.retract.cancelled": {
        "en": "{count} queued messages were cancelled.",
        "zh": "已取消 {count} 条待发消息。",
    },
    "editor.retract.summaries": {
        "en": "Taken out of daily summaries still waiting to be sent: {count}.",
        "zh": "已从待发的每日汇总中移除：{count} 份。",
    },
    "editor.retract.summaries_empty": {
        "en": "Of these, {count} listed nothing else and will not be sent.",
        "zh": "其中 {count} 份没有其他内容，不再发送。",
    },
    "editor.retract.confirm": {
        "en": (
            "↩️ Retract {ref} ({status}): {title}?\n"
            "It will be taken out of search, messages to it still queued will be cancelled, and"
            " it will not be sent again. It went to {readers}."
        ),
        "zh": (
            "↩️ 撤回 {ref}（{status}）：{title}？\n"
            "撤回后将从搜索中移除，尚在队列中的消息会被取消，不会再发送。收到的读者：{readers}。"
        ),
    },
    "editor.retract.readers.none": {"en": "no reader yet", "zh": "尚无"},
    "editor.retract.readers.one": {"en": "1 reader", "zh": "1 位"},
    "editor.retract.readers.many": {"en": "{count} readers", "zh": "{count} 位"},
    "editor.retract.kept": {
        "en": "Retraction of {ref} cancelled: nothing was changed.",
        "zh": "已取消撤回 {ref}：未做任何更改。",
    },
    "editor.retract.expired": {
        "en": "This confirmation was already used or has expired. Send /retract again.",
        "zh": "此确认已使用或已过期。请重新发送 /retract。",
    },
    "editor.retract.not_owner": {
        "en": "Only the editor who asked for this retraction can confirm it.",
        "zh": "只有发起撤回的编辑可以确认。",
    },
    "editor.retract.already": {"en": "{ref} was already retracted.", "zh": "{ref} 已经撤回。"},
    "editor.retract.draft": {
        "en": "{ref} was never published; discard it from its preview instead.",
        "zh": "{ref} 尚未发布；请在预览中丢弃。",
    },
    # --- drafts ---
    "editor.drafts.title": {
        "en": "<b>Drafts and scheduled</b> ({count}) — tap one to open its preview:",
        "zh": "<b>草稿与定时内容</b>（{count}）— 点击打开预览：",
    },
    "editor.drafts.empty": {
        "en": "No drafts and nothing scheduled. /post something to start one.",
        "zh": "没有草稿，也没有定时内容。用 /post 开始新草稿。",
    },
    "editor.drafts.line": {
        "en": "<b>{ref}</b> {title} — {status}",
        "zh": "<b>{ref}</b> {title} — {status}",
    },
    "editor.drafts.more": {
        "en": "… and {count} older ones: /post &lt;id&gt; opens any of them.",
        "zh": "……还有 {count} 条较早的：用 /post &lt;编号&gt; 打开。",
    },
    # --- schedule ---
    "editor.schedule.done": {
        "en": "⏰ {ref} will be published at {when} ({zone}).",
        "zh": "⏰ {ref} 将于 {when}（{zone}）发布。",
    },
    "editor.schedule.cancelled": {
        "en": "{ref} is no longer scheduled; it is a draft again.",
        "zh": "{ref} 已取消定时，恢复为草稿。",
    },
    "editor.schedule.not_scheduled": {"en": "{ref} is not scheduled.", "zh": "{ref} 没有定时。"},
    "editor.schedule.bad_time": {
        "en": "I could not read “{text}” as a time. Try {example}, +2h or tomorrow 08:00.",
        "zh": "无法识别时间 “{text}”。可以写 {example}、+2h 或 tomorrow 08:00。",
    },
    "editor.schedule.past": {
        "en": "“{text}” has already passed.",
        "zh": "“{text}” 已经过去了。",
    },
    "editor.schedule.too_far": {
        "en": "“{text}” is more than a year away.",
        "zh": "“{text}” 距今超过一年。",
    },
    # --- digest ---
    "editor.digest.bad_link": {
        "en": "“{text}” is not a web link (it should start with https://).",
        "zh": "“{text}” 不是网页链接（应以 https:// 开头）。",
    },
    "editor.digest.known": {
        "en": "This link is already registered as {ref} ({status}).",
        "zh": "该链接已登记为 {ref}（{status}）。",
    },
    # --- stats ---
    "editor.stats.title": {"en": "<b>Newsletter statistics</b>", "zh": "<b>订阅统计</b>"},
    "editor.stats.subscribers": {
        "en": "Subscribers: {active} active, {paused} paused, {blocked} blocked",
        "zh": "订阅者：{active} 活跃，{paused} 暂停，{blocked} 已屏蔽",
    },
    "editor.stats.regions": {"en": "<b>Followers by region</b>", "zh": "<b>各地区关注人数</b>"},
    "editor.stats.commentators": {"en": "<b>Top commentators</b>", "zh": "<b>最受关注的评论员</b>"},
    "editor.stats.none": {"en": "none yet", "zh": "暂无"},
    "editor.stats.deliveries": {
        "en": (
            "<b>Deliveries</b> (today, {zone}): {sent} sent, {failed} failed today"
            " ({failed_total} failed in all), {queued} in the queue"
        ),
        "zh": (
            "<b>发送</b>（今日，{zone}）：已发送 {sent}，今日失败 {failed}（累计失败 {failed_total}），"
            "队列中 {queued}"
        ),
    },
    "editor.stats.scheduled": {
        "en": "Scheduled to publish: {count}",
        "zh": "待定时发布：{count}",
    },
    "editor.stats.history": {
        "en": "<b>Published, last 7 days</b> (entries / report items / digests)",
        "zh": "<b>近 7 天发布</b>（条目 / 日报条目 / 文摘）",
    },
    # --- broadcast ---
    "editor.broadcast.confirm": {
        "en": "📣 This message will go to {count} active subscribers. Send it?",
        "zh": "📣 这条消息将发送给 {count} 位活跃订阅者。确定发送吗？",
    },
    "editor.broadcast.queued": {
        "en": "📣 Broadcast queued for {count} subscribers.",
        "zh": "📣 群发已排队，共 {count} 位订阅者。",
    },
    "editor.broadcast.cancelled": {"en": "Broadcast cancelled.", "zh": "群发已取消。"},
    "editor.broadcast.expired": {
        "en": "This broadcast was already sent, cancelled or has expired.",
        "zh": "该群发已发送、已取消或已过期。",
    },
    "editor.broadcast.not_owner": {
        "en": "Only the editor who wrote this broadcast can send it.",
        "zh": "只有撰写这条群发的编辑可以发送。",
    },
    "editor.broadcast.too_long": {
        "en": "That message is too long to broadcast: at most {limit} characters.",
        "zh": "消息太长，无法群发：最多 {limit} 个字符。",
    },
    # --- audit ---
    "editor.audit.title": {
        "en": "<b>Audit log</b> — page {page} of {pages}, newest first",
        "zh": "<b>操作记录</b> — 第 {page}/{pages} 页，最新在前",
    },
    "editor.audit.empty": {"en": "The audit log is empty.", "zh": "操作记录为空。"},
    "editor.audit.system": {"en": "system", "zh": "系统"},
    # --- editors ---
    "editor.editors.added": {
        "en": "{who} is now an editor: {role}.",
        "zh": "{who} 现在是编辑：{role}。",
    },
    "editor.editors.added_by_name": {
        "en": (
            "{who} will be an editor ({role}) as soon as they write to me"
            " (I have not seen them yet)."
        ),
        "zh": "{who} 给我发消息后即成为编辑（{role}）（我还没见过此用户）。",
    },
    "editor.editors.role_changed": {
        "en": "{who} is now {role}.",
        "zh": "{who} 现在是{role}。",
    },
    "editor.editors.already": {
        "en": "{who} is already an editor: {role}.",
        "zh": "{who} 已经是编辑：{role}。",
    },
    "editor.editors.default_role": {
        "en": (
            "No role given, so an author: they can prepare drafts but not publish (least"
            " privilege). To let them publish: /editor add {who} publisher"
        ),
        "zh": "未指定角色，因此为作者：可以准备草稿，但不能发布（最小权限）。如需让其发布：/editor add {who} publisher",
    },
    "editor.editors.bad_role": {
        "en": "“{text}” is not a role: use author or publisher.",
        "zh": "“{text}” 不是角色：请用 author 或 publisher。",
    },
    "editor.editors.removed": {"en": "{who} is no longer an editor.", "zh": "{who} 不再是编辑。"},
    "editor.editors.not_an_editor": {"en": "{who} is not an editor.", "zh": "{who} 不是编辑。"},
    "editor.editors.is_admin": {
        "en": "{who} is an editor through ADMIN_IDS; change the configuration to remove them.",
        "zh": "{who} 是通过 ADMIN_IDS 设置的编辑；请修改配置以移除。",
    },
    "editor.editors.bad_name": {
        "en": "“{text}” is neither a numeric user id nor an @username.",
        "zh": "“{text}” 既不是数字用户 id，也不是 @用户名。",
    },
    "editor.editors.list": {"en": "<b>Editors</b>", "zh": "<b>编辑</b>"},
    "editor.editors.from_settings": {"en": "(ADMIN_IDS)", "zh": "（ADMIN_IDS）"},
    "editor.editors.role": {"en": "— {role}", "zh": "— {role}"},
    "editor.editors.pending": {"en": "(not seen yet)", "zh": "（尚未出现）"},
    # --- command menu (editors' chats only) ---
    "editor.menu.post": {"en": "Post and preview content", "zh": "发布并预览内容"},
    "editor.menu.drafts": {"en": "Drafts and scheduled items", "zh": "草稿与定时内容"},
    "editor.menu.digest": {"en": "Register a digest link", "zh": "登记文摘链接"},
    "editor.menu.edit": {
        "en": "Correct regions, commentators, summaries",
        "zh": "修改地区、评论员、摘要",
    },
    "editor.menu.retract": {"en": "Retract content", "zh": "撤回内容"},
    "editor.menu.schedule": {"en": "Publish later", "zh": "定时发布"},
    "editor.menu.stats": {"en": "Newsletter statistics", "zh": "订阅统计"},
    "editor.menu.broadcast": {"en": "Message every subscriber", "zh": "群发消息"},
    "editor.menu.editor": {"en": "Manage editors; /editor help", "zh": "管理编辑；/editor help"},
    "editor.menu.audit": {"en": "Who changed what", "zh": "操作记录"},
}
