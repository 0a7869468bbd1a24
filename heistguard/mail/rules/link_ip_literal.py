"""mail.link-ip-literal: a link goes to a bare IP address instead of a name."""

from __future__ import annotations

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of
from heistguard.mail.message import Message
from heistguard.mail.rules._links import ip_literal

RULE = Rule(
    id="mail.link-ip-literal",
    severity=Severity.MEDIUM,
    title="link to a bare IP address",
    rationale="Legitimate senders link to their names; a link to a bare or obfuscated IP address avoids domain "
    "reputation and is typical of throwaway phishing and payload servers.",
    attack=("T1566.002",),
)


def check(message: Message, context: MailContext) -> list[Finding]:
    for link in message.links:
        host = host_of(link.url)
        if host and ip_literal(host) and link.url.lower().startswith(("http", "//")):
            return [
                RULE.finding(
                    f"link opens the IP address {host}",
                    [at(message, f"link in {link.where}", link.url)],
                    [IndicatorRef(type="ip", value=host.strip("[]"))],
                )
            ]
    return []
