"""mail.encrypted-archive: a password-protected archive is attached, worst when the password is in the message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from heistguard.artifacts.filetype import FileType, Kind, name_suggests
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.attachments import members
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Attachment, Message

RULE = Rule(
    id="mail.encrypted-archive",
    severity=Severity.HIGH,
    title="encrypted archive with its password in the message",
    rationale="Encrypting an archive and writing the password beside it protects nothing from the reader; it "
    "only blinds mail scanners to what is inside. Lure 'coding tests' and 'documents' arrive this way, in "
    "ZIP, 7-Zip or RAR. Without a password in the message it is medium (some firms mail encrypted documents "
    "and the password separately), unless an encrypted member's name says it is a program, script, shortcut "
    "or disk image.",
    attack=("T1566.001", "T1027.013"),
)

_PASSWORD = re.compile(
    r"(?:password|passcode|pass\s*word|pwd|pw|パスワード|暗証番号|비밀번호|密码|密碼)\s*(?:is|:|：|=|は)?\s*[\"'「]?(\S{3,40})",
    re.I,
)
# Typed by their magic but never opened (the project has no 7-Zip or RAR decompressor): with a password
# given in the message they are the same signal as an encrypted ZIP. A RAR's encrypted members are
# named from its headers like a ZIP's.
_UNOPENED = frozenset({Kind.SEVENZIP, Kind.RAR})
_SHOWN = 5  # encrypted member names quoted in the evidence


@dataclass(frozen=True, slots=True)
class _Locked:
    attachment: Attachment
    what: str  # the evidence: encrypted member names, or the unopened archive's kind
    encrypted: bool  # known to be encrypted (a ZIP member's flag), not only unopened
    runnable: bool  # an encrypted member's name claims a program, script, shortcut or disk image


def _locked(attachment: Attachment) -> _Locked | None:
    listed = members(attachment)
    locked = [m for m in listed if m.encrypted]
    if locked:
        names = [
            f"{m.name} ({m.size:,} bytes"
            + (f"; named as {name_suggests(m.name)}" if name_suggests(m.name) else "")
            + ")"
            for m in locked[:_SHOWN]
        ]
        more = f" and {len(locked) - _SHOWN} more" if len(locked) > _SHOWN else ""
        return _Locked(
            attachment,
            f"{attachment.filetype}, encrypted members: {', '.join(names)}{more}",
            encrypted=True,
            runnable=any(name_suggests(m.name) for m in locked),
        )
    if attachment.filetype.kind in _UNOPENED:
        return _Locked(attachment, f"{attachment.filetype}, not opened", _says_encrypted(attachment.filetype), False)
    inner = next((m for m in listed if m.filetype is not None and m.filetype.kind in _UNOPENED), None)
    if inner is not None and inner.filetype is not None:
        what = f"{attachment.filetype} holding {inner.name}, a {inner.filetype}, not opened"
        return _Locked(attachment, what, _says_encrypted(inner.filetype), False)
    return None


def _says_encrypted(filetype: FileType) -> bool:
    """A 7z whose end header names the AES coder, or a RAR whose headers are encrypted (see `identify`)."""
    return filetype.detail.startswith("encrypted")


def check(message: Message, context: MailContext) -> list[Finding]:
    found = [locked for a in message.attachments if (locked := _locked(a)) is not None]
    said = _PASSWORD.search(message.subject + "\n" + message.text) if found else None
    if not said:
        found = [locked for locked in found if locked.encrypted]  # an unopened 7z or RAR alone is no sign
    if not found:
        return []
    first = next((locked for locked in found if locked.runnable), found[0])
    attachment = first.attachment
    evidence = [at(message, f"attachment {attachment.name}", first.what)]
    if said:
        evidence.append(at(message, "body", said.group(0)))
    if first.encrypted:
        title = f"{attachment.name} is encrypted"
    else:
        title = f"{attachment.name} is an archive that cannot be opened here"
    return [
        RULE.finding(
            title + (" and the password is written in the message" if said else ""),
            evidence,
            [IndicatorRef(type="sha256", value=attachment.sha256)],
            severity=None if said or first.runnable else Severity.MEDIUM,
        )
    ]
