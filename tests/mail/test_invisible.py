"""Invisible characters: the quick test agrees with a plain scan, and names are read as they show."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.mail.invisible import INVISIBLE_CLASS, has_invisible, shown

_SCAN = re.compile(f"[{INVISIBLE_CLASS}]")
# letters, emoji, the invisible characters of both planes and their neighbours just outside each range
_PIECES = st.sampled_from(
    ["a", "Z", " ", "é", "\u3042", "\U0001f600", "\u200a", "\u200b", "\u2069", "\u206a", "\ufe0f", "\ufe10",
     "\U000dffff", "\U000e0001", "\U000e007f", "\U000e0080", "\U000e0139", "\U000e01f0", "\U00010000"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_quick_test_agrees_with_a_scan_of_every_character(text: str) -> None:
    assert has_invisible(text) == (_SCAN.search(text) is not None)


def test_names_are_read_as_they_show() -> None:
    assert shown("Mi\U000e0139cr\U000e0139osoft") == "Microsoft"
    assert shown("\uff22\uff49\uff4e\uff41\uff4e\uff43\uff45") == "Binance"  # fullwidth
    assert shown("Le\u200bdger\u00ad Live") == "Ledger Live"
    assert shown("Coinbase") == "Coinbase"
