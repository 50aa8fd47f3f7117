"""Corrections that reach readers: an /edit or /retract of published content re-renders every
message already delivered that shows it (subscriber editions, channel posts, daily summaries).

`queue.correct` records the correction and finds the delivered messages (`Delivery` rows sent,
with their Telegram message id), queueing one outbox row of kind "correct" per message: the
first `queue.FIRST_CHUNK` candidates in the editor's transaction, the rest in the owner process
a chunk at a time (`planner`), so an edit of what 100,000 readers got neither holds the
editor's reply nor stalls anyone else's; the sender re-renders the message
as it is now when it sends (`bot.delivery.prepare`), and edits it (editMessageText), deletes it
(deleteMessage, retracted and sent less than 48 hours ago) or says it was withdrawn. When the
last row of a correction is done the editor gets one message with the counts (`report`).
"""
