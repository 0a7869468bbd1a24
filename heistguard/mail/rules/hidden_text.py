"""mail.hidden-text: invisible characters inside words, which break up a brand or a phrase so filters miss it."""

from __future__ import annotations

import re

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.hidden-text",
    severity=Severity.LOW,
    title="invisible characters inside words",
    rationale="Zero-width spaces and joiners, and direction marks and isolates, between the letters of a word "
    "('Pa\\u200byPal', 'V\\u2069e\\u2069rify') render as the word to a person but not to a keyword filter. "
    "Legitimate mail uses them as invisible padding between words, inside scripts that need joiners, or at "
    "the edge of right-to-left text, never inside Latin words.",
    attack=("T1027", "T1566"),
)

# Invisible format characters: zero-width space / joiners, direction marks, embeddings and isolates, word joiner
# and invisible operators, BOM, Mongolian vowel separator, combining grapheme joiner. The soft hyphen is left
# out: templates put it inside long words as a hyphenation hint.
_INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff\u180e\u034f"
)
# Latin letters on both sides: joiners between letters of Arabic or Indic scripts are how those scripts are written.
_SPLIT_WORD = re.compile(f"[A-Za-z][{_INVISIBLE}]+(?=[A-Za-z])")
MIN_SPLITS = 3
MAX_SCAN = 50_000


def check(message: Message, context: MailContext) -> list[Finding]:
    text = message.subject + "\n" + message.text[:MAX_SCAN]
    if not any(ch in text for ch in _INVISIBLE):
        return []
    splits = list(_SPLIT_WORD.finditer(text))
    if len(splits) < MIN_SPLITS:
        return []
    first = splits[0]
    shown = text[max(0, first.start() - 20) : first.end() + 20].encode("unicode_escape").decode("ascii")
    return [RULE.finding(f"{len(splits)} words broken by invisible characters", [at(message, "body", shown)])]
