"""The core's input boundary: what people type is cleaned here before any of it reaches the store.

Front ends pass text as typed; each use case that takes it is marked `@user_input`,
which gives it the same text on every back end (see `storage.records.storable_text`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from storage.records import storable_text

P = ParamSpec("P")
R = TypeVar("R")


def clean(value: Any) -> Any:
    """Text made storable; a request dataclass with each of its text fields made storable; else as is."""
    if isinstance(value, str):
        return storable_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: storable_text(text)
            for f in dataclasses.fields(value)
            if isinstance(text := getattr(value, f.name), str) and text != storable_text(text)
        }
        return dataclasses.replace(value, **changes) if changes else value
    return value


def user_input(use_case: Callable[P, R]) -> Callable[P, R]:
    """Mark a use case that takes typed text: its text arguments arrive cleaned."""

    @functools.wraps(use_case)
    def cleaned(*args: P.args, **kwargs: P.kwargs) -> R:
        return use_case(*(clean(a) for a in args), **{k: clean(v) for k, v in kwargs.items()})

    return cleaned
