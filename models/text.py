"""Text from the user's files, made safe to print on one line of a terminal."""

from __future__ import annotations

import re

# C0 and C1 controls and DEL (newlines, escape sequences, ...), the Unicode line and
# paragraph separators, and the bidirectional marks, embeddings, overrides and isolates
# (which reorder what a terminal shows). Ordinary Unicode (accents, CJK, emoji, the
# zero-width joiner of emoji sequences) is left alone.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape, as Python writes it.

    ``"P1\\n\\x1b[31m"`` (a newline and a colour change) becomes the visible
    ``P1\\n\\x1b[31m``, so a problem stays one line and nothing reaches a terminal
    as a control sequence. Backslashes are kept as they are, so escaping twice
    changes nothing.
    """
    return _UNPRINTABLE.sub(_escape, text)
