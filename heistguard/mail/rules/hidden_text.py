"""mail.hidden-text: invisible characters inside words, which break up a brand or a phrase so filters miss it."""

from __future__ import annotations

import re

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.invisible import INVISIBLE_CLASS, has_invisible
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.hidden-text",
    severity=Severity.LOW,
    title="invisible characters inside words",
    rationale="Zero-width spaces and joiners, direction marks and isolates, variation selectors and tag "
    "characters between the letters of a word ('Pa\\u200byPal', 'V\\u2069e\\u2069rify') render as the word to "
    "a person but not to a keyword filter. Legitimate mail uses them as invisible padding between words, inside "
    "scripts that need joiners, after an emoji, or at the edge of right-to-left text, never inside Latin words; "
    "and no honest sender breaks up its own display name with them.",
    attack=("T1027", "T1566"),
)

# Latin letters on both sides: joiners between letters of Arabic or Indic scripts are how those scripts are written.
_SPLIT_WORD = re.compile(f"[A-Za-z][{INVISIBLE_CLASS}]+(?=[A-Za-z])")
MIN_SPLITS = 3  # in the subject and body, where one stray character can come from a copy and paste
MIN_SPLITS_IN_NAME = 2  # in the From display name, which its owner types once and every message repeats
MAX_SCAN = 50_000


def check(message: Message, context: MailContext) -> list[Finding]:
    display = message.sender_from.display if message.sender_from else ""
    if display and has_invisible(display) and len(_SPLIT_WORD.findall(display)) >= MIN_SPLITS_IN_NAME:
        shown = _escaped(display, 0, len(display))
        title = "display name broken up by invisible characters, so a filter does not read the name it shows"
        return [RULE.finding(title, [at(message, "header From", f"From: {shown}")], severity=Severity.MEDIUM)]
    text = message.subject + "\n" + message.text[:MAX_SCAN]
    if not has_invisible(text):
        return []
    splits = list(_SPLIT_WORD.finditer(text))
    if len(splits) < MIN_SPLITS:
        return []
    first = splits[0]
    shown = _escaped(text, first.start() - 20, first.end() + 20)
    return [RULE.finding(f"{len(splits)} words broken by invisible characters", [at(message, "body", shown)])]


def _escaped(text: str, start: int, end: int) -> str:
    return text[max(0, start) : end].encode("unicode_escape").decode("ascii")
