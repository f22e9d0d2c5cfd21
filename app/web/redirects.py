"""Where the app may send a browser next: `safe_next()` is the one check every redirect target
passes (the sign-in page's `next`, the language switch's `next`, the sign-in redirect after a
401, and `Web.redirect` itself).

A target is a path on this site, nothing else. Browsers are generous readers of a Location
header: they drop tabs and newlines (`/\\t//evil.example` becomes `//evil.example`, another
host), read a backslash as a slash, and some map look-alike slashes (U+2215 ∕, U+2044 ⁄,
U+FF0F ／) to "/". A proxy or a later redirect may percent-decode once more. So a target is
refused, and the safe default used instead, whenever anything about it is doubtful, in the
form it came in or in any percent-decoded form of it; it is never repaired.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

#: Longer targets are refused: no page of the app has an address anywhere near this long.
MAX_TARGET_LENGTH = 2048
#: Percent-decoding is repeated until nothing changes; a target still changing after this
#: many rounds is refused.
_DECODING_ROUNDS = 5


def safe_next(value: object, default: str = "/app") -> str:
    """`value` when it is a path on this site — one "/", then anything but a slash or a
    backslash, in printable ASCII (other characters percent-encoded) — else `default`.
    Never raises, whatever `value` is."""
    if not isinstance(value, str) or not value or len(value) > MAX_TARGET_LENGTH:
        return default
    if not all("!" <= ch <= "~" and ch != "\\" for ch in value):
        return default  # controls, spaces, tabs, newlines, backslashes, any non-ASCII
    path, query = _split(value)
    if not _plain_path(path):
        return default
    decoded_path, decoded_query = path, query
    for _ in range(_DECODING_ROUNDS):
        next_path = unquote(decoded_path, errors="replace")
        next_query = unquote(decoded_query, errors="replace")
        if (next_path, next_query) == (decoded_path, decoded_query):
            return value
        decoded_path, decoded_query = next_path, next_query
        if not _plain_path(decoded_path) or not _plain_query(decoded_query):
            return default
    return default


def _split(value: str) -> tuple[str, str]:
    """The path, and the query and fragment after it."""
    cut = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=len(value))
    return value[:cut], value[cut:]


def _plain_path(path: str) -> bool:
    """Absolute, on this host, no empty or dot segments, only harmless characters."""
    if not path.startswith("/"):
        return False
    *inner, last = path[1:].split("/")
    if any(s in ("", ".", "..") for s in inner) or last in (".", ".."):
        return False  # "//host", "/.//host", "/a/../..//host"
    return all(_path_character(ch) for ch in path)


def _path_character(ch: str) -> bool:
    if "!" <= ch <= "~":
        return ch != "\\"
    # Beyond ASCII only letters, marks and digits of any script (ø, á, ŋ); never symbols or
    # punctuation, where the look-alike slashes are, nor spaces, controls or format marks.
    return ch != "\ufffd" and unicodedata.category(ch)[0] in "LMN"


def _plain_query(query: str) -> bool:
    """A decoded query may hold words with spaces, but no control or format character and
    nothing that was not valid UTF-8."""
    return all(
        ch == " " or (ch != "\ufffd" and unicodedata.category(ch) not in _REFUSED_IN_QUERY)
        for ch in query
    )


_REFUSED_IN_QUERY = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
