"""mail.fake-cloud-drive: a "shared document" notice whose link is not on the named file-sharing service."""

from __future__ import annotations

import re

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of, registrable
from heistguard.mail.message import Message
from heistguard.mail.rules._links import FREE_HOSTING, REDIRECTORS, on
from heistguard.mail.textscan import search

RULE = Rule(
    id="mail.fake-cloud-drive",
    severity=Severity.MEDIUM,
    title="fake shared-document notice",
    rationale="'X shared a document with you' imitating OneDrive, SharePoint, Google Drive, Dropbox or "
    "DocuSign is the most common credential-harvest lure; the real services link only to their own domains.",
    attack=("T1566.002", "T1656"),
)

SERVICES: dict[str, frozenset[str]] = {
    "onedrive": frozenset({"live.com", "microsoft.com", "sharepoint.com", "office.com", "1drv.ms"}),
    "sharepoint": frozenset({"sharepoint.com", "microsoft.com", "office.com"}),
    "google drive": frozenset({"google.com"}),
    "google docs": frozenset({"google.com"}),
    "dropbox": frozenset({"dropbox.com", "dropboxmail.com", "db.tt"}),
    "docusign": frozenset({"docusign.com", "docusign.net"}),
    "wetransfer": frozenset({"wetransfer.com", "we.tl"}),
    "adobe": frozenset({"adobe.com"}),
}
_SHARED = re.compile(
    r"\b(?:shared (?:a|the|an?) (?:file|document|folder|spreadsheet|pdf)|(?:has )?sent you (?:a|an) (?:file|document)|"
    r"review (?:and sign )?(?:the )?document|view (?:the )?document|document(?:s)? (?:is|are) ready|"
    r"e-?sign|secure document|shared with you)\b|共有しました|ファイルを共有",
    re.I,
)
_SERVICE = re.compile("|".join(re.escape(s) for s in SERVICES), re.I)


def check(message: Message, context: MailContext) -> list[Finding]:
    body, folded = message.head(20000)
    # The service's name first: it is rarely there, and the sharing phrases are common enough to be slow.
    service = search(_SERVICE, body, folded)
    shared = search(_SHARED, body, folded) if service else None
    if not shared or not service:
        return []
    allowed = SERVICES[service.group(0).lower()]
    for link in message.links:
        host = host_of(link.url)
        if not host or registrable(host) in allowed or on(host, REDIRECTORS):
            continue
        if context.is_firm_or_brand_domain(host) or (
            message.from_domain and registrable(host) == registrable(message.from_domain)
        ):
            continue
        return [
            RULE.finding(
                f"claims a {service.group(0)} share but links to {host}",
                [at(message, "body", shared.group(0)), at(message, f"link in {link.where}", link.url)],
                [IndicatorRef(type="domain", value=host)],
                severity=Severity.HIGH if on(host, FREE_HOSTING) else None,
            )
        ]
    return []
