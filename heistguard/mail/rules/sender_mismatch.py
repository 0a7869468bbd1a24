"""mail.sender-mismatch: a Sender header names another organisation than From (sent on someone's behalf)."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import registrable
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.sender-mismatch",
    severity=Severity.LOW,
    title="Sender header differs from From",
    rationale="Sender says who actually sent a message written in someone else's name. Lists and calendar "
    "services do this openly; for a protected From domain sent by an outsider it is impersonation.",
    attack=("T1656",),
)


def check(message: Message, context: MailContext) -> list[Finding]:
    if message.sender is None or not message.sender.domain or not message.from_domain:
        return []
    if message.header("List-Id") is not None:
        return []
    sender_org, from_org = registrable(message.sender.domain), registrable(message.from_domain)
    if sender_org == from_org:
        return []
    if not context.is_firm_or_brand_domain(from_org):
        return []  # on-behalf-of sending is everyday for ordinary domains
    return [
        RULE.finding(
            f"sent by {sender_org} in the name of {from_org}",
            [
                at(message, "header Sender", f"Sender: {message.sender}"),
                at(message, "header From", f"From: {message.sender_from}"),
            ],
            severity=Severity.MEDIUM,
        )
    ]
