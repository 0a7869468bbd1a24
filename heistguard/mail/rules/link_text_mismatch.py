"""mail.link-text-mismatch: a link shows one address and goes to another."""

from __future__ import annotations

import re

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of, registrable
from heistguard.mail.message import Message
from heistguard.mail.rules._links import REDIRECTORS, on

RULE = Rule(
    id="mail.link-text-mismatch",
    severity=Severity.MEDIUM,
    title="link text shows a different site than the link opens",
    rationale="Anchor text that reads 'https://www.binance.com/login' over a link to another host is the "
    "oldest trick in phishing; newsletters do it only through their own click-tracking hosts.",
    attack=("T1566.002",),
)

_SHOWN_HOST = re.compile(r"^\s*(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]\S*)?\s*$", re.I)


def check(message: Message, context: MailContext) -> list[Finding]:
    findings = []
    for link in message.links:
        shown = _SHOWN_HOST.match(link.anchor)
        if not shown or not link.url.lower().startswith(("http://", "https://")):
            continue
        shown_org, real_host = registrable(shown.group(1)), host_of(link.url)
        if not real_host or registrable(real_host) == shown_org:
            continue
        if on(real_host, REDIRECTORS):
            severity = Severity.INFO  # newsletters route every link through their click tracker
        elif context.is_firm_or_brand_domain(shown_org):
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
        findings.append(
            RULE.finding(
                f"link shows {shown.group(1)} but opens {real_host}",
                [at(message, f"link in {link.where}", f"{link.anchor} -> {link.url}")],
                [IndicatorRef(type="domain", value=real_host)],
                severity=severity,
            )
        )
    return sorted(findings, key=lambda f: -f.severity.rank)[:3]
