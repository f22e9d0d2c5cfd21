"""Text cells in the spreadsheets the app writes (CSV and XLSX), and in the CSV it reads back.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and some skip a
leading tab or carriage return before one (CSV or formula injection: `=HYPERLINK(…)` in a
comment becomes a link, worse in older programs). Every text cell the app writes goes through
`neutralise`, which keeps such text as text with a leading apostrophe — the mark a spreadsheet
user types for "this is text". Numbers and dates the app formats itself are written as they
are: they are ours, and a spreadsheet should read them as numbers.

`restore` undoes `neutralise` exactly, so a CSV the app wrote reads back unchanged through the
observation import: a comment "=2 fewer than planned" is exported as "'=2 fewer than planned"
and imported as "=2 fewer than planned". Text that already starts with apostrophes before
such a character gets one more apostrophe, so the two never mix: "'=x" is written "''=x" and
read back as "'=x". An apostrophe before anything else ("'90s") is neither added nor removed.
"""

from __future__ import annotations

#: What a spreadsheet may take for the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _marked(text: str) -> bool:
    """Starts with one or more apostrophes and then a formula trigger."""
    return text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """The text as a spreadsheet cell that is never run as a formula."""
    if text.startswith(FORMULA_TRIGGERS) or _marked(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The text `neutralise` was given (for text read from a CSV the app may have written)."""
    return text[1:] if _marked(text) else text
