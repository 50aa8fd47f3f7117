"""Every message a subscriber reads about following things and settings, with its buttons.

Callback data of this area starts with "s:"; `CALLBACKS` lists each action and its argument
types, and handlers parse buttons back with it (anything else is a stale or forged button).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.catchup import CatchUpItem
from bot.i18n import t
from bot.lookup import Candidate, CommentatorRecord, RegionRecord
from bot.render import (
    MAX_MESSAGE_CHARS,
    Button,
    Page,
    Rendered,
    callback,
    clip,
    esc,
    join_within,
    keyboard,
    page_row,
    paginate,
)
from bot.render.content import render_entry, render_item
from bot.render.editor import help_section
from bot.subscriptions import NamedOutcome
from storage.models import (
    Commentator,
    DeliveryMode,
    EditorRole,
    Entry,
    Region,
    Subscriber,
    SubscriberStatus,
    Subscription,
    SubscriptionKind,
)

AREA = "s"
LIST_PAGE_SIZE = 10
COMMENTATOR_PAGE_SIZE = 8
BUTTON_LABEL_CHARS = 40
# Bounds that keep every message under 4096 characters even when escaping multiplies a
# stored value's length by five ("&" → "&amp;"): 10 lines × 60 characters, 3000 for a list.
LIST_LABEL_CHARS = 60
KEYWORD_LIST_CHARS = 3000
TIME_PRESETS = ("07:00", "08:00", "12:00", "18:00", "21:00")
ZONE_PRESETS = (
    ("Shanghai", "上海", "Asia/Shanghai"),
    ("London", "伦敦", "Europe/London"),
    ("New York", "纽约", "America/New_York"),
    ("UTC", "UTC", "UTC"),
)

# action → argument types. Keep in step with the builders below.
CALLBACKS: dict[str, tuple[type, ...]] = {
    "rg": (),  # show the region picker
    "rt": (int,),  # toggle region id
    "cl": (int,),  # commentator picker page
    "ct": (int, int),  # toggle commentator id, on page
    "fr": (int,),  # follow region id (a choice or a suggestion)
    "fc": (int,),  # follow commentator id
    "ur": (int,),  # unfollow region id
    "uc": (int,),  # unfollow commentator id
    "cu": (int,),  # catch up on subscription id
    "lp": (int,),  # /list page
    "ld": (int, int),  # drop subscription id, from /list page
    "st": (str, str),  # setting field, value
    "fg": (str,),  # forget: ask | yes | no
}


def cb(action: str, *args: object) -> str:
    assert action in CALLBACKS and len(args) == len(CALLBACKS[action])
    return callback(AREA, action, *args)


# --- names ------------------------------------------------------------------------------


def region_label(language: str, region: Region | RegionRecord) -> str:
    """Plain text (escape before putting it in HTML)."""
    return region.name_zh if language == "zh" and region.name_zh else region.name_en


def commentator_label(commentator: Commentator | CommentatorRecord) -> str:
    if commentator.name_zh and commentator.name_zh != commentator.name:
        return f"{commentator.name} ({commentator.name_zh})"
    return commentator.name


def thing_label(
    language: str, thing: Region | Commentator | RegionRecord | CommentatorRecord | str
) -> str:
    if isinstance(thing, Region | RegionRecord):
        return region_label(language, thing)
    if isinstance(thing, Commentator | CommentatorRecord):
        return commentator_label(thing)
    return f"“{thing}”"


def subscription_label(language: str, sub: Subscription) -> str:
    if sub.region is not None:
        return region_label(language, sub.region)
    if sub.commentator is not None:
        return commentator_label(sub.commentator)
    return sub.keyword or sub.target


def _button_label(text: str) -> str:
    return clip(text, BUTTON_LABEL_CHARS)


# --- welcome and help -------------------------------------------------------------------


def welcome(language: str, *, resumed: bool = False, extra: str | None = None) -> Rendered:
    lines = [t(language, "sub.start.welcome")]
    if resumed:
        lines.insert(0, t(language, "sub.start.resumed"))
    if extra:
        lines.append(extra)
    buttons = keyboard(
        [
            Button(t(language, "sub.button.regions"), cb("rg")),
            Button(t(language, "sub.button.commentators"), cb("cl", 0)),
        ]
    )
    return Rendered("\n\n".join(lines), buttons)


def help_text(
    language: str,
    *,
    private: bool,
    in_group: bool,
    editor: EditorRole | None,
    bot_username: str | None,
) -> Rendered:
    """Every command: following, delivery, search; editors also get those their role may use,
    but only in a private chat (in a group the reply is read by everyone there)."""
    search = t(language, "sub.help.search", bot=esc(bot_username or "bot"))
    if private:
        search += "\n" + t(language, "sub.help.search_here")
    sections = [t(language, "sub.help"), search]
    if in_group:
        sections.append(t(language, "sub.help.group"))
    if editor is not None and private:
        sections.append(help_section(language, editor))
    return Rendered("\n\n".join(sections))


def plain(language: str, key: str, **values: object) -> Rendered:
    """A one-line reply from the catalog; `values` are escaped here."""
    return Rendered(t(language, key, **{k: esc(v) for k, v in values.items()}))


# --- pickers ----------------------------------------------------------------------------


def region_picker(
    language: str,
    regions: Sequence[Region],
    followed: set[int],
    catch_up: Subscription | None = None,
) -> Rendered:
    """Regions with check marks (a tap toggles); `catch_up` is what was just followed."""
    buttons = [
        Button(
            ("✅ " if r.id in followed else "▫️ ") + _button_label(region_label(language, r)),
            cb("rt", r.id),
        )
        for r in regions
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_catch_up_row(language, catch_up))
    rows.append(
        [
            Button(t(language, "sub.button.commentators"), cb("cl", 0)),
            Button(t(language, "sub.button.list"), cb("lp", 0)),
        ]
    )
    return Rendered(t(language, "sub.picker.regions"), keyboard(*rows))


def commentator_picker(
    language: str,
    commentators: Sequence[Commentator],
    followed: set[int],
    page: int,
    total: int,
    catch_up: Subscription | None = None,
) -> Rendered:
    back = [Button(t(language, "sub.button.regions"), cb("rg"))]
    if total == 0:
        return Rendered(t(language, "sub.picker.no_commentators"), keyboard(back))
    pages = Page(commentators, page, max(1, -(-total // COMMENTATOR_PAGE_SIZE)))
    rows = [
        [
            Button(
                ("✅ " if c.id in followed else "▫️ ") + _button_label(commentator_label(c)),
                cb("ct", c.id, page),
            )
        ]
        for c in commentators
    ]
    rows.append(list(page_row(pages, lambda n: cb("cl", n))))
    rows.append(_catch_up_row(language, catch_up))
    rows.append(back)
    return Rendered(t(language, "sub.picker.commentators"), keyboard(*rows))


# --- following --------------------------------------------------------------------------


def _catch_up_row(language: str, subscription: Subscription | None) -> list[Button]:
    if subscription is None or subscription.id is None:
        return []
    return [Button(t(language, "sub.button.catch_up"), cb("cu", subscription.id))]


def followed(
    language: str, thing: Region | Commentator, subscription: Subscription, created: bool
) -> Rendered:
    key = "sub.followed" if created else "sub.already_followed"
    text = t(language, key, name=f"<b>{esc(thing_label(language, thing))}</b>")
    return Rendered(text, keyboard(_catch_up_row(language, subscription)))


def choices(language: str, query: str, candidates: Sequence[Candidate], action: str) -> Rendered:
    """Buttons to pick among ambiguous matches; `action` is "f" (follow) or "u" (unfollow)."""
    rows = [[_candidate_button(language, c, action)] for c in candidates]
    return Rendered(t(language, "sub.ambiguous", query=esc(clip(query, 60))), keyboard(*rows))


def _candidate_button(language: str, candidate: Candidate, action: str) -> Button:
    data = cb(action + ("r" if candidate.kind == "region" else "c"), candidate.id)
    return Button(_button_label(thing_label(language, candidate.record)), data)


def unknown(language: str, query: str, suggestions: Sequence[Candidate], action: str) -> Rendered:
    shown = esc(clip(query, 60))
    text = t(language, "sub.unknown", query=shown)
    if suggestions:
        text += t(language, "sub.unknown.suggest")
    if action == "f":
        text += t(language, "sub.unknown.as_keyword", query=shown)
    rows = [[_candidate_button(language, c, action)] for c in suggestions]
    return Rendered(text, keyboard(*rows))


def named_outcome(language: str, outcome: NamedOutcome, action: str) -> Rendered:
    """The reply to /subscribe <name> ("f") or /unsubscribe <name> ("u")."""
    if outcome.status == "ambiguous":
        return choices(language, outcome.query, outcome.candidates, action)
    if outcome.status == "unknown":
        return unknown(language, outcome.query, outcome.candidates, action)
    assert outcome.thing is not None
    if outcome.status in ("followed", "already"):
        assert outcome.subscription is not None and not isinstance(outcome.thing, str)
        return followed(language, outcome.thing, outcome.subscription, outcome.status == "followed")
    name = f"<b>{esc(thing_label(language, outcome.thing))}</b>"
    key = "sub.unfollowed" if outcome.status == "unfollowed" else "sub.not_followed"
    return Rendered(t(language, key, name=name))


def keyword_added(language: str, subscription: Subscription, created: bool, mute: bool) -> Rendered:
    keyword = esc(subscription.keyword or subscription.target)
    if mute:
        return Rendered(
            t(language, "sub.mute.added" if created else "sub.mute.exists", keyword=keyword)
        )
    text = t(language, "sub.alert.added" if created else "sub.alert.exists", keyword=keyword)
    return Rendered(text, keyboard(_catch_up_row(language, subscription)))


def keyword_removed(language: str, keyword: str, removed: bool, mute: bool) -> Rendered:
    if mute:
        key = "sub.mute.removed" if removed else "sub.mute.missing"
    else:
        key = "sub.alert.removed" if removed else "sub.alert.missing"
    return Rendered(t(language, key, keyword=esc(keyword)))


def keyword_usage(language: str, key: str, keywords: Sequence[str]) -> Rendered:
    """Usage of a keyword command with the keywords set so far (as many as fit)."""
    quoted = [f"“{esc(k)}”" for k in keywords]
    shown = join_within(quoted, KEYWORD_LIST_CHARS, ", ") or t(language, "sub.none")
    if shown.count("“") < len(quoted):
        shown += ", … /list"
    return Rendered(t(language, key, keywords=shown))


# --- /list ------------------------------------------------------------------------------

_SECTION_KEYS = {
    SubscriptionKind.REGION: "sub.list.regions",
    SubscriptionKind.COMMENTATOR: "sub.list.commentators",
    SubscriptionKind.KEYWORD: "sub.list.keywords",
    SubscriptionKind.MUTE: "sub.list.mutes",
}


def mode_label(language: str, subscriber: Subscriber) -> str:
    return t(language, f"sub.mode.{subscriber.mode}")


def subscription_list(
    language: str,
    subscriber: Subscriber | None,
    subscriptions: Sequence[Subscription],
    page_number: int,
    note: str | None = None,
) -> Rendered:
    """Everything followed, a page at a time, with a ✖ button per line."""
    head = [note] if note else []
    if not subscriptions or subscriber is None:
        return Rendered("\n".join([*head, t(language, "sub.list.empty")]))
    page = paginate(subscriptions, page_number, LIST_PAGE_SIZE)
    blocks = [*head, t(language, "sub.list.title")]
    section = None
    rows: list[list[Button]] = []
    for sub in page.items:
        if sub.kind != section:
            section = sub.kind
            blocks.append(f"\n<u>{t(language, _SECTION_KEYS[SubscriptionKind(sub.kind)])}</u>")
        label = clip(subscription_label(language, sub), LIST_LABEL_CHARS)
        shown = (
            esc(label)
            if sub.kind in (SubscriptionKind.REGION, SubscriptionKind.COMMENTATOR)
            else f"“{esc(label)}”"
        )
        blocks.append(f"• {shown}")
        rows.append([Button("✖ " + _button_label(label), cb("ld", sub.id, page.number))])
    blocks.append("")
    if subscriber.status == SubscriberStatus.PAUSED:
        blocks.append(t(language, "sub.list.paused"))
    blocks.append(
        t(language, "sub.list.delivery", mode=esc(_delivery_summary(language, subscriber)))
    )
    blocks.append(t(language, "sub.list.hint"))
    rows.append(list(page_row(page, lambda n: cb("lp", n))))
    return Rendered(join_within(blocks, MAX_MESSAGE_CHARS), keyboard(*rows))


def _delivery_summary(language: str, subscriber: Subscriber) -> str:
    mode = mode_label(language, subscriber)
    if subscriber.mode == DeliveryMode.DAILY:
        mode += f" {subscriber.daily_time} ({subscriber.timezone})"
    return mode


# --- settings ---------------------------------------------------------------------------


def _mark(selected: bool, label: str) -> str:
    return f"✓ {label}" if selected else label


def settings_view(language: str, subscriber: Subscriber, note: str | None = None) -> Rendered:
    quiet = (
        f"{subscriber.quiet_start}–{subscriber.quiet_end}"
        if subscriber.quiet_start and subscriber.quiet_end
        else t(language, "sub.quiet.none")
    )
    body = t(
        language,
        "sub.settings.body",
        mode=esc(mode_label(language, subscriber)),
        time=esc(subscriber.daily_time),
        timezone=esc(subscriber.timezone),
        quiet=esc(quiet),
        content=esc(t(language, f"sub.content.{subscriber.content_language}")),
        language=esc(t(language, f"sub.language.{subscriber.language}")),
        status=esc(t(language, f"sub.status.{subscriber.status}")),
    )
    text = "\n".join(p for p in (note, t(language, "sub.settings.title"), body) if p)
    modes = [
        Button(_mark(subscriber.mode == m, t(language, f"sub.mode.{m}")), cb("st", "m", m))
        for m in DeliveryMode
    ]
    languages = [
        Button(
            _mark(subscriber.language == code, t(language, f"sub.language.{code}")),
            cb("st", "l", code),
        )
        for code in ("en", "zh")
    ]
    contents = [
        Button(
            _mark(subscriber.content_language == code, t(language, f"sub.content.{code}")),
            cb("st", "c", code),
        )
        for code in ("en", "zh", "both")
    ]
    times = [
        Button(_mark(subscriber.daily_time == hhmm, hhmm), cb("st", "t", hhmm.replace(":", "")))
        for hhmm in TIME_PRESETS
    ]
    zones = [
        Button(
            _mark(subscriber.timezone == zone, zh if language == "zh" else en), cb("st", "z", zone)
        )
        for en, zh, zone in ZONE_PRESETS
    ]
    paused = subscriber.status == SubscriberStatus.PAUSED
    status = [
        Button(
            t(language, "sub.button.resume" if paused else "sub.button.pause"),
            cb("st", "p", "go" if paused else "stop"),
        ),
        Button(t(language, "sub.button.forget"), cb("fg", "ask")),
    ]
    return Rendered(text, keyboard(modes, times, zones, contents, languages, status))


def mode_set(language: str, subscriber: Subscriber) -> Rendered:
    if subscriber.mode == DeliveryMode.DAILY:
        return plain(
            language, "sub.mode.set_daily", time=subscriber.daily_time, timezone=subscriber.timezone
        )
    return plain(language, "sub.mode.set", mode=mode_label(language, subscriber))


def time_set(language: str, subscriber: Subscriber) -> Rendered:
    key = "sub.time.set" if subscriber.mode == DeliveryMode.DAILY else "sub.time.set_not_daily"
    return plain(language, key, time=subscriber.daily_time, timezone=subscriber.timezone)


def timezone_set(language: str, subscriber: Subscriber, now: dt.datetime) -> Rendered:
    local = now.astimezone(ZoneInfo(subscriber.timezone)).strftime("%H:%M")
    return plain(language, "sub.timezone.set", timezone=subscriber.timezone, now=local)


def quiet_set(language: str, subscriber: Subscriber) -> Rendered:
    if not subscriber.quiet_start:
        return plain(language, "sub.quiet.off")
    return plain(
        language,
        "sub.quiet.set",
        start=subscriber.quiet_start,
        end=subscriber.quiet_end,
        timezone=subscriber.timezone,
    )


def quiet_current(language: str, subscriber: Subscriber | None) -> Rendered:
    if subscriber and subscriber.quiet_start:
        quiet = f"{subscriber.quiet_start}–{subscriber.quiet_end}"
    else:
        quiet = t(language, "sub.quiet.none")
    return plain(language, "sub.quiet.current", quiet=quiet)


def content_set(language: str, subscriber: Subscriber) -> Rendered:
    return plain(
        language,
        "sub.content.set",
        content=t(language, f"sub.content.{subscriber.content_language}"),
    )


def forget_confirm(language: str) -> Rendered:
    return Rendered(
        t(language, "sub.forget.confirm"),
        keyboard(
            [
                Button(t(language, "sub.forget.yes"), cb("fg", "yes")),
                Button(t(language, "sub.forget.no"), cb("fg", "no")),
            ]
        ),
    )


# --- catch-up ---------------------------------------------------------------------------


def catch_up(
    language: str, name: str, items: Sequence[CatchUpItem], content_language: str
) -> list[Rendered]:
    """The catch-up: a header, then each item as subscribers see it."""
    if not items:
        return [plain(language, "sub.catchup.none", name=name)]
    header = t(language, "sub.catchup.header", name=esc(name))
    rendered = [_render_content(language, item, content_language) for item in items]
    return [Rendered(header), *rendered]


def _render_content(language: str, item: CatchUpItem, content_language: str) -> Rendered:
    # Exactly as alerts show it (bot.render.content), without the alert's follow buttons.
    if isinstance(item.row, Entry):
        return render_entry(item.row, language=language, content_language=content_language)
    return render_item(item.row, language=language, content_language=content_language)
