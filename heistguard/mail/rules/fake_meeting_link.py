"""mail.fake-meeting-link: a meeting invitation whose join or "update" link is not on the meeting service's own
domain."""

from __future__ import annotations

import re

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of, registrable
from heistguard.mail.message import Message
from heistguard.mail.textscan import search

RULE = Rule(
    id="mail.fake-meeting-link",
    severity=Severity.HIGH,
    title="meeting link off the meeting service's domain",
    rationale="DPRK operators posing as investors send Zoom / Teams / Meet invitations that lead to a "
    "lookalike page asking to install an 'update' or SDK (the fake-meeting lure behind several 2024-25 "
    "thefts). A real join link lives on the service's own domain.",
    attack=("T1566.002", "T1204.001"),
)

# service name as written in links -> the registrable domains its join links really use
SERVICES: dict[str, frozenset[str]] = {
    "zoom": frozenset({"zoom.us", "zoom.com", "zoomgov.com"}),
    "teams": frozenset({"microsoft.com", "live.com", "office.com", "microsoft365.com", "skype.com"}),
    "meet": frozenset({"google.com", "tel.meet", "g.co"}),
    "webex": frozenset({"webex.com"}),
    "calendly": frozenset({"calendly.com"}),
    "skype": frozenset({"skype.com", "live.com"}),
}
_MEETING_TEXT = re.compile(
    r"\b(?:meeting|call|zoom|teams|google meet|webex|calendly|interview|会議|面談|ミーティング)\b", re.I
)
_SERVICE_IN_URL = re.compile(r"(zoom|teams|meet|webex|calendly|skype)", re.I)
_JOIN = re.compile(r"\b(?:join|meeting|call|invite|schedule|book)\b|参加|会議", re.I)


def check(message: Message, context: MailContext) -> list[Finding]:
    if not search(_MEETING_TEXT, *message.head(20000)):
        return []
    for link in message.links:
        host = host_of(link.url)
        if not host:
            continue
        named = _SERVICE_IN_URL.search(host)
        if not named and _JOIN.search(link.anchor):
            named = _SERVICE_IN_URL.search(link.anchor)
        if not named:
            continue
        service = named.group(1).lower()
        org = registrable(host)
        if org in SERVICES[service] or org.endswith((".meet", ".google")) or context.is_firm_or_brand_domain(org):
            continue
        if service == "meet" and not re.search(r"\bmeet(?:ing)?\b|google", host + " " + link.anchor, re.I):
            continue  # "meet" inside an unrelated word
        return [
            RULE.finding(
                f"{service.title()} link goes to {host}, not to {service}'s own domain",
                [at(message, f"link in {link.where}", f"{link.anchor} -> {link.url}" if link.anchor else link.url)],
                [IndicatorRef(type="domain", value=host)],
            )
        ]
    return []
