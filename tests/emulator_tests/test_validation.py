"""The emulator's validator on its own: the OpenAPI layer, and the limits and field names it adds."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.emulator import validation as v


@pytest.fixture(scope="module")
def spec() -> v.OpenAPISpec:
    return v.load_spec()


CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


def test_spec_is_loaded_once() -> None:
    assert v.load_spec() is v.load_spec()


def test_valid_discord_py_bodies_pass(spec: v.OpenAPISpec) -> None:
    # Shapes discord.py really sends, including its integer snowflakes and embed extras.
    reply = {
        "type": 4,
        "data": {
            "tts": False,
            "content": "hello",
            "embeds": [{"type": "rich", "flags": 0, "title": "T", "description": "D", "color": 30634}],
            "allowed_mentions": {"parse": [], "users": [123], "replied_user": False},
            "attachments": [{"id": 0, "filename": "a.txt"}],
        },
    }
    assert spec.validate_request(CALLBACK, "POST", reply) == []
    assert v.check_message_body(reply["data"], "cb", v.CALLBACK_MESSAGE_FIELDS, require_content=True) == []


def test_callback_union_is_split_by_type(spec: v.OpenAPISpec) -> None:
    too_long = {"type": 4, "data": {"content": "x" * 2001}}
    assert spec.validate_request(CALLBACK, "POST", too_long) == ["$.data.content: length 2001 breaks maxLength 2000"]

    autocomplete = {"type": 8, "data": {"choices": [{"name": "", "value": "a"}]}}
    [problem] = spec.validate_request(CALLBACK, "POST", autocomplete)
    assert problem.startswith("$.data.choices[0].name")

    assert spec.validate_request(CALLBACK, "POST", {"type": 99}) != []


def test_embed_title_too_long_is_caught_by_both_layers(spec: v.OpenAPISpec) -> None:
    body = {"embeds": [{"title": "t" * 300}]}
    assert spec.validate_request("/channels/{channel_id}/messages", "POST", body) == [
        "$.embeds[0].title: length 300 breaks maxLength 256"
    ]
    assert v.check_embeds(body["embeds"], "msg") == ["msg.embeds[0].title: 300 characters, limit 256"]


def test_misspelt_field_passes_the_spec_but_not_the_known_fields(spec: v.OpenAPISpec) -> None:
    body = {"content": "x", "embeds": [{"titel": "typo", "footer": {"txt": "f"}}], "ephemeral": True}
    assert spec.validate_request("/channels/{channel_id}/messages", "POST", body) == []
    problems = v.check_message_body(body, "msg", v.MESSAGE_CREATE_FIELDS, require_content=True)
    assert "msg: unknown field(s) ['ephemeral']" in problems
    assert "msg.embeds[0]: unknown field(s) ['titel']" in problems
    assert "msg.embeds[0].footer: unknown field(s) ['txt']" in problems


def test_embed_limits_the_spec_does_not_know() -> None:
    two_big = [{"description": "d" * 4000}, {"description": "d" * 2500}]
    assert v.check_embeds(two_big, "m") == ["m: embeds total 6500 characters, limit 6000"]
    fields = [{"name": "n", "value": "v"}] * 26
    assert "m.embeds[0]: 26 fields, limit 25" in v.check_embeds([{"fields": fields}], "m")
    bad_field = [{"fields": [{"name": "", "value": "v" * 1025}]}]
    assert v.check_embeds(bad_field, "m") == [
        "m.embeds[0].fields[0].name: 0 characters, minimum 1",
        "m.embeds[0].fields[0].value: 1025 characters, limit 1024",
    ]
    assert v.check_embeds([{}] * 11, "m") == ["m: 11 embeds, limit 10"]
    assert v.check_embeds([{"footer": {"text": "f" * 2049}, "author": {"name": "a" * 257}}], "m") == [
        "m.embeds[0].footer.text: 2049 characters, limit 2048",
        "m.embeds[0].author.name: 257 characters, limit 256",
    ]


def _button(custom_id: str, **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "B", "custom_id": custom_id, **extra}


def test_component_limits() -> None:
    def row(*items: dict[str, Any]) -> dict[str, Any]:
        return {"type": 1, "components": list(items)}

    assert v.check_components([row(_button("a"))], "m") == []
    six_rows = [row(_button(str(i))) for i in range(6)]
    assert "m: 6 action rows, limit 5" in v.check_components(six_rows, "m")
    six_buttons = [row(*[_button(str(i)) for i in range(6)])]
    assert "m.components[0]: 6 components in one action row, limit 5" in v.check_components(six_buttons, "m")
    select = {"type": 3, "custom_id": "s", "options": [{"label": "l", "value": "v"}]}
    mixed = v.check_components([row(select, _button("b"))], "m")
    assert "m.components[0]: a select menu must be alone in its action row" in mixed
    assert any("custom_id: 101 characters" in p for p in v.check_components([row(_button("x" * 101))], "m"))
    assert any("duplicate custom_id" in p for p in v.check_components([row(_button("a"), _button("a"))], "m"))
    link = {"type": 2, "style": 5, "label": "L"}
    assert any("link button without url" in p for p in v.check_components([row(link)], "m"))
    many = {"type": 3, "custom_id": "s", "options": [{"label": str(i), "value": str(i)} for i in range(26)]}
    assert any("26 select options" in p for p in v.check_components([row(many)], "m"))
    assert any("unknown field(s) ['lable']" in p for p in v.check_components([row(_button("a", lable="x"))], "m"))


def test_autocomplete_limits() -> None:
    ok = {"choices": [{"name": "n", "value": "v"}]}
    assert v.check_autocomplete(ok, "ac") == []
    many = {"choices": [{"name": str(i), "value": str(i)} for i in range(26)]}
    assert v.check_autocomplete(many, "ac") == ["ac: 26 autocomplete choices, limit 25"]
    long_name = {"choices": [{"name": "n" * 101, "value": "v"}]}
    assert v.check_autocomplete(long_name, "ac") == ["ac.choices[0].name: 101 characters, limit 100"]


def test_command_rules() -> None:
    good = {
        "name": "search",
        "description": "Search debates",
        "type": 1,
        "options": [
            {"type": 3, "name": "query", "description": "What", "required": True, "autocomplete": True},
            {"type": 4, "name": "limit", "description": "How many", "required": False},
        ],
    }
    assert v.check_commands([good], "c") == []
    assert any("must match" in p for p in v.check_commands([{**good, "name": "Search"}], "c"))
    assert any("101 characters" in p for p in v.check_commands([{**good, "description": "d" * 101}], "c"))
    options = [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]
    assert any("26 options, limit 25" in p for p in v.check_commands([{**good, "options": options}], "c"))
    order = [
        {"type": 3, "name": "a", "description": "d"},
        {"type": 3, "name": "b", "description": "d", "required": True},
    ]
    assert any("required option after an optional" in p for p in v.check_commands([{**good, "options": order}], "c"))
    assert any("duplicate command" in p for p in v.check_commands([good, good], "c"))
    nested = {"type": 2, "name": "g", "description": "d", "options": [{"type": 2, "name": "h", "description": "d"}]}
    assert any("only contain subcommands" in p for p in v.check_commands([{**good, "options": [nested]}], "c"))
    choices = [{"name": "c" * 100, "value": str(i)} for i in range(2)]
    big = [{"type": 3, "name": f"o{i}", "description": "d" * 100, "choices": choices} for i in range(25)]
    huge = {**good, "options": big}
    assert any("limit 4000" in p for p in v.check_commands([huge], "c"))
    menu = {"name": "Quote This", "type": 3, "description": ""}
    assert v.check_commands([menu], "c") == []


def test_validation_is_fast_once_warm(spec: v.OpenAPISpec) -> None:
    body = {
        "type": 4,
        "data": {
            "content": "x" * 500,
            "embeds": [{"title": "t", "description": "d" * 1000, "fields": [{"name": "n", "value": "v"}] * 10}],
            "components": [{"type": 1, "components": [_button(str(i)) for i in range(5)]}],
        },
    }
    spec.validate_request(CALLBACK, "POST", body)
    start = time.perf_counter()
    for _ in range(100):
        assert spec.validate_request(CALLBACK, "POST", body) == []
    assert (time.perf_counter() - start) / 100 < 0.02
