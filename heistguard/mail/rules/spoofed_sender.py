"""mail.spoofed-sender: the From address is at the firm's or a known brand's domain, but nothing the receiving
server checked vouches for that domain."""

from __future__ import annotations

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.authentication import aligned_pass, recorded_results
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import FREE_MAIL, registrable
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.spoofed-sender",
    severity=Severity.HIGH,
    title="From claims the firm's or a brand's domain without authentication",
    rationale="A real message from an exchange, a wallet vendor or the firm itself passes DMARC, or carries "
    "a passing DKIM signature or SPF envelope of that domain. When the receiving server recorded results "
    "and none of them belongs to the From domain (e.g. 'no-reply@coinbase.com' signed only by a bulk "
    "mailer's own domain), "
    "the address was written by someone else: DMARC 'none' policies let such mail through.",
    attack=("T1672", "T1656"),
    references=("https://www.rfc-editor.org/rfc/rfc7489#section-3.1",),
)


def check(message: Message, context: MailContext) -> list[Finding]:
    sender = message.sender_from
    if sender is None or not sender.domain:
        return []
    org = registrable(sender.domain)
    if org in FREE_MAIL or not (org in context.firm_domains or context.is_firm_or_brand_domain(org)):
        return []  # anyone may hold a free-mail address; a forged one is mail.auth-failure's to report
    if message.header("List-Id") is not None:
        return []  # a list re-sends its members' mail under their From
    recorded = recorded_results(message, context.config.trusted_authserv_ids)
    if recorded is None or aligned_pass(recorded, sender.domain):
        return []  # no results to believe (old or internal mail), or the domain is vouched for
    if any(r.result in ("fail", "softfail", "permerror") for r in recorded.results):
        return []  # an explicit failure is mail.auth-failure's finding
    summary = ", ".join(f"{r.method}={r.result}" for r in recorded.results) or "no results"
    return [
        RULE.finding(
            f"From {sender.address} is at {org}, but no recorded result vouches for it ({summary})",
            [at(message, f"header {recorded.header_name}", recorded.results[0].header)],
            [IndicatorRef(type="email", value=sender.address.lower())],
        )
    ]
