"""mail.reply-to-divert: replies go to a different organisation than the one the message claims to be from."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.authentication import recorded_results
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import FREE_MAIL, host_of, registrable
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.reply-to-divert",
    severity=Severity.LOW,
    title="Reply-To points to another organisation than From",
    rationale="Business-e-mail-compromise and fake-recruiter mail shows a trusted From and collects the "
    "replies elsewhere, often at a free mailbox. Lists and ticket systems also set Reply-To, so this "
    "is weak alone and strong when From is a protected domain.",
    attack=("T1566", "T1656"),
)


def _list_domains(message: Message) -> set[str]:
    out = set()
    for name in ("List-Id", "List-Post", "Sender"):
        for value in message.headers_named(name):
            for token in value.replace("<", " ").replace(">", " ").replace("mailto:", " ").split():
                host = token.rsplit("@", 1)[-1] if "@" in token else host_of(token) or token
                if "." in host:
                    out.add(registrable(host.strip(".")))
    return out


def check(message: Message, context: MailContext) -> list[Finding]:
    sender = message.sender_from
    if sender is None or not sender.domain or not message.reply_to:
        return []
    if message.header("List-Id") is not None:
        return []  # list posts carry the author's own address in Reply-To (and DMARC-munged From)
    from_org = registrable(sender.domain)
    lists = _list_domains(message)
    # A sender whose domain passed DMARC set its own Reply-To (calendar invitations, ticket systems).
    recorded = recorded_results(message, context.config.trusted_authserv_ids)
    authenticated = recorded is not None and any(r.result == "pass" for r in recorded.of("dmarc"))
    findings = []
    for reply in message.reply_to:
        if not reply.domain:
            continue
        reply_org = registrable(reply.domain)
        if reply_org == from_org or reply_org in lists:
            continue
        severity = Severity.LOW
        if from_org in context.firm_domains and not authenticated:
            severity = Severity.HIGH  # someone writing as the firm wants the answers elsewhere
        elif not authenticated and (
            context.is_firm_or_brand_domain(from_org) or (reply_org in FREE_MAIL and from_org not in FREE_MAIL)
        ):
            severity = Severity.MEDIUM
        findings.append(
            RULE.finding(
                f"replies to {reply.address} go to {reply_org}, not to {from_org}",
                [at(message, "header From", f"From: {sender}"), at(message, "header Reply-To", f"Reply-To: {reply}")],
                severity=severity,
            )
        )
    return findings[:1]
