"""Shared shape of the lure-theme rules: count distinct phrases of a theme in the subject and body (English and
Japanese)."""

from __future__ import annotations

import re

from heistguard.mail.message import Message
from heistguard.mail.textscan import needs

MAX_SCAN = 10_000  # characters of body text read for themes (lures come early)


def phrases(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def hits(pattern: re.Pattern[str], message: Message) -> list[str]:
    """Distinct phrases of the theme found, in order of first appearance."""
    # Most messages hold none of the words a theme needs: a substring look-up rules them out before the regex.
    if not needs(pattern).may_match(message.folded_subject + "\n" + message.folded_text[:MAX_SCAN]):
        return []
    text = message.subject + "\n" + message.text[:MAX_SCAN]
    seen: dict[str, None] = {}
    for match in pattern.finditer(text):
        seen.setdefault(" ".join(match.group(0).lower().split()), None)
    return list(seen)
