"""What editors do from Telegram: post and preview, publish, edit, retract, schedule, broadcast,
watch the numbers and read the audit log. Plain services taking a session; handlers/editor.py is
the Telegram side, bot/render/editor.py the messages."""
