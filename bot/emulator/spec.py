"""The Bot API contract (`data/api.json`) and checking a request against it.

`api.json` is the published Bot API as data (scraped by PaulSonOfLars/telegram-bot-api-spec, MIT,
see `data/LICENSE-api-spec`). Nobody on the team wrote it, which is the point: the emulator only
answers methods that exist there and only accepts their fields, and tests can run every request
the bot sent through `validate_request` to prove the bot speaks real Telegram.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.emulator.errors import ApiError, bad_request

API_JSON = Path(__file__).with_name("data") / "api.json"

_INT_RE = re.compile(r"-?\d+\Z")
_TRUE = {"true", "1", "True", "TRUE"}
_FALSE = {"false", "0", "False", "FALSE", ""}
# Telegram's own wording for the commonest missing fields; everything else gets the generic one.
_MISSING_WORDING = {
    "chat_id": "Bad Request: chat_id is empty",
    "text": "Bad Request: message text is empty",
    "message_id": "Bad Request: message identifier is not specified",
    "callback_query_id": "Bad Request: query_id is empty",
    "inline_query_id": "Bad Request: query_id is empty",
    "file_id": "Bad Request: file_id is empty",
    "user_id": "Bad Request: user_id is empty",
}
_JSON_WORDING = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "entities",
}
_DISCRIMINATOR_RE = re.compile(r"(?:always|must be) [\"“*]?([a-z_]+)")


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart request (an `InputFile`)."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


Coercer = Callable[[str, Any], Any]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    coerce: Coercer


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name: str
    fields: dict[str, FieldSpec]
    required: tuple[str, ...]
    returns: tuple[str, ...]


def _type_error(name: str, types: tuple[str, ...]) -> ApiError:
    return bad_request(f'field "{name}" must be of type {" or ".join(types)}')


def _make_coercer(types: tuple[str, ...]) -> Coercer:
    """One converter per field: accepts what Telegram accepts (form strings, JSON values)."""
    kinds = set()
    for t in types:
        if t in ("Integer", "String", "Boolean", "Float", "InputFile", "True"):
            kinds.add(t)
        elif t.startswith("Array of "):
            kinds.add("Array")
        else:
            kinds.add("Object")

    def coerce(name: str, value: Any) -> Any:
        if isinstance(value, UploadedFile):
            if "InputFile" in kinds:
                return value
            raise _type_error(name, types)
        if isinstance(value, bool):
            if "Boolean" in kinds or "True" in kinds:
                return value
            if "String" in kinds:
                return "true" if value else "false"
            raise _type_error(name, types)
        if isinstance(value, int):
            if "Integer" in kinds:
                return value
            if "Float" in kinds:
                return float(value)
            if "String" in kinds:
                return str(value)
            if "Boolean" in kinds and value in (0, 1):
                return bool(value)
            raise _type_error(name, types)
        if isinstance(value, float):
            if "Float" in kinds:
                return value
            if "Integer" in kinds and value.is_integer():
                return int(value)
            if "String" in kinds:
                return repr(value)
            raise _type_error(name, types)
        if isinstance(value, str):
            if "Integer" in kinds and _INT_RE.match(value.strip()):
                return int(value)
            if "Float" in kinds:
                try:
                    return float(value)
                except ValueError:
                    pass
            if "Boolean" in kinds or "True" in kinds:
                if value in _TRUE:
                    return True
                if value in _FALSE and "String" not in kinds:
                    return False
            if "Array" in kinds or "Object" in kinds:
                stripped = value.lstrip()
                if stripped[:1] in ("[", "{") or "String" not in kinds:
                    try:
                        parsed = json.loads(value)
                    except ValueError:
                        raise bad_request(
                            f"can't parse {_JSON_WORDING.get(name, name)} JSON object"
                        ) from None
                    return coerce(name, parsed)
            if "String" in kinds or "InputFile" in kinds:
                return value
            raise _type_error(name, types)
        if isinstance(value, list):
            if "Array" in kinds:
                return value
            raise bad_request(f"can't parse {_JSON_WORDING.get(name, name)} JSON object")
        if isinstance(value, dict):
            if "Object" in kinds:
                return value
            raise bad_request(f"can't parse {_JSON_WORDING.get(name, name)} JSON object")
        if value is None:
            return None
        raise _type_error(name, types)

    return coerce


class ApiSpec:
    """The methods and types of one `api.json`, indexed for per-request use."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data.get("version", "")
        self.types: dict[str, Any] = dict(data.get("types", {}))
        self.methods: dict[str, MethodSpec] = {}
        coercers: dict[tuple[str, ...], Coercer] = {}
        for name, raw in data["methods"].items():
            fields = {}
            for f in raw.get("fields", []):
                types = tuple(f["types"])
                coerce = coercers.setdefault(types, _make_coercer(types))
                fields[f["name"]] = FieldSpec(f["name"], types, bool(f["required"]), coerce)
            required = tuple(n for n, f in fields.items() if f.required)
            self.methods[name] = MethodSpec(name, fields, required, tuple(raw.get("returns", ())))
        self._by_lower = {name.lower(): spec for name, spec in self.methods.items()}

    def method(self, name: str) -> MethodSpec | None:
        """The method called `name`, matched case-insensitively as Telegram does."""
        return self._by_lower.get(name.lower())

    def normalize(self, method: MethodSpec, params: Mapping[str, Any]) -> dict[str, Any]:
        """Typed parameters, or an `ApiError` for a missing, unknown or mistyped field."""
        fields = method.fields
        out: dict[str, Any] = {}
        for key, value in params.items():
            field = fields.get(key)
            if field is None:
                raise bad_request(f'unknown parameter "{key}"')
            if value is None or (value == "" and not field.required):
                continue
            out[key] = field.coerce(key, value)
        for key in method.required:
            value = out.get(key)
            if value is None or value == "":
                if method.name == "setWebhook" and key == "url" and key in params:
                    out[key] = ""
                    continue
                raise missing_field(method.name, key)
        return out

    def synthesize(self, type_name: str, bot_user: dict[str, Any], depth: int = 0) -> Any:
        """A minimal valid value of an API type (required fields only) for generic answers."""
        scalars = {"Integer": 0, "Float": 0.0, "String": "", "Boolean": True, "True": True}
        if type_name in scalars:
            return scalars[type_name]
        if type_name.startswith("Array of "):
            return []
        if type_name == "User":
            return dict(bot_user)
        spec = self.types.get(type_name)
        if spec is None or depth > 6:
            return {}
        if spec.get("subtypes"):
            return self.synthesize(spec["subtypes"][0], bot_user, depth + 1)
        obj: dict[str, Any] = {}
        for f in spec.get("fields", []):
            if not f["required"]:
                continue
            first = f["types"][0]
            if first == "String":
                match = _DISCRIMINATOR_RE.search(f.get("description", ""))
                obj[f["name"]] = match.group(1) if match else ""
            else:
                obj[f["name"]] = self.synthesize(first, bot_user, depth + 1)
        return obj


def missing_field(method: str, field: str) -> ApiError:
    wording = _MISSING_WORDING.get(field)
    if field == "text" and method not in ("sendMessage", "editMessageText"):
        wording = None
    return ApiError(400, wording or f'Bad Request: parameter "{field}" is required')


@functools.cache
def load_spec(path: str | None = None) -> ApiSpec:
    """The packaged `api.json` (or another copy at `path`), parsed once per process."""
    with open(path or API_JSON, encoding="utf-8") as fh:
        return ApiSpec(json.load(fh))


def validate_request(method: str, params: Mapping[str, Any]) -> str | None:
    """Why Telegram would refuse this request (its error description), or None if it is valid.

    Checks what does not depend on the emulator's state: the method exists, required fields are
    present, no unknown fields, field types, text length after entity parsing, HTML/Markdown,
    and reply markup (including callback_data size). Chats, blocks and rate limits are not
    checked. `params` may hold JSON values or form strings, as recorded in the request log.
    """
    from bot.emulator.content import check_content  # local: content imports this module

    spec = load_spec()
    method_spec = spec.method(method)
    if method_spec is None:
        return "Not Found"
    try:
        check_content(method_spec.name, spec.normalize(method_spec, params))
    except ApiError as exc:
        return exc.description
    return None
