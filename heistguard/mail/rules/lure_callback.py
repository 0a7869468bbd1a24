"""mail.lure-callback: a charge, renewal or order the reader never made, and a phone number to call about it
(callback phishing, "telephone-oriented attack delivery")."""

from __future__ import annotations

import re

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import FREE_MAIL, registrable
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import MAX_SCAN, hits, own_notice, phrases

RULE = Rule(
    id="mail.lure-callback",
    severity=Severity.LOW,
    title="callback phishing: a charge to dispute by phone",
    rationale="A fake invoice or renewal (antivirus, software, subscriptions) with no link, only a phone "
    "number 'to cancel or dispute'; the person who answers talks the caller into installing remote-access "
    "tools. There is nothing to click, so link checks stay silent: the shape is charge + call us + number. "
    "Real receipts print support numbers too, so it is low alone, medium with no link at all, and high from a "
    "free mailbox.",
    attack=("T1566", "T1204"),
    references=("https://attack.mitre.org/techniques/T1566/004/",),
)

CHARGE = phrases(
    (
        r"\b(?:auto(?:matically)?[- ]?renew(?:ed|al|s)?|renew(?:s|ed)? automatically|(?:successfully|been) renewed|"
        r"subscription (?:has been |was |is )?(?:renewed|activated|charged)|membership (?:will |has )?renew)",
        r"\b(?:will be|has been|have been|was|were) (?:charged|debited|billed|deducted)\b",
        r"\bamount (?:debited|charged)\b",
        r"\b(?:your )?(?:payment|order|purchase|transaction) (?:has been |was |is )?(?:received|processed|confirmed|"
        r"successful|completed|approved)\b",
        r"\b(?:invoice|order|transaction) (?:number|no\.?|id|#)",
        r"\b(?:order|purchase|payment|invoice|sale) (?:receipt|confirmation)\b|\bconfirmation of (?:your )?(?:order|"
        r"purchase|payment|invoice)\b",
    )
)
CALL = phrases(
    (
        r"\b(?:call|contact|reach|dial|ring) (?:out to )?(?:us|our (?:dedicated )?(?:support|billing|help ?desk|team|"
        r"customer|helpline)|the (?:support|billing)|customer (?:support|service|care))\b",
        r"\b(?:give us a (?:call|ring)|call (?:us )?(?:at|on|now|immediately)|speak (?:to|with) (?:an? )?(?:agent|"
        r"representative))\b",
        r"\b(?:please reach out|reach out to us|questions or concerns about your (?:order|purchase|payment))\b",
        r"\b(?:toll[- ]free|helpline|help line|hotline|billing department|support (?:number|line|team at))\b",
        r"\b(?:support|billing|help ?desk|customer (?:care|service)) (?:contact|phone|tel)\b",
        r"\b(?:cancel|dispute|refund|stop)(?:ation)? (?:the |this |your )?(?:order|payment|subscription|charge|"
        r"transaction|renewal|membership|auto-?renewal)\b",
    )
)
# a phone number as scams print it: +1 (833) 317-4505, (856)633-1822, 1-800-555-0199; bare digit runs are order ids
_PHONE = re.compile(r"(?<![\w.])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{3}\)[\s.-]?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w|\.\d)")


def check(message: Message, context: MailContext) -> list[Finding]:
    charge = hits(CHARGE, message)
    if not charge:
        return []
    call = hits(CALL, message)
    if not call:
        return []
    phone = _PHONE.search(message.subject + "\n" + message.text[:MAX_SCAN])
    if phone is None:
        return []
    sender = message.sender_from
    free_sender = bool(sender and sender.domain and registrable(sender.domain) in FREE_MAIL)
    if message.links and own_notice(message, context):
        return []  # a vouched receipt linking home; a link-less "call us" proves nothing, whoever signed it
    return [
        RULE.finding(
            f"a charge ({charge[0]}) to dispute by phone ({call[0]}: {phone.group(0).strip()})",
            [at(message, "body", "; ".join([*charge[:3], *call[:3], phone.group(0).strip()]))],
            severity=Severity.HIGH if free_sender else Severity.MEDIUM if not message.links else None,
        )
    ]
