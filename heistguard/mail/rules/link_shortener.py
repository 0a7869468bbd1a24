"""mail.link-shortener: a link hides its target behind a public URL shortener."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of
from heistguard.mail.message import Message
from heistguard.mail.rules._links import SHORTENERS, on

RULE = Rule(
    id="mail.link-shortener",
    severity=Severity.LOW,
    title="link through a public URL shortener",
    rationale="A shortened link hides where it goes until it is clicked; phishing uses shorteners to get past "
    "URL reputation. Common in social posts too, so weak alone.",
    attack=("T1566.002",),
)


def check(message: Message, context: MailContext) -> list[Finding]:
    for link in message.links:
        host = host_of(link.url)
        if host and on(host, SHORTENERS):
            return [
                RULE.finding(f"link through the shortener {host}", [at(message, f"link in {link.where}", link.url)])
            ]
    return []
