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
    rationale="Zero-width spaces and joiners between the letters of a word ('Pa\\u200byPal', 'ver\\u200bify') "
    "render as the word to a person but not to a keyword filter. Legitimate mail uses them as invisible "
    "padding between words, or inside scripts that need joiners, never inside Latin words.",
    attack=("T1027", "T1566"),
)

# Latin letters on both sides: joiners between letters of Arabic or Indic scripts are how those scripts are written.
_SPLIT_WORD = re.compile(r"[A-Za-z][\u200b\u200c\u200d\u2060\ufeff\u180e]+(?=[A-Za-z])")
MIN_SPLITS = 3
MAX_SCAN = 50_000


def check(message: Message, context: MailContext) -> list[Finding]:
    text = message.subject + "\n" + message.text[:MAX_SCAN]
    if not any(ch in text for ch in "\u200b\u200c\u200d\u2060\ufeff\u180e"):
        return []
    splits = list(_SPLIT_WORD.finditer(text))
    if len(splits) < MIN_SPLITS:
        return []
    first = splits[0]
    shown = text[max(0, first.start() - 20) : first.end() + 20].encode("unicode_escape").decode("ascii")
    return [RULE.finding(f"{len(splits)} words broken by invisible characters", [at(message, "body", shown)])]
