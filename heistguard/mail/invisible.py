"""Characters a mail client draws as nothing, which break up a word for a filter but not for a reader.

One place for them, so that the hidden-text rule (which reports them) and the name matchers (which must see
through them) agree on what is invisible.
"""

from __future__ import annotations

import re
import sys
import unicodedata

# Zero-width space / joiners, direction marks, embeddings and isolates, word joiner and invisible operators,
# BOM, Mongolian vowel separator, combining grapheme joiner, variation selectors (both blocks) and tag
# characters, as (first, last) code points. The soft hyphen is left out: templates put it inside long words
# as a hyphenation hint.
_RANGES = (
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0xFEFF, 0xFEFF), (0x180E, 0x180E),
    (0x034F, 0x034F), (0xFE00, 0xFE0F), (0xE0000, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip
INVISIBLE_CLASS = "".join(f"{chr(first)}-{chr(last)}" for first, last in _RANGES)  # for a regex [...] class
_IN_BMP = "".join(chr(c) for first, last in _RANGES if last <= 0xFFFF for c in range(first, last + 1))
_BEYOND_BMP = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _RANGES if a > 0xFFFF) + "]")
# CPython stores a str that holds a character beyond the Basic Multilingual Plane 4 bytes a character (PEP 393),
# so its size tells, without a scan, whether the tag characters and the second block of selectors can be in it.
_WIDE_BASE = sys.getsizeof("\U00010000") - 4 * 2
_CPYTHON = sys.implementation.name == "cpython"
# Also dropped when a name is matched: the soft hyphen and Hangul fillers, blank glyphs that a display name
# can be padded with ("Bin\u00adance", "\u3164Support").
_DROPPED_FROM_NAMES = re.compile(f"[{INVISIBLE_CLASS}\u00ad\u115f\u1160\u3164\uffa0]")


def has_invisible(text: str) -> bool:
    """True when `text` holds one of the invisible characters; a substring test per character of the Basic
    Multilingual Plane (a scan in C), and a regex only over text that can hold the others."""
    if any(ch in text for ch in _IN_BMP):
        return True
    wide = not _CPYTHON or sys.getsizeof(text) == _WIDE_BASE + 4 * (len(text) + 1)
    return wide and _BEYOND_BMP.search(text) is not None


def shown(text: str) -> str:
    """`text` as a reader sees it: compatibility forms folded (fullwidth and mathematical letters, "𝐁𝐢𝐧𝐚𝐧𝐜𝐞"
    reads "Binance") and invisible characters dropped."""
    if text.isascii():
        return text
    return _DROPPED_FROM_NAMES.sub("", unicodedata.normalize("NFKC", text))
