"""mail.invalid-sender: the From header has no usable address (missing, no domain, or a domain that cannot exist)."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import label_and_suffix
from heistguard.mail.message import Message
from heistguard.mail.rules._links import ip_literal

RULE = Rule(
    id="mail.invalid-sender",
    severity=Severity.MEDIUM,
    title="From has no valid sender address",
    rationale="Every legitimate system that sends mail puts a real, resolvable domain in From, because DMARC "
    "and replies depend on it. A From with only a display name, no domain, or a domain under no public "
    "suffix ('support@correios') is forged by hand. Two Outlook items are exempt when the .msg reader, not a "
    "header, says so: mail from an Exchange mailbox known only by its X.500 name (address type EX, internal "
    "mail saved from Outlook) and an unsent draft, which has no sender yet.",
    attack=("T1672", "T1656"),
)


def _why(message: Message) -> str | None:
    sender = message.sender_from
    # Only the .msg reader sets outlook_sender; an .eml carrying the same X-HeistGuard-* fields is not exempt.
    outlook = message.outlook_sender
    if message.header("From") is None:
        return None if outlook is not None and outlook.unsent else "the message has no From header"
    if sender is None or "@" not in sender.address:
        exempt = outlook is not None and (outlook.exchange_dn or outlook.unsent)
        return None if exempt else "From has no address"
    domain = sender.domain.strip("[]")
    if ip_literal(domain):
        return f"the sender's domain is the IP address {domain}"
    label, suffix = label_and_suffix(domain)
    if not label or not suffix:
        return f"the sender's domain {domain!r} is under no public suffix"
    return None


def check(message: Message, context: MailContext) -> list[Finding]:
    why = _why(message)
    if why is None:
        return []
    shown = message.header("From") or ""
    return [RULE.finding(why, [at(message, "header From", f"From: {shown}")])]
