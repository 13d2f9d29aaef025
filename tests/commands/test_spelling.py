"""Spelling suggestions keep the query as typed and change only the words the corpus does not know."""

from __future__ import annotations

from collections import Counter

import pytest

from commands.spelling import Vocabulary, suggest

VOCABULARY = Vocabulary(
    Counter({"sunbeds": 5, "tanning": 4, "canning": 9, "tabloid": 3, "referendum": 7}), ["Mike O'Brien"]
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sunbeds OR tanning", None),
        ("sunbeds OR taning", "sunbeds OR tanning"),
        ('"tabliod" -sunbedz', '"tabloid" -sunbedz'),
        ('-"tabliod sunbeds" tanning', None),
        ("référendum", None),
        ("Référendumm", "referendum"),
        ("o'brien", None),
        ("o'brein", "o'brien"),
        ("o’brein sunbds", "o’brien sunbeds"),
    ],
)
def test_suggestions_keep_the_structure_and_apostrophes(typed: str, expected: str | None) -> None:
    assert suggest(typed, VOCABULARY) == expected


def test_an_empty_vocabulary_suggests_nothing() -> None:
    assert suggest("anything", Vocabulary()) is None
