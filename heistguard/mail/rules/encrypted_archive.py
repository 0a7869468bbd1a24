"""mail.encrypted-archive: a password-protected archive is attached, worst when the password is in the message."""

from __future__ import annotations

import re

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.attachments import members
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.encrypted-archive",
    severity=Severity.HIGH,
    title="encrypted archive with its password in the message",
    rationale="Encrypting an archive and writing the password beside it protects nothing from the reader; it "
    "only blinds mail scanners to what is inside. Lure 'coding tests' and 'documents' arrive this way.",
    attack=("T1566.001", "T1027.013"),
)

_PASSWORD = re.compile(
    r"(?:password|passcode|pass\s*word|pwd|pw|パスワード|暗証番号|비밀번호|密码|密碼)\s*(?:is|:|：|=|は)?\s*[\"'「]?(\S{3,40})",
    re.I,
)


def _encrypted(message: Message) -> list[str]:
    names = []
    for attachment in message.attachments:
        if attachment.filetype.kind in (Kind.ZIP, Kind.JAR) and any(m.encrypted for m in members(attachment)):
            names.append(attachment.name)
        elif attachment.filetype.kind in (Kind.SEVENZIP, Kind.RAR) and _PASSWORD.search(message.text):
            names.append(attachment.name)  # 7z and RAR hide their encryption from a header-only look
    return names


def check(message: Message, context: MailContext) -> list[Finding]:
    names = _encrypted(message)
    if not names:
        return []
    said = _PASSWORD.search(message.subject + "\n" + message.text)
    attachment = next(a for a in message.attachments if a.name == names[0])
    evidence = [at(message, f"attachment {names[0]}", f"{attachment.filetype}, encrypted members")]
    if said:
        evidence.append(at(message, "body", said.group(0)))
    return [
        RULE.finding(
            f"{names[0]} is encrypted" + (" and the password is written in the message" if said else ""),
            evidence,
            [IndicatorRef(type="sha256", value=attachment.sha256)],
            severity=None if said else Severity.MEDIUM,
        )
    ]
