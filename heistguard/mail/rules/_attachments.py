"""What the attachment rules share: every attachment and archive member with the kind its bytes say it is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from heistguard.artifacts.filetype import FileType, Kind
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.attachments import members
from heistguard.mail.context import at
from heistguard.mail.message import Attachment, Message

# A message with a hundred executables needs five findings to be phishing, not a hundred.
MAX_FINDINGS = 5


@dataclass(frozen=True, slots=True)
class Item:
    name: str  # "invoice.zip" or "invoice.zip!setup.exe" for a member
    filetype: FileType
    attachment: Attachment


def items(message: Message, kinds: frozenset[Kind]) -> Iterator[Item]:
    """Attachments and ZIP members whose bytes are of one of `kinds`."""
    for attachment in message.attachments:
        if attachment.filetype.kind in kinds:
            yield Item(attachment.name, attachment.filetype, attachment)
        for member in members(attachment):
            if member.filetype is not None and member.filetype.kind in kinds:
                yield Item(f"{attachment.name}!{member.name}", member.filetype, attachment)


def attachment_finding(rule: Rule, message: Message, item: Item, severity: Severity | None = None) -> Finding:
    """The finding of an attachment rule: what the bytes are, with size and hash as evidence."""
    return rule.finding(
        f"{item.name} is a {item.filetype}",
        [
            at(
                message,
                f"attachment {item.name}",
                f"{item.filetype} ({item.attachment.size} bytes, sha256 {item.attachment.sha256})",
            )
        ],
        [IndicatorRef(type="sha256", value=item.attachment.sha256)],
        severity=severity,
    )


def kind_findings(rule: Rule, message: Message, kinds: frozenset[Kind]) -> list[Finding]:
    """One finding per attachment or archive member whose bytes are of one of `kinds`."""
    return [attachment_finding(rule, message, item) for item in items(message, kinds)][:MAX_FINDINGS]
