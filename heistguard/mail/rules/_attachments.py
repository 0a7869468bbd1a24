"""What the attachment rules share: every attachment and archive member with the kind its bytes say it is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from heistguard.artifacts.filetype import FileType, Kind
from heistguard.mail.attachments import members
from heistguard.mail.message import Attachment, Message


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
