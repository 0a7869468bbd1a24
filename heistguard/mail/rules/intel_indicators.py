"""Known-bad indicators: the sender, links and attachment hashes looked up in the intel store (findings use the
`intel.*` rules)."""

from __future__ import annotations

import functools

from heistguard.errors import BadInput
from heistguard.findings import Finding, Location
from heistguard.intel import Indicator, IndicatorType, IntelLookup, normalise
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message

MAX_LINKS = 200


@functools.lru_cache(maxsize=8192)  # a link repeats within a message (logo and text) and across a campaign
def _normalised(value: str, kind: IndicatorType) -> Indicator | None:
    try:
        return normalise(value, kind)
    except BadInput:
        return None


def _might_match(value: str, kind: IndicatorType, intel: IntelLookup) -> bool:
    """True when the value or what it contains (host, domain, parents) is a key the store holds."""
    indicator = _normalised(value, kind)
    return indicator is not None and intel.might_match(indicator)


def check(message: Message, context: MailContext) -> list[Finding]:
    if context.intel is None:
        return []
    asks: list[tuple[str, IndicatorType, str]] = []
    for address in [message.sender_from, *message.reply_to]:
        if address is not None and "@" in address.address:
            asks.append((address.address, IndicatorType.EMAIL, "header From/Reply-To"))
    for link in message.links[:MAX_LINKS]:
        if link.url.lower().startswith(("http://", "https://")):
            asks.append((link.url, IndicatorType.URL, f"link in {link.where}"))
    for attachment in message.attachments:
        asks.append((attachment.sha256, IndicatorType.SHA256, f"attachment {attachment.name}"))
    findings: list[Finding] = []
    for kind in (IndicatorType.EMAIL, IndicatorType.URL, IndicatorType.SHA256):
        of_kind = [(value, where) for value, k, where in asks if k is kind]
        findings += known_findings(message, context.intel, kind, of_kind)
    return findings


def known_findings(
    message: Message, intel: IntelLookup, kind: IndicatorType, asks: list[tuple[str, str]]
) -> list[Finding]:
    """The intel findings for (value, where it is in the message) pairs of one kind. The store is asked only
    about values whose keys it holds (one set look-up instead of a query), in one query; a malformed value
    just has no matches."""
    group = [(value, where) for value, where in asks if _might_match(value, kind, intel)]
    if not group:
        return []
    findings: list[Finding] = []
    for (_, where), result in zip(group, intel.lookup_many([value for value, _ in group], kind), strict=True):
        if result.matches:
            findings.extend(intel.findings(result.matches, Location(path=message.source, logical=where)))
    return findings
