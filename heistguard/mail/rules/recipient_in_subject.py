"""mail.recipient-in-subject: the subject addresses the reader by their e-mail address."""

from __future__ import annotations

import re

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.recipient-in-subject",
    severity=Severity.LOW,
    title="subject addresses the reader by e-mail address",
    rationale="Senders who know the reader use a name; bulk phishing fills the only thing it has, the "
    "address from its list ('jane@acme.com, your account...', 'Invoice for jane@acme.com'). A weak sign "
    "on its own, it helps other signs.",
    attack=("T1566",),
)

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CALENDAR_TAIL = re.compile(r"\s*\([\w.+-]+@[\w.-]+\)\s*$")


def check(message: Message, context: MailContext) -> list[Finding]:
    subject = message.subject.lower()
    if "@" not in subject:
        return []
    recipients = {a.lower() for name in ("To", "Cc") for v in message.headers_named(name) for a in _ADDRESS.findall(v)}
    # calendar invitations end their subject with the invitee's address in brackets: "... (jane@acme.com)"
    subject = _CALENDAR_TAIL.sub("", subject)
    named = sorted(a for a in recipients if a in subject)
    if not named:
        return []
    evidence = [at(message, "header Subject", message.subject)]
    return [RULE.finding(f"the subject names the recipient {named[0]}", evidence)]
