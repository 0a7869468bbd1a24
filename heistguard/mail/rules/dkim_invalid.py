"""mail.dkim-invalid: with `--online`, the DKIM signature was verified with dkimpy against the signer's key and
failed."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.authentication import verify_dkim
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import registrable
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.dkim-invalid",
    severity=Severity.MEDIUM,
    title="DKIM signature does not verify",
    rationale="A DKIM signature that does not verify against the key its domain publishes means the message "
    "was altered after signing or the signature was forged; for a protected domain that is spoofing.",
    attack=("T1672",),
    references=("https://www.rfc-editor.org/rfc/rfc6376",),
)


def check(message: Message, context: MailContext) -> list[Finding]:
    if context.dns is None:
        return []  # only under --online: the key must be fetched from DNS
    result = verify_dkim(message.raw, context.dns)
    if not result.signed or result.valid:
        return []
    severity = Severity.HIGH if context.is_firm_or_brand_domain(result.domain or message.from_domain) else None
    evidence = [at(message, "header DKIM-Signature", v[:300]) for v in message.headers_named("DKIM-Signature")[:1]]
    title = f"DKIM signature of {registrable(result.domain) if result.domain else '?'} does not verify: {result.error}"
    return [RULE.finding(title, evidence, severity=severity)]
