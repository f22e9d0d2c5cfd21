"""Norwegian alphabetical order, the same on every database: a–z, then æ, ø, å. Letters with
accents (the Sami á, č, đ, ŋ, š, ŧ, ž) sort with their base letter."""

from __future__ import annotations

import unicodedata

_AFTER_Z = {"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}", "đ": "d", "ŋ": "n", "ŧ": "t"}


def norwegian_key(text: str) -> str:
    key = []
    for char in text.casefold():
        if char in _AFTER_Z:
            key.append(_AFTER_Z[char])
            continue
        base = unicodedata.normalize("NFD", char)[0]
        key.append(base)
    return "".join(key)
