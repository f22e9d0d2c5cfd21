"""Norwegian alphabetical order, the same on every database: a–z, then æ, ø, å. Letters with
accents (the Sami á, č, đ, ŋ, š, ŧ, ž) sort with their base letter. And a forgiving search
key, so that "gaivuotna" finds "Gáivuotna" and "tromso" finds "Tromsø"."""

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


_FOLD = {"æ": "ae", "ä": "a", "ø": "o", "ö": "o", "đ": "d", "ŋ": "n", "ŧ": "t", "ß": "ss"}


def search_key(text: str) -> str:
    """Case- and accent-insensitive form for matching (never for sorting): letters lose their
    accents (á → a, å → a, ø → o), whitespace is collapsed."""
    folded = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.combining(char):
            continue
        folded.append(_FOLD.get(char, char))
    return " ".join("".join(folded).split())
