"""Channels: /channel replies for editors, and the labels of the posts channels receive.

Placeholders receive values already HTML-escaped by bot/render/channels.py and
bot/channels/render.py.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "editor.menu.channel": {"en": "Post the edition to channels", "zh": "把每期内容发到频道"},
    # The /help line, for help built per command (editor roles: "editor.help.<command>").
    "editor.help.channel": {
        "en": "/channel add|remove|list|language|topic — post each edition to channels",
        "zh": "/channel add|remove|list|language|topic — 把每期内容发到频道",
    },
    "channels.usage": {
        "en": (
            "<b>Channels</b>: every published report, digest and article is posted there as"
            " the whole edition.\n"
            "/channel add @name|id — connect a channel or supergroup where the bot is an"
            " administrator who can post\n"
            "/channel remove @name|id — stop posting there\n"
            "/channel list — the connected chats\n"
            "/channel language @name|id en|zh|both — which summaries its posts show\n"
            "/channel topic @name|id &lt;region&gt;|default &lt;topic id&gt;|off — in a forum"
            " supergroup, post a region's items in a topic (others go to the default topic, or"
            " General)"
        ),
        "zh": (
            "<b>频道</b>：每份发布的日报、文摘和文章都会以整期形式发到这些频道。\n"
            "/channel add @名称|id — 连接一个频道或超级群组（机器人须是可发帖的管理员）\n"
            "/channel remove @名称|id — 停止在此发帖\n"
            "/channel list — 已连接的频道和群组\n"
            "/channel language @名称|id en|zh|both — 帖子显示哪种语言的摘要\n"
            "/channel topic @名称|id &lt;地区&gt;|default &lt;话题 id&gt;|off — 在论坛型超级群组中，"
            "把某地区的条目发到指定话题（其余发到默认话题或 General）"
        ),
    },
    "channels.added": {
        "en": "✅ Connected {name}. Every edition published from now on is posted there.",
        "zh": "✅ 已连接 {name}。此后发布的每一期都会发到这里。",
    },
    "channels.readded": {
        "en": "✅ Connected {name} again, with its earlier settings.",
        "zh": "✅ 已重新连接 {name}，沿用之前的设置。",
    },
    "channels.already": {
        "en": "{name} is already connected.",
        "zh": "{name} 已经连接。",
    },
    "channels.forum_hint": {
        "en": "It is a forum: map regions to topics with /channel topic.",
        "zh": "这是论坛型群组：可用 /channel topic 把地区对应到话题。",
    },
    "channels.removed": {
        "en": "Removed {name}: nothing more is posted there.",
        "zh": "已移除 {name}：不会再在此发帖。",
    },
    "channels.removed_cancelled": {
        "en": "{n} posts still waiting to go there were cancelled.",
        "zh": "尚未发出的 {n} 条帖子已取消。",
    },
    "channels.list.title": {"en": "<b>Connected channels</b>", "zh": "<b>已连接的频道</b>"},
    "channels.list.empty": {
        "en": "No channel is connected. Add one with /channel add @name.",
        "zh": "尚未连接频道。用 /channel add @名称 添加。",
    },
    "channels.list.line": {
        "en": "• {name} ({kind}), summaries: {language}",
        "zh": "• {name}（{kind}），摘要语言：{language}",
    },
    "channels.list.topics": {"en": "  topics: {topics}", "zh": "  话题：{topics}"},
    "channels.list.no_topics": {
        "en": "  topics: none mapped, everything goes to General",
        "zh": "  话题：未设置，全部发到 General",
    },
    "channels.list.failing": {
        "en": (
            "  ⚠️ its last post failed: {error}. Check the bot is still an administrator"
            " who can post."
        ),
        "zh": "  ⚠️ 最近一条帖子发送失败：{error}。请确认机器人仍是可发帖的管理员。",
    },
    "channels.type.channel": {"en": "channel", "zh": "频道"},
    "channels.type.supergroup": {"en": "supergroup", "zh": "超级群组"},
    "channels.type.forum": {"en": "forum supergroup", "zh": "论坛型超级群组"},
    "channels.language.en": {"en": "English", "zh": "英文"},
    "channels.language.zh": {"en": "Chinese", "zh": "中文"},
    "channels.language.both": {"en": "English and Chinese", "zh": "中英文"},
    "channels.language_set": {
        "en": "Posts in {name} will show summaries in: {language}.",
        "zh": "{name} 的帖子将显示：{language}摘要。",
    },
    "channels.topic_set": {
        "en": "{region} items in {name} go to topic {topic}.",
        "zh": "{name} 中「{region}」的条目将发到话题 {topic}。",
    },
    "channels.topic_unset": {
        "en": "{region} items in {name} go to the default topic again.",
        "zh": "{name} 中「{region}」的条目恢复发到默认话题。",
    },
    "channels.default_set": {
        "en": "Items of unmapped regions in {name} go to topic {topic}.",
        "zh": "{name} 中未对应话题的条目将发到话题 {topic}。",
    },
    "channels.default_unset": {
        "en": "Items of unmapped regions in {name} go to the General topic.",
        "zh": "{name} 中未对应话题的条目将发到 General 话题。",
    },
    "channels.default_label": {"en": "other regions", "zh": "其他地区"},
    # --- what is missing ---
    "channels.error.bad_ref": {
        "en": "“{ref}” is not a chat: give @name, a t.me/name link or the chat id (-100…).",
        "zh": "“{ref}”不是有效的聊天：请提供 @名称、t.me/名称 链接或聊天 id（-100…）。",
    },
    "channels.error.not_found": {
        "en": (
            "Telegram does not know {ref}, or the bot cannot see it. Check the name, add the"
            " bot to the chat as an administrator, then try again."
        ),
        "zh": "Telegram 找不到 {ref}，或机器人看不到它。请检查名称，把机器人设为该聊天的管理员后重试。",
    },
    "channels.error.not_member": {
        "en": "The bot is not a member of {ref}. Add it as an administrator, then try again.",
        "zh": "机器人不是 {ref} 的成员。请把它添加为管理员后重试。",
    },
    "channels.error.not_admin": {
        "en": (
            "The bot is in {name} but is not an administrator. Make it an administrator"
            " who can post messages, then try again."
        ),
        "zh": "机器人在 {name} 中，但不是管理员。请把它设为可发布消息的管理员后重试。",
    },
    "channels.error.restricted": {
        "en": "The bot may not send messages in {name}. Make it an administrator, then try again.",
        "zh": "机器人在 {name} 中被禁止发言。请把它设为管理员后重试。",
    },
    "channels.error.cannot_post": {
        "en": (
            "The bot is an administrator of {name} without the right to post messages."
            " Turn on “Post messages” in its administrator rights, then try again."
        ),
        "zh": "机器人是 {name} 的管理员，但没有发布消息的权限。请在管理员权限中打开“发布消息”后重试。",
    },
    "channels.error.basic_group": {
        "en": (
            "{name} is a basic group. Only channels and supergroups can receive the edition:"
            " upgrade it to a supergroup (or make it public), then try again."
        ),
        "zh": "{name} 是普通群组。只有频道和超级群组可以接收每期内容：请先升级为超级群组后重试。",
    },
    "channels.error.not_a_channel": {
        "en": "{ref} is a person, not a channel or supergroup.",
        "zh": "{ref} 是个人账号，不是频道或超级群组。",
    },
    "channels.error.telegram": {
        "en": "Telegram did not answer as expected: {detail}. Try again in a moment.",
        "zh": "Telegram 返回异常：{detail}。请稍后重试。",
    },
    "channels.error.not_connected": {
        "en": "{ref} is not a connected channel. See /channel list.",
        "zh": "{ref} 不是已连接的频道。请查看 /channel list。",
    },
    "channels.error.bad_language": {
        "en": "“{language}” is not a content language: use en, zh or both.",
        "zh": "“{language}”不是有效的内容语言：请用 en、zh 或 both。",
    },
    "channels.error.bad_region": {
        "en": "No region is called “{region}”. Use a region name such as japan or europe.",
        "zh": "没有名为“{region}”的地区。请使用 japan、europe 等地区名。",
    },
    "channels.error.bad_topic_id": {
        "en": "“{topic}” is not a topic id: give the number in the topic's link, or off.",
        "zh": "“{topic}”不是话题 id：请提供话题链接中的数字，或 off。",
    },
    "channels.error.bad_topic": {
        "en": "The bot cannot post in topic {topic} there ({detail}). Check the topic id.",
        "zh": "机器人无法在话题 {topic} 中发帖（{detail}）。请检查话题 id。",
    },
    "channels.error.not_forum": {
        "en": "{name} is not a forum supergroup: it has no topics.",
        "zh": "{name} 不是论坛型超级群组，没有话题。",
    },
    # --- the posts ---
    "channels.post.report": {"en": "🗞 <b>{title}</b>", "zh": "🗞 <b>{title}</b>"},
    "channels.post.part": {
        "en": "<b>{title}</b> · part {n}/{count}",
        "zh": "<b>{title}</b>（{n}/{count}）",
    },
    "channels.other": {"en": "Other", "zh": "其他"},
}
