"""mail.macos-app-attachment: a macOS application bundle, installer or AppleScript is attached (usually zipped)."""

from __future__ import annotations

import re

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.attachments import members
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.macos-app-attachment",
    severity=Severity.HIGH,
    title="macOS application or AppleScript attached",
    rationale="DPRK campaigns against crypto staff on Macs ship zipped .app bundles, .scpt/.applescript files "
    "and .command scripts posing as PDFs, job descriptions or meeting tools; mail has no reason to carry them.",
    attack=("T1566.001", "T1204.002"),
)

_BUNDLE = re.compile(r"(?:^|/)[^/]+\.app/Contents/(?:MacOS|Info\.plist)", re.I)
_SCRIPTS = re.compile(r"\.(?:scpt|scptd|applescript|command|terminal|pkg|mpkg)$", re.I)


def check(message: Message, context: MailContext) -> list[Finding]:
    for attachment in message.attachments:
        for member in members(attachment):
            if _BUNDLE.search(member.name) or _SCRIPTS.search(member.name):
                bundle = member.name.split(".app/", 1)[0] + ".app" if ".app/" in member.name else member.name
                return [
                    RULE.finding(
                        f"{attachment.name} contains {bundle}",
                        [at(message, f"attachment {attachment.name}", f"{attachment.name}!{member.name}")],
                        [IndicatorRef(type="sha256", value=attachment.sha256)],
                    )
                ]
    return []
