"""mail.lookalike-domain: a domain in From, Reply-To, Return-Path, a link or an attachment name imitates a
protected one."""

from __future__ import annotations

import re

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.lookalike-domain",
    severity=Severity.HIGH,
    title="lookalike of a protected domain",
    rationale="Lazarus operators register domains one typo, homoglyph or TLD away from an exchange, a VC or "
    "the victim's own firm, and use them in the sender, the links and even attachment names.",
    attack=("T1583.001", "T1566.002"),
    references=("https://github.com/elceef/dnstwist",),
)

_DOMAIN_IN_NAME = re.compile(r"(?:[a-z0-9\u00a1-\uffff-]+\.)+[a-z\u00a1-\uffff]{2,}", re.I)
# Weaker ways to be near a name: real, unrelated businesses are sometimes one letter from a brand.
_WEAK = ("edit distance", "tld swap")


def check(message: Message, context: MailContext) -> list[Finding]:
    places: list[tuple[str, str, str]] = []  # (domain, logical place, evidence text)
    if message.sender_from and message.sender_from.domain:
        places.append((message.sender_from.domain, "header From", f"From: {message.sender_from}"))
    places += [(r.domain, "header Reply-To", f"Reply-To: {r}") for r in message.reply_to if r.domain]
    if "@" in message.return_path:
        places.append(
            (message.return_path.rsplit("@", 1)[1], "header Return-Path", f"Return-Path: <{message.return_path}>")
        )
    for link in message.links:
        host = host_of(link.url)
        if host:
            places.append((host, f"link in {link.where}", link.url))
    for attachment in message.attachments:
        for match in _DOMAIN_IN_NAME.finditer(attachment.name):
            places.append((match.group(0), f"attachment {attachment.name}", attachment.name))
    findings: list[Finding] = []
    seen: set[str] = set()
    for domain, where, text in places:
        hit = context.lookalikes.check(domain.lower())
        if hit is None or hit.candidate in seen:
            continue
        seen.add(hit.candidate)
        firm = hit.protected in context.lookalikes.permuted
        weak = hit.how in _WEAK and not firm
        findings.append(
            RULE.finding(
                f"{hit.candidate} imitates {hit.protected} ({hit.how})",
                [at(message, where, text)],
                [IndicatorRef(type="domain", value=hit.candidate)],
                severity=Severity.MEDIUM if weak else Severity.HIGH,
            )
        )
    return findings
