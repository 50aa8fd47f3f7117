"""Corrections that reach readers: an /edit or /retract of published content re-renders every
message already delivered that shows it (subscriber editions, channel posts, daily summaries).

`queue.correct` finds the delivered messages (`Delivery` rows sent, with their Telegram message
id) and queues one outbox row of kind "correct" per message; the sender re-renders the message
as it is now when it sends (`bot.delivery.prepare`), and edits it (editMessageText), deletes it
(deleteMessage, retracted and sent less than 48 hours ago) or says it was withdrawn. When the
last row of a correction is done the editor gets one message with the counts (`report`).
"""
