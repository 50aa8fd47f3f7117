"""One settings object, read once from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_database_url() -> str:
    """A SQLite file in the working directory, resolved when the settings are read."""
    return f"sqlite+aiosqlite:///{Path.cwd() / 'digestbot.sqlite3'}"


DEFAULT_WEB_PORT = 8080
# Telegram's rule for setWebhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_timezone: str = "UTC"
    # Telegram's free broadcast limit is 30 messages/s; paid broadcasts allow up to 1000.
    send_rate_limit: int = Field(default=30, ge=1, le=1000)
    # Sender heartbeats (bot.delivery.senders): how often each process refreshes its row,
    # checks for dead senders and, standing by, tries to become the one that sends; and how old
    # a heartbeat may get before that sender's claims are resent.
    sender_heartbeat_seconds: float = Field(default=3.0, gt=0, le=60)
    sender_stale_seconds: float = Field(default=15.0, gt=0, le=600)
    # Delivery records (which message shows what) are kept this long: corrections can edit or
    # delete messages no older than this (bot.corrections.retention).
    delivery_retention_days: int = Field(default=30, ge=1, le=3650)
    log_level: str = "INFO"
    # Hosts a link may point at even when they resolve to a private address (intranets, tests).
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How often each followed feed is polled (a source may set its own interval).
    source_poll_seconds: int = Field(default=600, ge=30)
    # Webhook mode: Telegram posts updates to this public URL instead of being long-polled.
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, validate_default=True)
    # The HTTP server (webhook, /healthz, pages): served in webhook mode or when PORT is set.
    port: int | None = Field(default=None, ge=0, le=65535)
    web_host: str = "0.0.0.0"
    # The public website (bot.site): served on PORT when it is set; PUBLIC_URL is its external
    # address (links in messages, feeds). Unset PORT: no site outside webhook mode.
    public_url: str | None = None
    # Links in pushed messages go through PUBLIC_URL/r/<token> to count clicks (no user
    # identity) when PUBLIC_URL is set; CLICK_TRACKING=false turns that off.
    click_tracking: bool = True
    # Signs tracked links; defaults to one derived from the bot token. Set it to keep links
    # valid across a token change.
    click_secret: str | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError("must be comma-separated numeric Telegram user ids") from None
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("fetch_allow_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.replace(";", ",").split(",")
        if not isinstance(value, list | tuple | set | frozenset):
            return value
        hosts = [str(h).strip().lower().rstrip(".") for h in value if str(h).strip()]
        for host in hosts:
            if "/" in host or " " in host or host.startswith("["):
                raise ValueError(
                    f"{host!r} is not a host name; list names or addresses such as "
                    "wiki.intranet,10.0.0.5 (no scheme, path or brackets)"
                )
        return hosts

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name such as Asia/Shanghai") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        return value

    @field_validator("webhook_url", "webhook_secret", "port", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be the public https URL Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError(
                    "required when WEBHOOK_URL is set: 1-256 characters of A-Z, a-z, 0-9, _ and -"
                )
            return None
        value = value.strip()
        if not WEBHOOK_SECRET_PATTERN.fullmatch(value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def webhook_path(self) -> str:
        """Where the HTTP server answers Telegram: the path of WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def serves_web(self) -> bool:
        return self.webhook_url is not None or self.port is not None

    @property
    def web_port(self) -> int:
        return DEFAULT_WEB_PORT if self.port is None else self.port

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://digest.example.org")
        return value

    @property
    def tracks_clicks(self) -> bool:
        return self.public_url is not None and self.click_tracking

    @property
    def bot_base_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "settings"
            reason = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {reason} (set it in the environment or in .env)")
        raise SettingsError("\n".join(lines)) from None
