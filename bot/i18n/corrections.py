"""Corrections of delivered messages: what the editor is told, what readers see."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "corrections.queued": {
        "en": "Messages already delivered that show it: {count} will be updated.",
        "zh": "已送达且包含此内容的消息：{count} 条将被更新。",
    },
    "corrections.queued_more": {
        "en": "Messages already delivered that show it: {count} will be updated so far, and "
        "the rest are being looked up. I will tell you when they are all done.",
        "zh": "已送达且包含此内容的消息：目前 {count} 条将被更新，其余的正在查找。"
        "全部完成后我会告诉您。",
    },
    "corrections.none": {
        "en": "No delivered message shows it.",
        "zh": "没有已送达的消息包含此内容。",
    },
    "corrections.too_old": {
        "en": "{count} delivered earlier can no longer be updated (their records were pruned).",
        "zh": "另有 {count} 条较早送达的消息已无法更新（记录已清理）。",
    },
    "corrections.report": {
        "en": "Correction of {what} ({action}): {updated} delivered messages updated, "
        "{missed} could not be (a chat that blocked the bot, a message deleted, or too old).",
        "zh": "{what} 的更正（{action}）：已更新 {updated} 条已送达的消息，{missed} 条未能更新"
        "（对方屏蔽了机器人、消息已被删除或过旧）。",
    },
    "corrections.report_merged": {
        "en": "Correction of {what} ({action}): a later correction of the same messages took "
        "it over; they are updated once, showing both (its report follows).",
        "zh": "{what} 的更正（{action}）：之后对相同消息的更正已将其合并，这些消息只更新一次，"
        "同时包含两处修改（报告随后发送）。",
    },
    "corrections.action.edit": {"en": "edit", "zh": "编辑"},
    "corrections.action.retract": {"en": "retraction", "zh": "撤回"},
    "corrections.withdrawn": {
        "en": "<i>This item was withdrawn by the editors.</i>",
        "zh": "<i>此内容已被编辑撤回。</i>",
    },
}
