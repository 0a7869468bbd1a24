"""mail.display-name-impersonation: the display name claims a protected person or brand, the address is someone
else's."""

from __future__ import annotations

import re

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import registrable, skeleton
from heistguard.mail.invisible import shown
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.display-name-impersonation",
    severity=Severity.HIGH,
    title="display name impersonates a protected person or brand",
    rationale="Most mail clients show only the display name. A message named after the CEO, a partner or an "
    "exchange but sent from an unrelated address is how fake recruiters, fake investors and fake "
    "support desks introduce themselves.",
    attack=("T1656", "T1566"),
)

_EMAIL_IN_NAME = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")


def check(message: Message, context: MailContext) -> list[Finding]:
    sender = message.sender_from
    # "From: PayPal Service" with no address parses as an address without "@": it is the display name.
    display = (sender.display or (sender.address if "@" not in sender.address else "")) if sender else ""
    if sender is None or not display:
        return []
    org = registrable(sender.domain) if sender.domain else ""
    outlook = message.outlook_sender  # set by the .msg reader only, never by a header an .eml could carry
    if not org and outlook is not None and (outlook.exchange_dn or outlook.unsent):
        return []  # a mailbox of the reader's own Exchange (its directory gave the name) or the reader's draft
    evidence = [at(message, "header From", f"From: {sender}")]
    indicators = [IndicatorRef(type="email", value=sender.address.lower())] if org else []
    seen = shown(display)
    seen_skeleton = None if seen.isascii() else skeleton(seen)
    claims_a_name = context.any_name.search(seen) is not None or (
        seen_skeleton is not None and context.any_name_shape.search(seen_skeleton) is not None
    )
    for protected in context.names if claims_a_name else ():
        if org in protected.domains or not protected.claimed_by(seen, seen_skeleton):
            continue
        severity = Severity.HIGH if protected.firm else Severity.MEDIUM
        where = f"the address is at {org}" if org else "there is no sender address"
        title = f"display name {display!r} claims {protected.name!r} but {where}"
        if seen != display:
            title += f" (read as {seen!r}, as it shows)"
        return [RULE.finding(title, evidence, indicators, severity=severity)]
    address = _EMAIL_IN_NAME.search(seen)
    if address and org and registrable(address.group(1)) != org:
        claimed = registrable(address.group(1))
        severity = Severity.HIGH if context.is_firm_or_brand_domain(claimed) else Severity.MEDIUM
        title = f"display name shows the address {address.group(0)} but the mail is from {sender.address}"
        return [RULE.finding(title, evidence, indicators, severity=severity)]
    return []
