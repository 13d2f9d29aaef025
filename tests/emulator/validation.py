"""Checks on what the bot sends: Discord's OpenAPI schema, plus the limits and field names it misses.

Two layers, because the bundled spec catches type errors and some maxLengths but (a) almost no object
schema sets `additionalProperties: false`, so a misspelt field sails through, and (b) several limits
Discord enforces at runtime (6000 characters over all embeds, five action rows, 4000 characters per
command, required options first...) are not in the spec at all. Every function returns a list of
human-readable problems; an empty list means the body is fine.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]

SPEC_PATH = Path(__file__).resolve().parents[2] / "data" / "discord-openapi.json"

# Message flags the checks care about.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15


# --------------------------------------------------------------------------------------------------
# OpenAPI
# --------------------------------------------------------------------------------------------------


def _describe(error: ValidationError) -> str:
    # oneOf/anyOf failures say only "is not valid under any of the given schemas"; the useful
    # message is inside `context`, so walk down to the most relevant leaf. Most optional fields are
    # `oneOf: [null, X]`, where "is not of type 'null'" is never the interesting branch.
    while error.context:
        useful = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        error = best_match(useful or error.context)
    if error.validator in ("maxLength", "minLength", "maxItems", "minItems") and isinstance(
        error.instance, (str, list)
    ):
        # The default message repeats the whole (long) value; the numbers are what matter.
        message = f"length {len(error.instance)} breaks {error.validator} {error.validator_value}"
    else:
        message = error.message
        if len(message) > 240:
            message = message[:240] + "..."
    return f"{error.json_path}: {message}"


def _snowflake_tolerant_type(validator: Any, types: Any, instance: Any, schema: Mapping[str, Any]) -> Any:
    # The spec types every snowflake as a string, but Discord accepts integers in request bodies and
    # discord.py sends them (attachment ids, allowed_mentions.users/roles, message_reference ids...).
    # Flagging those would bury real problems under noise.
    if (
        schema.get("format") == "snowflake"
        and isinstance(instance, int)
        and not isinstance(instance, bool)
        and instance >= 0
    ):
        return
    yield from Draft202012Validator.VALIDATORS["type"](validator, types, instance, schema)


_Validator = validators.extend(Draft202012Validator, validators={"type": _snowflake_tolerant_type})


class OpenAPISpec:
    """The bundled Discord OpenAPI document, with compiled validators cached per schema."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        with path.open(encoding="utf-8") as fh:
            spec = json.load(fh)
        self.paths: dict[str, Any] = spec["paths"]
        self.components: dict[str, Any] = spec["components"]
        self._validators: dict[str, Any] = {}

    def _validator(self, key: str, schema: Mapping[str, Any]) -> Any:
        try:
            return self._validators[key]
        except KeyError:
            pass
        # `components` sits beside the schema so that "#/components/..." refs resolve against this
        # root document; building one validator per schema keeps the 1.2 MB spec parsed only once.
        root = {**schema, "components": self.components}
        validator = _Validator(root)
        self._validators[key] = validator
        return validator

    def operation(self, template: str, method: str) -> dict[str, Any] | None:
        item = self.paths.get(template)
        if item is None:
            return None
        op = item.get(method.lower())
        return op if isinstance(op, dict) else None

    def request_schema(self, template: str, method: str) -> dict[str, Any] | None:
        op = self.operation(template, method)
        if op is None or "requestBody" not in op:
            return None
        content = op["requestBody"].get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return schema if isinstance(schema, dict) else None

    def schema_of(self, name: str) -> dict[str, Any]:
        schema: dict[str, Any] = self.components["schemas"][name]
        return schema

    def _branch_matches_type(self, branch: Mapping[str, Any], body: Any) -> bool:
        ref = branch.get("$ref", "")
        if not ref.startswith("#/components/schemas/") or not isinstance(body, dict) or "type" not in body:
            return False
        target = self.schema_of(ref.rsplit("/", 1)[1])
        enum = target.get("properties", {}).get("type", {}).get("enum")
        return isinstance(enum, list) and body["type"] in enum

    def _errors(self, key: str, schema: Mapping[str, Any], body: Any) -> list[str]:
        validator = self._validator(key, schema)
        return [_describe(e) for e in validator.iter_errors(body)]

    def validate_schema(self, key: str, schema: Mapping[str, Any], body: Any) -> list[str]:
        """Validate `body` against `schema`, splitting top-level unions into their branches.

        A top-level anyOf (the interaction callback, webhook execute) reports one useless
        "not valid under any" error, so each branch is tried on its own: a branch whose `type`
        enum contains the body's `type` is the intended one (that is how the callback union is
        keyed); otherwise the branch with the fewest errors is reported.
        """
        branches = schema.get("anyOf") or schema.get("oneOf")
        if not branches:
            return self._errors(key, schema, body)
        keyed = [b for b in branches if self._branch_matches_type(b, body)]
        if keyed:
            return self._errors(f"{key}#{keyed[0]['$ref']}", keyed[0], body)
        results = [self._errors(f"{key}#{i}", b, body) for i, b in enumerate(branches)]
        return min(results, key=len) if all(results) else []

    def validate_request(self, template: str, method: str, body: Any) -> list[str]:
        schema = self.request_schema(template, method)
        if schema is None:
            return []
        return self.validate_schema(f"req {method} {template}", schema, body)

    def validate_response(self, template: str, method: str, status: int, body: Any) -> list[str]:
        """Check what the emulator itself answers; used by the emulator's own tests for realism."""
        op = self.operation(template, method)
        if op is None:
            return []
        response = op.get("responses", {}).get(str(status))
        if not response:
            return []
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if not isinstance(schema, dict):
            return []
        return self.validate_schema(f"resp {method} {template} {status}", schema, body)

    def validate_component(self, name: str, body: Any) -> list[str]:
        return self.validate_schema(f"schema {name}", {"$ref": f"#/components/schemas/{name}"}, body)


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> OpenAPISpec:
    """One parsed spec per process: loading it costs ~50 ms and it never changes during a run."""
    return OpenAPISpec(path)


# --------------------------------------------------------------------------------------------------
# Known fields: what Discord reads, plus what discord.py is known to add.
# --------------------------------------------------------------------------------------------------

_MESSAGE_COMMON = frozenset(
    {"content", "embeds", "allowed_mentions", "components", "attachments", "flags", "tts", "poll"}
)
MESSAGE_CREATE_FIELDS = _MESSAGE_COMMON | {"nonce", "enforce_nonce", "message_reference", "sticker_ids"}
WEBHOOK_EXECUTE_FIELDS = _MESSAGE_COMMON | {"username", "avatar_url", "thread_name", "applied_tags"}
# discord.py puts `tts` in every edit body although edits cannot change it; Discord ignores it.
MESSAGE_EDIT_FIELDS = _MESSAGE_COMMON
CALLBACK_MESSAGE_FIELDS = _MESSAGE_COMMON
CALLBACK_FIELDS = frozenset({"type", "data"})
AUTOCOMPLETE_DATA_FIELDS = frozenset({"choices"})
MODAL_DATA_FIELDS = frozenset({"custom_id", "title", "components"})

# discord.py's Embed.to_dict always adds `flags` (0) and `type` ("rich").
EMBED_FIELDS = frozenset(
    {
        "type",
        "title",
        "description",
        "url",
        "timestamp",
        "color",
        "footer",
        "image",
        "thumbnail",
        "video",
        "provider",
        "author",
        "fields",
        "flags",
    }
)
EMBED_SUB_FIELDS: dict[str, frozenset[str]] = {
    "footer": frozenset({"text", "icon_url", "proxy_icon_url"}),
    "author": frozenset({"name", "url", "icon_url", "proxy_icon_url"}),
    "image": frozenset({"url", "proxy_url", "height", "width", "flags"}),
    "thumbnail": frozenset({"url", "proxy_url", "height", "width", "flags"}),
    "video": frozenset({"url", "proxy_url", "height", "width", "flags"}),
    "provider": frozenset({"name", "url"}),
}
EMBED_FIELD_FIELDS = frozenset({"name", "value", "inline"})
ALLOWED_MENTIONS_FIELDS = frozenset({"parse", "users", "roles", "replied_user"})
SELECT_OPTION_FIELDS = frozenset({"label", "value", "description", "emoji", "default"})
_SELECT_COMMON = frozenset(
    {"type", "id", "custom_id", "placeholder", "min_values", "max_values", "disabled", "required"}
)
COMPONENT_FIELDS: dict[int, frozenset[str]] = {
    1: frozenset({"type", "id", "components"}),
    2: frozenset({"type", "id", "style", "label", "emoji", "custom_id", "sku_id", "url", "disabled"}),
    3: _SELECT_COMMON | {"options"},
    4: frozenset(
        {"type", "id", "custom_id", "style", "label", "min_length", "max_length", "required", "value", "placeholder"}
    ),
    5: _SELECT_COMMON | {"default_values"},
    6: _SELECT_COMMON | {"default_values"},
    7: _SELECT_COMMON | {"default_values"},
    8: _SELECT_COMMON | {"default_values", "channel_types"},
    9: frozenset({"type", "id", "components", "accessory"}),
    10: frozenset({"type", "id", "content"}),
    11: frozenset({"type", "id", "media", "description", "spoiler"}),
    12: frozenset({"type", "id", "items"}),
    13: frozenset({"type", "id", "file", "spoiler"}),
    14: frozenset({"type", "id", "divider", "spacing"}),
    17: frozenset({"type", "id", "components", "accent_color", "spoiler"}),
    18: frozenset({"type", "id", "label", "description", "component"}),
}
COMMAND_FIELDS = frozenset(
    {
        "name",
        "name_localizations",
        "description",
        "description_localizations",
        "options",
        "default_member_permissions",
        "dm_permission",
        "default_permission",
        "type",
        "nsfw",
        "contexts",
        "integration_types",
        "handler",
        "id",
    }
)
COMMAND_OPTION_FIELDS = frozenset(
    {
        "type",
        "name",
        "name_localizations",
        "description",
        "description_localizations",
        "required",
        "choices",
        "options",
        "channel_types",
        "min_value",
        "max_value",
        "min_length",
        "max_length",
        "autocomplete",
    }
)
CHOICE_FIELDS = frozenset({"name", "name_localizations", "value"})

SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2


def unknown_fields(obj: Any, known: Iterable[str], where: str) -> list[str]:
    if not isinstance(obj, dict):
        return []
    extra = sorted(set(obj) - set(known))
    return [f"{where}: unknown field(s) {extra}"] if extra else []


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _check_max(value: Any, limit: int, where: str, *, min_len: int = 0) -> list[str]:
    if value is None:
        return [f"{where}: required"] if min_len else []
    if not isinstance(value, str):
        return [f"{where}: expected a string, got {type(value).__name__}"]
    if len(value) > limit:
        return [f"{where}: {len(value)} characters, limit {limit}"]
    if len(value) < min_len:
        return [f"{where}: {len(value)} characters, minimum {min_len}"]
    return []


# --------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------


def embed_characters(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts towards the 6000 per-message total."""
    total = _length(embed.get("title")) + _length(embed.get("description"))
    for f in embed.get("fields") or []:
        if isinstance(f, dict):
            total += _length(f.get("name")) + _length(f.get("value"))
    footer = embed.get("footer")
    if isinstance(footer, dict):
        total += _length(footer.get("text"))
    author = embed.get("author")
    if isinstance(author, dict):
        total += _length(author.get("name"))
    return total


def check_embeds(embeds: Any, where: str) -> list[str]:
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [f"{where}: embeds must be a list"]
    problems: list[str] = []
    if len(embeds) > 10:
        problems.append(f"{where}: {len(embeds)} embeds, limit 10")
    total = 0
    for i, embed in enumerate(embeds):
        at = f"{where}.embeds[{i}]"
        if not isinstance(embed, dict):
            problems.append(f"{at}: not an object")
            continue
        problems += unknown_fields(embed, EMBED_FIELDS, at)
        if embed.get("type", "rich") != "rich":
            problems.append(f"{at}: bots may only send type 'rich', got {embed.get('type')!r}")
        problems += _check_max(embed.get("title"), 256, f"{at}.title")
        problems += _check_max(embed.get("description"), 4096, f"{at}.description")
        for key, known in EMBED_SUB_FIELDS.items():
            problems += unknown_fields(embed.get(key), known, f"{at}.{key}")
        footer = embed.get("footer")
        if isinstance(footer, dict):
            problems += _check_max(footer.get("text"), 2048, f"{at}.footer.text", min_len=1)
        author = embed.get("author")
        if isinstance(author, dict):
            problems += _check_max(author.get("name"), 256, f"{at}.author.name", min_len=1)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"{at}: {len(fields)} fields, limit 25")
        for j, f in enumerate(fields):
            fat = f"{at}.fields[{j}]"
            problems += unknown_fields(f, EMBED_FIELD_FIELDS, fat)
            if isinstance(f, dict):
                # Discord rejects empty names/values ("Must be 1 or more in length").
                problems += _check_max(f.get("name"), 256, f"{fat}.name", min_len=1)
                problems += _check_max(f.get("value"), 1024, f"{fat}.value", min_len=1)
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            problems.append(f"{at}.color: {color!r} is not in 0..0xFFFFFF")
        total += embed_characters(embed)
    if total > 6000:
        problems.append(f"{where}: embeds total {total} characters, limit 6000")
    return problems


def _walk_components(components: list[Any]) -> Iterable[dict[str, Any]]:
    for comp in components:
        if not isinstance(comp, dict):
            continue
        yield comp
        children = comp.get("components")
        if isinstance(children, list):
            yield from _walk_components(children)
        accessory = comp.get("accessory")
        if isinstance(accessory, dict):
            yield accessory
        single = comp.get("component")
        if isinstance(single, dict):
            yield single


def _check_interactive(comp: dict[str, Any], at: str, seen_ids: set[str]) -> list[str]:
    problems: list[str] = []
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if ctype == 2:
        style = comp.get("style")
        if style == 5:
            if not comp.get("url"):
                problems.append(f"{at}: link button without url")
            if custom_id is not None:
                problems.append(f"{at}: link button must not have custom_id")
            return problems
        if style == 6:
            return problems if comp.get("sku_id") else [f"{at}: premium button without sku_id"]
        if style not in (1, 2, 3, 4):
            problems.append(f"{at}: unknown button style {style!r}")
        if not comp.get("label") and not comp.get("emoji"):
            problems.append(f"{at}: button needs a label or an emoji")
        problems += _check_max(comp.get("label"), 80, f"{at}.label")
    if ctype in SELECT_TYPES:
        problems += _check_max(comp.get("placeholder"), 150, f"{at}.placeholder")
        min_values = comp.get("min_values", 1)
        max_values = comp.get("max_values", 1)
        if not (0 <= min_values <= 25) or not (1 <= max_values <= 25) or min_values > max_values:
            problems.append(f"{at}: min_values {min_values} / max_values {max_values} out of range")
        if ctype == 3:
            options = comp.get("options") or []
            if not 1 <= len(options) <= 25:
                problems.append(f"{at}: {len(options)} select options, allowed 1..25")
            if max_values > len(options):
                problems.append(f"{at}: max_values {max_values} exceeds {len(options)} options")
            values: set[Any] = set()
            for k, option in enumerate(options):
                oat = f"{at}.options[{k}]"
                problems += unknown_fields(option, SELECT_OPTION_FIELDS, oat)
                if isinstance(option, dict):
                    problems += _check_max(option.get("label"), 100, f"{oat}.label", min_len=1)
                    problems += _check_max(option.get("value"), 100, f"{oat}.value", min_len=1)
                    problems += _check_max(option.get("description"), 100, f"{oat}.description")
                    if option.get("value") in values:
                        problems.append(f"{oat}: duplicate value {option.get('value')!r}")
                    values.add(option.get("value"))
    if ctype == 2 or ctype in SELECT_TYPES or ctype == 4:
        problems += _check_max(custom_id, 100, f"{at}.custom_id", min_len=1)
        if isinstance(custom_id, str):
            if custom_id in seen_ids:
                problems.append(f"{at}: duplicate custom_id {custom_id!r}")
            seen_ids.add(custom_id)
    return problems


def check_components(components: Any, where: str, flags: int = 0) -> list[str]:
    if components is None:
        return []
    if not isinstance(components, list):
        return [f"{where}: components must be a list"]
    problems: list[str] = []
    seen_ids: set[str] = set()
    v2 = bool(flags & FLAG_IS_COMPONENTS_V2)
    if v2:
        count = sum(1 for _ in _walk_components(components))
        if count > 40:
            problems.append(f"{where}: {count} components in total, limit 40 (components v2)")
    elif len(components) > 5:
        problems.append(f"{where}: {len(components)} action rows, limit 5")
    for i, row in enumerate(components):
        at = f"{where}.components[{i}]"
        if not isinstance(row, dict):
            problems.append(f"{at}: not an object")
            continue
        if not v2 and row.get("type") != 1:
            problems.append(f"{at}: top-level component must be an action row (type 1), got {row.get('type')!r}")
        if row.get("type") == 1:
            children = row.get("components") or []
            types = [c.get("type") for c in children if isinstance(c, dict)]
            if not children:
                problems.append(f"{at}: empty action row")
            elif any(t in SELECT_TYPES for t in types) and len(children) != 1:
                problems.append(f"{at}: a select menu must be alone in its action row")
            elif len(children) > 5:
                problems.append(f"{at}: {len(children)} components in one action row, limit 5")
    for j, comp in enumerate(_walk_components(components)):
        at = f"{where}.component#{j}(type {comp.get('type')})"
        known = COMPONENT_FIELDS.get(comp.get("type"))  # type: ignore[arg-type]
        if known is None:
            problems.append(f"{at}: unknown component type {comp.get('type')!r}")
            continue
        problems += unknown_fields(comp, known, at)
        problems += _check_interactive(comp, at, seen_ids)
    return problems


def check_allowed_mentions(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    problems = unknown_fields(value, ALLOWED_MENTIONS_FIELDS, f"{where}.allowed_mentions")
    if isinstance(value, dict):
        parse = value.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and value.get(kind):
                # Discord answers 400 "parse:[users] and users: [ids] are mutually exclusive".
                problems.append(f"{where}.allowed_mentions: parse {kind!r} together with a {kind} list")
    return problems


def check_message_body(
    body: Any, where: str, known: frozenset[str], *, require_content: bool, flags_default: int = 0
) -> list[str]:
    """Limits for anything that creates or edits a message (channel, webhook, interaction callback)."""
    if not isinstance(body, dict):
        return [f"{where}: body is not a JSON object"]
    problems = unknown_fields(body, known, where)
    problems += _check_max(body.get("content"), 2000, f"{where}.content")
    problems += check_embeds(body.get("embeds"), where)
    flags = body.get("flags") if isinstance(body.get("flags"), int) else flags_default
    problems += check_components(body.get("components"), where, flags or 0)
    problems += check_allowed_mentions(body.get("allowed_mentions"), where)
    if flags and flags & FLAG_IS_COMPONENTS_V2 and (body.get("content") or body.get("embeds")):
        problems.append(f"{where}: IS_COMPONENTS_V2 messages cannot have content or embeds")
    if require_content and not any(
        body.get(key) for key in ("content", "embeds", "components", "attachments", "sticker_ids", "poll")
    ):
        problems.append(f"{where}: empty message (Discord answers 50006 Cannot send an empty message)")
    return problems


# --------------------------------------------------------------------------------------------------
# Autocomplete and commands
# --------------------------------------------------------------------------------------------------


def check_autocomplete(data: Any, where: str) -> list[str]:
    if not isinstance(data, dict):
        return [f"{where}: autocomplete callback without data"]
    problems = unknown_fields(data, AUTOCOMPLETE_DATA_FIELDS, where)
    choices = data.get("choices")
    if not isinstance(choices, list):
        return [*problems, f"{where}.choices: missing"]
    if len(choices) > 25:
        problems.append(f"{where}: {len(choices)} autocomplete choices, limit 25")
    for i, choice in enumerate(choices):
        at = f"{where}.choices[{i}]"
        problems += unknown_fields(choice, CHOICE_FIELDS, at)
        if isinstance(choice, dict):
            problems += _check_max(choice.get("name"), 100, f"{at}.name", min_len=1)
            if isinstance(choice.get("value"), str):
                problems += _check_max(choice.get("value"), 100, f"{at}.value", min_len=1)
    return problems


def _command_chars(obj: Mapping[str, Any]) -> int:
    total = _length(obj.get("name")) + _length(obj.get("description"))
    for choice in obj.get("choices") or []:
        if isinstance(choice, dict):
            total += _length(choice.get("name")) + len(str(choice.get("value", "")))
    for option in obj.get("options") or []:
        if isinstance(option, dict):
            total += _command_chars(option)
    return total


def _check_options(options: Any, where: str, depth: int) -> list[str]:
    if options is None:
        return []
    if not isinstance(options, list):
        return [f"{where}.options: must be a list"]
    problems: list[str] = []
    if len(options) > 25:
        problems.append(f"{where}: {len(options)} options, limit 25")
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options if isinstance(o, dict)}
    if len(kinds) > 1:
        problems.append(f"{where}: mixes subcommands with plain options")
    for i, option in enumerate(options):
        at = f"{where}.options[{i}]"
        if not isinstance(option, dict):
            problems.append(f"{at}: not an object")
            continue
        at = f"{where}.options[{option.get('name', i)}]"
        problems += unknown_fields(option, COMMAND_OPTION_FIELDS, at)
        name = option.get("name")
        if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != name.lower():
            problems.append(f"{at}.name: {name!r} must match ^[-_\\w]{{1,32}}$ and be lower case")
        elif name in names:
            problems.append(f"{at}.name: duplicate option name")
        names.add(str(name))
        problems += _check_max(option.get("description"), 100, f"{at}.description", min_len=1)
        otype = option.get("type")
        if otype == SUB_COMMAND_GROUP:
            if depth > 0:
                problems.append(f"{at}: subcommand group nested too deep")
            if any(isinstance(o, dict) and o.get("type") != SUB_COMMAND for o in option.get("options") or []):
                problems.append(f"{at}: a subcommand group may only contain subcommands")
            problems += _check_options(option.get("options"), at, depth + 1)
        elif otype == SUB_COMMAND:
            problems += _check_options(option.get("options"), at, depth + 1)
        else:
            if option.get("required"):
                if seen_optional:
                    problems.append(f"{at}: required option after an optional one")
            else:
                seen_optional = True
            choices = option.get("choices")
            if choices:
                if option.get("autocomplete"):
                    problems.append(f"{at}: autocomplete and choices are mutually exclusive")
                if len(choices) > 25:
                    problems.append(f"{at}: {len(choices)} choices, limit 25")
                for j, choice in enumerate(choices):
                    problems += unknown_fields(choice, CHOICE_FIELDS, f"{at}.choices[{j}]")
                    if isinstance(choice, dict):
                        problems += _check_max(choice.get("name"), 100, f"{at}.choices[{j}].name", min_len=1)
    return problems


def check_commands(commands: Any, where: str) -> list[str]:
    """A bulk overwrite (PUT .../commands) body."""
    if not isinstance(commands, list):
        return [f"{where}: body must be a list of commands"]
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            problems.append(f"{where}[{i}]: not an object")
            continue
        problems += check_command(command, f"{where}[{command.get('name', i)}]")
        key = (command.get("type", 1), str(command.get("name")))
        if key in seen:
            problems.append(f"{where}: duplicate command {key[1]!r} of type {key[0]}")
        seen.add(key)
    chat_input = sum(1 for c in commands if isinstance(c, dict) and c.get("type", 1) == 1)
    if chat_input > 100:
        problems.append(f"{where}: {chat_input} slash commands, limit 100")
    return problems


def check_command(command: Mapping[str, Any], where: str) -> list[str]:
    problems = unknown_fields(command, COMMAND_FIELDS, where)
    ctype = command.get("type", 1)
    name = command.get("name")
    if ctype == 1:
        if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != name.lower():
            problems.append(f"{where}.name: {name!r} must match ^[-_\\w]{{1,32}}$ and be lower case")
        problems += _check_max(command.get("description"), 100, f"{where}.description", min_len=1)
        problems += _check_options(command.get("options"), where, 0)
        chars = _command_chars(command)
        if chars > 4000:
            problems.append(f"{where}: {chars} characters in names/descriptions/choices, limit 4000")
    else:
        # User and message context menus: free-form names, no description, no options.
        problems += _check_max(name, 32, f"{where}.name", min_len=1)
        if command.get("description"):
            problems.append(f"{where}: context menu commands must have an empty description")
        if command.get("options"):
            problems.append(f"{where}: context menu commands cannot have options")
    return problems
