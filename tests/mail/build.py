"""Build real RFC 822 messages for the tests with the standard library's e-mail writer."""

from __future__ import annotations

import email.policy
import io
import zipfile
from email.message import EmailMessage

from heistguard.config import MailConfig
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message, parse_message

PASS = (
    "mx.acme-capital.com; dkim=pass header.d={d} header.s=s1; spf=pass smtp.mailfrom={d}; "
    "dmarc=pass (p=REJECT) header.from={d}"
)
PROFILE = MailConfig(
    protected_domains=("acme-capital.com", "acmecap.io"),
    protected_names=("Jane Doe", "Acme Capital"),
)


def mail(
    sender: str = "Bob Lee <bob@partner.example.org>",
    subject: str = "Notes from Tuesday",
    text: str = "Hi,\n\nthe notes from Tuesday's call are below.\n\nBob\n",
    html: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
    attachments: tuple[tuple[str, bytes], ...] = (),
    to: str = "Aiko Tanaka <aiko@acme-capital.com>",
) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    for name, value in headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Nov 2025 09:12:44 +0000"
    msg["Message-ID"] = "<test.1@partner.example.org>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def parsed(raw: bytes, name: str = "test.eml") -> Message:
    return parse_message(raw, name)


def context(config: MailConfig = PROFILE) -> MailContext:
    return MailContext(config)


def zipped(members: dict[str, bytes], password_flag: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = buffer.getvalue()
    if password_flag:
        # Set the "encrypted" general-purpose bit in every local and central header, as an encrypting
        # archiver does (the payload stays as it is: only the flag is read).
        data = data.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00")
        data = data.replace(b"PK\x01\x02\x14\x03\x14\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x01\x00")
    return data


# Bytes of each kind, built from the formats' published magic numbers.
LNK = bytes.fromhex("4c0000000114020000000000c000000000000046") + b"\x00" * 200
PE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200
ISO = b"\x00" * 0x8001 + b"CD001" + b"\x01" + b"\x00" * 4096
VHDX = b"vhdxfile" + b"\x00" * 1024
DMG = b"\x00" * 4096 + b"koly" + b"\x00" * 508
CHM = b"ITSF\x03\x00\x00\x00" + b"\x00" * 200
HTA = b'<html><head><hta:application id="x"/></head><body>setup</body></html>'
VBS = b'Set shell = CreateObject("WScript.Shell")\r\nshell.Run "cmd /c calc"\r\n'
SHELL = b"#!/bin/sh\necho hello\n"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
