"""The bot's HTTP side: one aiohttp server per process (server.py) serving /healthz, the
Telegram webhook (webhook.py) and the routes other features add (routes.py)."""
