"""What pushed messages say: alerts, daily summaries, digest links, follow buttons.
Values arrive HTML-escaped."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- why a message came ---
    "delivery.reason": {"en": "🔔 {reason}", "zh": "🔔 {reason}"},
    "delivery.reason.keyword": {"en": "“{keyword}”", "zh": "“{keyword}”"},
    # --- one entry or report item ---
    "delivery.read_more": {"en": "Read more", "zh": "阅读全文"},
    "delivery.source": {"en": "Source", "zh": "原文"},
    "delivery.entry.by": {"en": "by {names}", "zh": "{names}"},
    # --- an instant edition (one message per publication) ---
    "delivery.report.title": {
        "en": "📰 <b>China in the English-language press</b> · {date}",
        "zh": "📰 <b>英文媒体关于中国的报道汇总</b> · {date}",
    },
    "delivery.edition.part": {"en": "(part {n}/{count})", "zh": "（第 {n}/{count} 部分）"},
    "delivery.edition.more": {
        "en": "… and {n} more that did not fit in this message.",
        "zh": "……另有 {n} 条未能放入本条消息。",
    },
    "delivery.button.piece": {"en": "📄 {n}", "zh": "📄 {n}"},
    "delivery.piece_gone": {
        "en": "That item is no longer available.",
        "zh": "该条目已不可用。",
    },
    # --- buttons under a pushed item ---
    "delivery.button.follow": {"en": "➕ Follow {name}", "zh": "➕ 关注{name}"},
    "delivery.button.unfollow": {"en": "✖ Stop {name}", "zh": "✖ 取消{name}"},
    "delivery.followed": {"en": "Now following {name}.", "zh": "已关注{name}。"},
    "delivery.already_followed": {"en": "You already follow {name}.", "zh": "你已经关注了{name}。"},
    "delivery.unfollowed": {"en": "Stopped following {name}.", "zh": "已取消关注{name}。"},
    "delivery.not_followed": {
        "en": "That is no longer followed here.",
        "zh": "此处已不再关注该项。",
    },
    "delivery.follow_failed": {
        "en": "Could not follow that: {reason}",
        "zh": "无法关注：{reason}",
    },
    # --- daily summary ---
    "delivery.summary.title": {
        "en": "<b>Your daily summary</b> · {date}",
        "zh": "<b>每日摘要</b> · {date}",
    },
    "delivery.summary.count": {"en": "{n} new for you", "zh": "共 {n} 条新内容"},
    "delivery.summary.part": {"en": "(continued, {n}/{count})", "zh": "（续，{n}/{count}）"},
    "delivery.summary.other": {"en": "Other", "zh": "其他"},
    "delivery.summary.digest": {"en": "📰 {title}", "zh": "📰 {title}"},
    "delivery.summary.digest_link": {
        "en": "• The new issue is out: open the link above.",
        "zh": "• 新一期已发布：请打开上方链接。",
    },
    # --- monthly digest ---
    "delivery.digest.title": {"en": "📰 <b>{title}</b>", "zh": "📰 <b>{title}</b>"},
    "delivery.digest.for_you": {"en": "For you: {counts}", "zh": "与你相关：{counts}"},
    "delivery.digest.count_entries": {"en": "{name}: {n} entries", "zh": "{name}：{n} 条"},
    "delivery.digest.count_one": {"en": "{name}: 1 entry", "zh": "{name}：1 条"},
    "delivery.digest.count": {"en": "{name}: {n}", "zh": "{name}：{n}"},
    "delivery.digest.read": {"en": "Read the digest", "zh": "阅读月报"},
}
