""" "Did you mean": close words from the corpus for the words of a query that it does not know.

Words are compared without accents or case (``référendum`` is ``referendum``) and in
the pieces the full-text index sees (``O'Brien`` is ``o`` + ``brien``). A suggestion is
the query as the user typed it with only the unknown words replaced, so its structure
(``OR``, quotes, ``-exclusions``, apostrophes) is kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz, process
from storage.query import unaccented

# Words shorter than this are never corrected (and "OR" is syntax).
MIN_CORRECTED_LENGTH = 4
# How alike a correction must be (rapidfuzz ratio, 0-100).
CORRECTION_CUTOFF = 75.0
# A word met fewer times than this is not offered as a correction (typos in the data).
MIN_OCCURRENCES = 2

# A word as typed: letters, and apostrophes inside it ("o'brien", "Yarl’s").
_TYPED_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# The pieces the full-text index sees in it.
_PIECE = re.compile(r"[^\W\d_]+")
_QUOTE = re.compile(r'["“”„]')


def fold_word(word: str) -> str:
    """Lower case without accents: ``Référendum`` -> ``referendum``."""
    return unaccented(word).casefold()


def words_of(text: str) -> list[str]:
    """The folded word pieces of ``text``, as the vocabulary counts them."""
    return [fold_word(piece) for piece in _PIECE.findall(text)]


def count_words(texts: Iterable[str], min_length: int = 3) -> Counter[str]:
    """How often each folded word of at least ``min_length`` letters occurs in ``texts``."""
    raw: Counter[str] = Counter()
    for text in texts:
        raw.update(_PIECE.findall(text.lower()))
    # Fold each distinct word once, not each occurrence: the corpus repeats its words.
    counts: Counter[str] = Counter()
    for word, occurrences in raw.items():
        if len(word) >= min_length:
            counts[fold_word(word)] += occurrences
    return counts


class Vocabulary:
    """The words of the corpus (and of its names), folded, with how often each occurs."""

    def __init__(self, counts: Counter[str] | None = None, names: Iterable[str] = ()) -> None:
        self._counts: Counter[str] = Counter(counts or {})
        for name in names:
            # Names are words people search for even when only the speaker is called so.
            self._counts.update({word: MIN_OCCURRENCES for word in words_of(name)})
        self._choices = sorted(word for word, count in self._counts.items() if count >= MIN_OCCURRENCES)

    def __len__(self) -> int:
        return len(self._counts)

    def knows(self, word: str) -> bool:
        return fold_word(word) in self._counts

    def closest(self, word: str) -> str | None:
        """The most alike common word, or None when nothing is close enough."""
        if not self._choices:
            return None
        found = process.extractOne(fold_word(word), self._choices, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF)
        return found[0] if found else None


def _is_excluded(before: str) -> bool:
    """Whether the word after ``before`` is excluded: straight after "-", or inside -"..."."""
    if before.endswith("-"):
        return True
    if len(_QUOTE.findall(before)) % 2 == 0:
        return False  # not inside a phrase
    opening = max(before.rfind(quote) for quote in '"“”„')
    return opening > 0 and before[opening - 1] == "-"


def suggest(typed: str, vocabulary: Vocabulary) -> str | None:
    """``typed`` with each unknown word replaced by its closest known word; None if nothing changed.

    Excluded words (``-word``, ``-"a phrase"``) are left alone: correcting them cannot find more.
    """
    changed = False
    out: list[str] = []
    position = 0
    for match in _TYPED_WORD.finditer(typed):
        out.append(typed[position : match.start()])
        position = match.end()
        word = match.group()
        if word == "OR" or _is_excluded(typed[: match.start()]):
            out.append(word)
            continue
        pieces = word.replace("’", "'").split("'")
        fixed: list[str] = []
        for piece in pieces:
            replacement = piece
            if len(piece) >= MIN_CORRECTED_LENGTH and not vocabulary.knows(piece):
                closest = vocabulary.closest(piece)
                if closest is not None and closest != fold_word(piece):
                    replacement, changed = closest, True
            fixed.append(replacement)
        # Keep the apostrophe the user typed.
        apostrophe = "’" if "’" in word else "'"
        out.append(apostrophe.join(fixed))
    out.append(typed[position:])
    return "".join(out) if changed else None
