"""Shared shape of the lure-theme rules: count distinct phrases of a theme in the subject and body (English and
Japanese)."""

from __future__ import annotations

import re

from heistguard.mail.message import Message

MAX_SCAN = 10_000  # characters of body text read for themes (lures come early)


def phrases(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def hits(pattern: re.Pattern[str], message: Message) -> list[str]:
    """Distinct phrases of the theme found, in order of first appearance."""
    text = message.subject + "\n" + message.text[:MAX_SCAN]
    seen: dict[str, None] = {}
    for match in pattern.finditer(text):
        seen.setdefault(" ".join(match.group(0).lower().split()), None)
    return list(seen)
