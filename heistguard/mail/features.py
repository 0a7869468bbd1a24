"""What the learned model sees of a message: the rules' findings and the words of what it asks, never its era.

Headers, dates, mailer names and delivery paths are left out on purpose: they tell when and
through which archive a message travelled, not what it wants from the reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from heistguard.findings import Finding
from heistguard.mail.message import ANONYMISED_VICTIM, Message

MAX_MODEL_TEXT = 20_000
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.M)  # quoted replies say what someone else wrote
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{3,20}\b"


def model_text(message: Message) -> str:
    """Subject and body text with links, addresses and quotations reduced to neutral tokens."""
    text = f"{message.subject}\n{message.text[:MAX_MODEL_TEXT]}"
    text = text.replace(ANONYMISED_VICTIM, "recipient@example.com")
    # Each substitution only where its pattern can match at all (">", "@", a URL start): same text, less scanning.
    if has_quoted_line(text):
        text = _QUOTED_LINE.sub(" ", text)
    if "://" in text or "www." in text.lower():  # what _URL needs: no other character case-folds to w
        text = _URL.sub(" linktoken ", text)
    return addresses_replaced(text).lower()


def has_quoted_line(text: str) -> bool:
    """True when _QUOTED_LINE can match: some ">" has only whitespace between it and the start of a line (the
    whitespace run before it reaches the text's start or holds a newline)."""
    at = text.find(">")
    while at != -1:
        before = at - 1
        while before >= 0 and text[before].isspace():  # \s is str.isspace()
            if text[before] == "\n":
                return True
            before -= 1
        if before < 0:
            return True
        at = text.find(">", at + 1)
    return False


def _in_address(char: str) -> bool:
    return char.isalnum() or char in "_.+-@"  # the characters _EMAIL accepts (\w is isalnum() or "_")


def addresses_replaced(text: str) -> str:
    """`_EMAIL.sub(" addresstoken ", text)`, run only on the stretches of address characters around each "@": a
    match never leaves such a stretch, and scanning all of a long text position by position is what costs."""
    pieces: list[str] = []
    done = 0
    at = text.find("@")
    while at != -1:
        start, end = at, at + 1
        while start > done and _in_address(text[start - 1]):
            start -= 1
        while end < len(text) and _in_address(text[end]):
            end += 1
        pieces += (text[done:start], _EMAIL.sub(" addresstoken ", text[start:end]))
        done = end
        at = text.find("@", end)
    pieces.append(text[done:])
    return "".join(pieces)


def rule_features(findings: Iterable[Finding], rule_ids: Iterable[str]) -> list[float]:
    """Per rule: 0 when silent or informational, else the rank of its worst finding (low=1 ... critical=4).
    Info findings are left out: they mostly say a header is absent, which dates a message."""
    worst: dict[str, int] = {}
    for finding in findings:
        if finding.severity.rank == 0:
            continue
        key = "intel" if finding.rule_id.startswith("intel.") else finding.rule_id
        worst[key] = max(worst.get(key, 0), finding.severity.rank)
    return [float(worst.get(rule_id, 0)) for rule_id in rule_ids]
