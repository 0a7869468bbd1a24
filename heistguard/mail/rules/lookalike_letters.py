"""mail.lookalike-letters: words spelled with letters of other scripts that look Latin ('Yоur аccоunt', Cyrillic о
and а), so that a filter reading the letters does not read the word."""

from __future__ import annotations

import re

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import LOOKALIKE_LETTERS
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.lookalike-letters",
    severity=Severity.LOW,
    title="words spelled with look-alike letters of other scripts",
    rationale="Cyrillic а, е, о, р, с and Greek ο, ν, ι look like Latin letters, so 'Yоur аccоunt hаs been "
    "lоcked' reads as English to a person and as nothing to a filter that looks for 'account'. Extortion and "
    "account-lock mail writes whole sentences this way. Honest Russian or Greek text does not put a Latin "
    "letter inside its words, nor English text a Cyrillic one; a slip of the keyboard layout makes one such "
    "word, not three. In the subject or the sender's name, where the reader looks first, one is enough.",
    attack=("T1027", "T1566"),
)

_LOOKALIKE = "".join(sorted(LOOKALIKE_LETTERS))
# a Latin letter beside a look-alike letter: the cheap sign that such a word may be there
_SEAM = re.compile(f"[A-Za-z][{_LOOKALIKE}]|[{_LOOKALIKE}][A-Za-z]")
_WORD = re.compile(r"[^\W\d_]{3,}")
MIN_WORDS = 3  # in the body
MAX_SCAN = 20_000


def lookalike_words(text: str) -> list[str]:
    """Words of Latin letters with look-alike letters of other scripts among them (at least half Latin), in order."""
    if text.isascii() or not any(letter in text for letter in _LOOKALIKE) or not _SEAM.search(text):
        return []
    found = []
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        latin = sum(1 for c in word if c.isascii())
        if latin * 2 >= len(word) and latin + sum(1 for c in word if c in LOOKALIKE_LETTERS) == len(word):
            found.append(word)
    return found


def check(message: Message, context: MailContext) -> list[Finding]:
    display = message.sender_from.display if message.sender_from else ""
    for place, text, header in (("header From", display, "From"), ("header Subject", message.subject, "Subject")):
        if words := lookalike_words(text):
            title = f"the {header.lower()} spells {words[0]!r} with look-alike letters of other scripts"
            return [RULE.finding(title, [at(message, place, f"{header}: {text}")], severity=Severity.MEDIUM)]
    words = lookalike_words(message.text[:MAX_SCAN])
    if len(words) < MIN_WORDS:
        return []
    shown = ", ".join(repr(w) for w in words[:5])
    return [RULE.finding(f"{len(words)} words spelled with look-alike letters: {shown}", [at(message, "body", shown)])]
