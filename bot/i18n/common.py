"""Strings shared by every part of the bot."""

MESSAGES: dict[str, dict[str, str]] = {
    "error.generic": {
        "en": "Sorry, something went wrong on our side. Please try again in a moment.",
        "zh": "抱歉，出了点问题。请稍后再试。",
    },
    "error.stale_button": {
        "en": "This button has expired. Please run the command again.",
        "zh": "此按钮已过期，请重新发送命令。",
    },
    "error.unknown_command": {
        "en": "I don't know that command. Send /help to see what I can do.",
        "zh": "我不认识这个命令。发送 /help 查看可用命令。",
    },
    "error.editors_only": {
        "en": "This command is for editors.",
        "zh": "此命令仅供编辑使用。",
    },
}
