"""Every reply of /channel: what was connected, changed or refused, and the list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.channels.errors import ChannelError
from bot.channels.service import AddOutcome, label
from bot.i18n import t
from bot.render import Rendered, clip, esc, join_within
from storage.models import Channel, Region

_LANGUAGES = ("en", "zh", "both")


def usage(language: str) -> Rendered:
    return Rendered(t(language, "channels.usage"))


def error(language: str, exc: ChannelError) -> Rendered:
    values = {k: esc(clip(str(v), 200)) for k, v in exc.values.items()}
    return Rendered(t(language, f"channels.error.{exc.code}", **values))


def name(channel: Channel) -> str:
    """ "Title (@name)" as HTML."""
    title = esc(clip(channel.title or "", 80))
    handle = esc(label(channel))
    return f"<b>{title}</b> ({handle})" if title else f"<b>{handle}</b>"


def added(language: str, channel: Channel, outcome: AddOutcome) -> Rendered:
    key = {
        AddOutcome.ADDED: "channels.added",
        AddOutcome.READDED: "channels.readded",
        AddOutcome.ALREADY: "channels.already",
    }[outcome]
    lines = [t(language, key, name=name(channel))]
    if channel.is_forum:
        lines.append(t(language, "channels.forum_hint"))
    return Rendered("\n".join(lines))


def removed(language: str, channel: Channel, cancelled: int) -> Rendered:
    lines = [t(language, "channels.removed", name=name(channel))]
    if cancelled:
        lines.append(t(language, "channels.removed_cancelled", n=cancelled))
    return Rendered("\n".join(lines))


def _language_name(language: str, content_language: str) -> str:
    if content_language not in _LANGUAGES:
        content_language = "both"
    return t(language, f"channels.language.{content_language}")


def _kind(language: str, channel: Channel) -> str:
    return t(language, f"channels.type.{'forum' if channel.is_forum else channel.type}")


def _topics(language: str, channel: Channel, regions: dict[str, Region]) -> str:
    topics = channel.topics or {}
    parts = []
    for slug, topic in topics.get("regions", {}).items():
        region = regions.get(slug)
        shown = (region.name_zh if language == "zh" else region.name_en) if region else slug
        parts.append(f"{esc(shown)} → {int(topic)}")
    if topics.get("default"):
        parts.append(f"{t(language, 'channels.default_label')} → {int(topics['default'])}")
    if not parts:
        return t(language, "channels.list.no_topics")
    return t(language, "channels.list.topics", topics=", ".join(parts))


def channel_list(
    language: str,
    channels: Sequence[Channel],
    regions: Sequence[Region],
    failures: Mapping[int, str] | None = None,
) -> Rendered:
    if not channels:
        return Rendered(t(language, "channels.list.empty"))
    by_slug = {r.slug: r for r in regions}
    lines = [t(language, "channels.list.title")]
    for channel in channels:
        lines.append(
            t(
                language,
                "channels.list.line",
                name=name(channel),
                kind=_kind(language, channel),
                language=_language_name(language, channel.content_language),
            )
        )
        if channel.is_forum:
            lines.append(_topics(language, channel, by_slug))
        if failures and channel.id in failures:
            error = esc(clip(failures[channel.id], 200))
            lines.append(t(language, "channels.list.failing", error=error))
    return Rendered(join_within(lines))


def language_set(language: str, channel: Channel) -> Rendered:
    return Rendered(
        t(
            language,
            "channels.language_set",
            name=name(channel),
            language=_language_name(language, channel.content_language),
        )
    )


def topic_set(
    language: str, channel: Channel, region: Region | None, topic: int | None
) -> Rendered:
    if region is None:
        key = "channels.default_set" if topic else "channels.default_unset"
        return Rendered(t(language, key, name=name(channel), topic=topic))
    shown = esc(region.name_zh if language == "zh" else region.name_en)
    key = "channels.topic_set" if topic else "channels.topic_unset"
    return Rendered(t(language, key, name=name(channel), region=shown, topic=topic))
