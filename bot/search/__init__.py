"""Search over the published archive, in English, Chinese and pinyin.

- `tokenize`, `names`: text and commentator names to index tokens (pure; the same at index and
  query time, on both databases).
- `query`: what a reader typed to terms, phrases and filters (pure).
- `match`: terms (with their equivalents in the other language, `bot.lexicon`) to an FTS5 MATCH
  expression or a tsquery, from our own quoted tokens (pure).
- `document`: what the index stores for one entry, report item or digest (pure).
- `index`: `reindex` (called by publishing, in its transaction) and `rebuild_index`.
- `service`: `search(session, text)` → a ranked `SearchPage`.
- `chat`: /search pages with a stored query, and inline mode; `command`: `digestbot search`.
"""
