"""mail.envelope-mismatch: the bounce address (Return-Path) belongs to another organisation and no aligned DKIM
pass explains it."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.authentication import recorded_results
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import registrable
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.envelope-mismatch",
    severity=Severity.LOW,
    title="Return-Path not aligned with From",
    rationale="Spoofed mail passes SPF for the attacker's own envelope domain while showing a victim brand "
    "in From. Bulk senders use bounce domains too, but they sign with an aligned DKIM key; without "
    "one the mismatch is worth a look.",
    attack=("T1672",),
)


def check(message: Message, context: MailContext) -> list[Finding]:
    if not message.return_path or "@" not in message.return_path or not message.from_domain:
        return []
    if message.header("List-Id") is not None:
        return []  # lists rewrite the envelope by design
    envelope_org = registrable(message.return_path.rsplit("@", 1)[1])
    from_org = registrable(message.from_domain)
    if envelope_org == from_org:
        return []
    recorded = recorded_results(message, context.config.trusted_authserv_ids)
    if recorded is None:
        severity = Severity.INFO  # nothing recorded: the mismatch alone is common in relayed mail
    else:
        aligned = [
            r
            for r in recorded.of("dkim")
            if r.result == "pass" and registrable(dict(r.properties).get("header.d", "")) == from_org
        ]
        if aligned or any(r.result == "pass" for r in recorded.of("dmarc")):
            return []
        severity = Severity.MEDIUM if context.is_firm_or_brand_domain(from_org) else Severity.LOW
    return [
        RULE.finding(
            f"bounces go to {envelope_org}, the message claims {from_org}, and no aligned DKIM pass was recorded",
            [
                at(message, "header Return-Path", f"Return-Path: <{message.return_path}>"),
                at(message, "header From", f"From: {message.sender_from}"),
            ],
            severity=severity,
        )
    ]
