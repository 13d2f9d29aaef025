"""What a test holds after it has made a user invoke something: an `InteractionHandle`.

The handle follows one interaction through Discord's life cycle (callback within 3 s, then edits
and follow-ups through the webhook token) and answers the question a test usually has: what does
the user see now?
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import FakeUser

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

# Interaction types.
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Callback types.
PONG = 1
CHANNEL_MESSAGE_WITH_SOURCE = 4
DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
MODAL = 9

# Which callbacks Discord accepts for which interaction.
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    PING: frozenset({PONG}),
    APPLICATION_COMMAND: frozenset({CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, MODAL}),
    MESSAGE_COMPONENT: frozenset(
        {
            CHANNEL_MESSAGE_WITH_SOURCE,
            DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
            DEFERRED_UPDATE_MESSAGE,
            UPDATE_MESSAGE,
            MODAL,
        }
    ),
    APPLICATION_COMMAND_AUTOCOMPLETE: frozenset({APPLICATION_COMMAND_AUTOCOMPLETE_RESULT}),
    MODAL_SUBMIT: frozenset(
        {CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
    ),
}


@dataclass(eq=False)
class InteractionHandle:
    emulator: DiscordEmulator
    id: int
    token: str
    type: int
    payload: dict[str, Any]
    user: FakeUser
    guild_id: int | None
    channel_id: int
    created_at: float
    # For component interactions: the message the component sits on.
    source_message_id: int | None = None
    callback: dict[str, Any] | None = None
    callback_at: float | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    original_edits: int = 0
    original_deleted: bool = False
    no_response_expected: bool = False

    def __repr__(self) -> str:
        name = (self.payload.get("data") or {}).get("name") or (self.payload.get("data") or {}).get("custom_id")
        return f"<InteractionHandle id={self.id} type={self.type} {name!r} callback={self.callback_type}>"

    # ------------------------------------------------------------------ state

    @property
    def callback_type(self) -> int | None:
        return None if self.callback is None else self.callback.get("type")

    @property
    def latency(self) -> float | None:
        """Seconds from INTERACTION_CREATE to the callback (Discord allows 3)."""
        if self.callback_at is None:
            return None
        return self.callback_at - self.created_at

    @property
    def data(self) -> dict[str, Any]:
        """The callback's `data` (message body, autocomplete choices...), or {}."""
        if self.callback is None:
            return {}
        return dict(self.callback.get("data") or {})

    @property
    def deferred(self) -> bool:
        return self.callback_type in (DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_UPDATE_MESSAGE)

    @property
    def ephemeral(self) -> bool:
        message = self.final_message()
        return bool(message and message["flags"] & 64)

    @property
    def followups(self) -> list[dict[str, Any]]:
        """Current state of every follow-up message, in the order they were sent."""
        out = []
        for mid in self.followup_ids:
            stored = self.emulator.messages.get(mid)
            if stored is not None and not stored.deleted:
                out.append(copy.deepcopy(stored.payload))
        return out

    def final_message(self) -> dict[str, Any] | None:
        """The original response as the user now sees it (after edits), or None if there is none."""
        if self.original_message_id is None or self.original_deleted:
            return None
        stored = self.emulator.messages.get(self.original_message_id)
        if stored is None or stored.deleted:
            return None
        return copy.deepcopy(stored.payload)

    def messages(self) -> list[dict[str, Any]]:
        """Everything this interaction made visible: the original response and the follow-ups."""
        original = self.final_message()
        rest = [m for m in self.followups if original is None or m["id"] != original["id"]]
        return ([original] if original else []) + rest

    def allow_no_response(self) -> None:
        """Mark an interaction the bot is *meant* to ignore, so teardown does not flag it."""
        self.no_response_expected = True

    # ------------------------------------------------------------------ waiting

    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the callback and return its body ({"type": ..., "data": ...})."""
        await self.emulator.wait_until(lambda: self.callback is not None, timeout, f"a callback to {self!r}")
        assert self.callback is not None
        return copy.deepcopy(self.callback)

    async def choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """For an autocomplete interaction: the choices the bot offered."""
        body = await self.response(timeout)
        if body.get("type") != APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            raise AssertionError(f"expected an autocomplete result, got callback type {body.get('type')}")
        return list((body.get("data") or {}).get("choices") or [])

    async def wait_for_followup(self, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until at least `count` follow-ups were sent; return the `count`-th one."""
        await self.emulator.wait_until(
            lambda: len(self.followup_ids) >= count, timeout, f"follow-up #{count} to {self!r}"
        )
        return self.followups[count - 1]

    async def wait_for_edit(self, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the original response was edited at least `count` times; return it as it is now."""
        await self.emulator.wait_until(
            lambda: self.original_edits >= count, timeout, f"edit #{count} of the original response of {self!r}"
        )
        message = self.final_message()
        if message is None:
            raise AssertionError("the original response was deleted")
        return message

    async def wait_for_message(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the user sees a finished answer (not a "thinking..." placeholder) and return it."""

        def settled() -> bool:
            message = self.final_message()
            return message is not None and not message["flags"] & 128

        await self.emulator.wait_until(settled, timeout, f"a finished reply to {self!r}")
        message = self.final_message()
        assert message is not None
        return message
