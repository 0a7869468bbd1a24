"""mail.link-punycode: a link's host is an internationalised (punycode) name."""

from __future__ import annotations

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of, to_ascii, to_unicode
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.link-punycode",
    severity=Severity.MEDIUM,
    title="link to an internationalised (punycode) domain",
    rationale="IDN hosts let a name render with letters from other scripts that look Latin (homograph "
    "attack). Legitimate IDNs exist, so this is a medium sign on its own; lookalike-domain catches "
    "the ones that imitate a protected name.",
    attack=("T1566.002", "T1583.001"),
    references=("https://www.unicode.org/reports/tr39/",),
)


def _mixed_scripts(label: str) -> bool:
    latin = any("a" <= c <= "z" for c in label)
    other = any(ord(c) > 0x2FF for c in label)
    return latin and other


def check(message: Message, context: MailContext) -> list[Finding]:
    for link in message.links:
        host = host_of(link.url)
        if not host:
            continue
        ascii_host = to_ascii(host)
        if "xn--" not in ascii_host:
            continue
        shown = to_unicode(ascii_host)
        mixed = any(_mixed_scripts(label) for label in shown.split("."))
        return [
            RULE.finding(
                f"link opens {shown} ({ascii_host})" + (", mixing Latin with look-alike letters" if mixed else ""),
                [at(message, f"link in {link.where}", link.url)],
                [IndicatorRef(type="domain", value=ascii_host)],
                severity=Severity.HIGH if mixed else None,
            )
        ]
    return []
