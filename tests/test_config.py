"""Settings come from the environment and .env; a bad one stops the program with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

SETTING_NAMES = (
    "DATABASE_URL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "ADMIN_IDS",
    "DEFAULT_TIMEZONE",
    "SEND_RATE_LIMIT",
    "FETCH_ALLOW_HOSTS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "WEB_HOST",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_a_local_sqlite_file_and_telegram(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'digestbot.sqlite3'}"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.bot_base_url == "https://api.telegram.org/bot"
    assert settings.bot_file_url == "https://api.telegram.org/file/bot"
    assert settings.admin_ids == []
    assert settings.default_timezone == "UTC"


def test_values_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "ADMIN_IDS=11, 22\nDEFAULT_TIMEZONE=Asia/Shanghai\n"
        "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/news\n"
        "TELEGRAM_API_URL=http://127.0.0.1:8081/\n"
        "FETCH_ALLOW_HOSTS=Wiki.Intranet., 10.0.0.5\n"
    )
    settings = load_settings()
    assert settings.admin_ids == [11, 22]
    assert settings.default_timezone == "Asia/Shanghai"
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/news"
    assert settings.bot_base_url == "http://127.0.0.1:8081/bot"
    assert settings.fetch_allow_hosts == ["wiki.intranet", "10.0.0.5"]


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("ADMIN_IDS", "12,alice", "numeric Telegram user ids"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("DATABASE_URL", "mysql://x", "sqlite:/// or postgresql://"),
        ("TELEGRAM_API_URL", "api.telegram.org", "http(s) URL"),
        ("FETCH_ALLOW_HOSTS", "wiki.corp,http://10.0.0.5/", "not a host name"),
    ],
)
def test_a_malformed_setting_is_named_with_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, hint: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(f"{name}: ")
    assert hint in str(error.value)


def test_the_cli_exits_non_zero_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env["DEFAULT_TIMEZONE"] = "Nowhere/Land"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE: must be an IANA time zone name" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_creates_the_embedded_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (tmp_path / "digestbot.sqlite3").exists()


def test_webhook_mode_needs_a_secret_telegram_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram/6f1c0e")
    with pytest.raises(SettingsError) as missing:
        load_settings()
    assert str(missing.value).startswith("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
    monkeypatch.setenv("WEBHOOK_SECRET", "not allowed: spaces")
    with pytest.raises(SettingsError) as malformed:
        load_settings()
    assert str(malformed.value).startswith("WEBHOOK_SECRET: must be 1-256 characters")

    monkeypatch.setenv("WEBHOOK_SECRET", "a-Good_secret-1")
    settings = load_settings()
    assert settings.webhook_path == "/telegram/6f1c0e"
    assert settings.serves_web and settings.web_port == 8080


def test_the_web_server_runs_without_a_webhook_only_when_port_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not load_settings().serves_web
    monkeypatch.setenv("PORT", "5000")
    settings = load_settings()
    assert settings.serves_web and settings.web_port == 5000
    assert settings.webhook_url is None
