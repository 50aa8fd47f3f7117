"""Sources: the newsletter's own RSS/Atom feeds, polled for new posts that become drafts.

`feeds` reads a feed (pure), `fetching` is the one way a feed or a post's page is fetched,
`service` keeps the sources and their seen posts, `intake` turns a feed entry into a stored
draft, `poller` runs the polls (in the one process that owns the scheduler) and `notify`
tells editors what came in.
"""
