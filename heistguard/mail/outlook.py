"""Outlook .msg files (MS-OXMSG: MAPI properties stored in a Compound File Binary) rebuilt as RFC 822 bytes."""

from __future__ import annotations

import codecs
import email.policy
import io
import mimetypes
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import olefile

from heistguard.mail.outlook_rtf import decompress_rtf, html_from_rtf, text_of_rtf

MAX_EMBEDDED_DEPTH = 8  # attached messages inside attached messages; the MIME parser walks 20 levels
MAX_ATTACHMENTS = 1000  # in one file, all levels together

# MAPI property ids (MS-OXPROPS) and the property types of MS-OXCDATA that we read.
SUBJECT = "0037"
SENT_REPRESENTING_NAME = "0042"
SENT_REPRESENTING_ADDRESS_TYPE = "0064"
SENT_REPRESENTING_ADDRESS = "0065"
TRANSPORT_HEADERS = "007D"
SENDER_NAME = "0C1A"
SENDER_ADDRESS_TYPE = "0C1E"
SENDER_ADDRESS = "0C1F"
DISPLAY_TO = "0E04"
DISPLAY_CC = "0E03"
BODY = "1000"
RTF_COMPRESSED = "1009"
HTML = "1013"
INTERNET_MESSAGE_ID = "1035"
MESSAGE_CLASS = "001A"
SENDER_SMTP_ADDRESS = "5D01"
SENT_REPRESENTING_SMTP_ADDRESS = "5D02"
CLIENT_SUBMIT_TIME = 0x0039
MESSAGE_DELIVERY_TIME = 0x0E06
MESSAGE_FLAGS = 0x0E07
MSGFLAG_UNSENT = 0x0008  # PidTagMessageFlags: the item is still a draft (MS-OXCMSG 2.2.1.6)
MESSAGE_CODEPAGE = 0x3FFD
INTERNET_CODEPAGE = 0x3FDE
MESSAGE_LOCALE_ID = 0x3FF1
RECIPIENT_TYPE = 0x0C15
RECIPIENT_DISPLAY_NAME = "3001"
RECIPIENT_ADDRESS_TYPE = "3002"
RECIPIENT_ADDRESS = "3003"
RECIPIENT_SMTP_ADDRESS = "39FE"
ATTACH_DATA = "3701"
ATTACH_FILENAME = "3704"
ATTACH_LONG_FILENAME = "3707"
ATTACH_MIME_TAG = "370E"
ATTACH_CONTENT_ID = "3712"
TYPE_UNICODE = "001F"
TYPE_STRING8 = "001E"
TYPE_BINARY = "0102"
TYPE_OBJECT = "000D"
PTYP_INTEGER32 = 0x0003
PTYP_TIME = 0x0040

PROPERTIES = "__properties_version1.0"
RECIPIENT_PREFIX = "__recip_version1.0_#"
ATTACHMENT_PREFIX = "__attach_version1.0_#"
# The fixed-size property stream starts with a header: 32 bytes for the top-level message, 24 for an embedded
# message, 8 for a recipient or an attachment (MS-OXMSG 2.4.1).
HEADER_TOP = 32
HEADER_EMBEDDED = 24
HEADER_CHILD = 8
# Outlook items that are not mail: triaging a contact card or a task as a message would only mislead.
NOT_MAIL = {
    "ipm.contact": "contact",
    "ipm.distlist": "distribution list",
    "ipm.stickynote": "note",
    "ipm.task": "task",
    "ipm.activity": "journal entry",
}
# Header fields of the transport headers that describe the original MIME body, which is not the one rebuilt.
BODY_FIELDS = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition"}
_SEVEN_BIT = email.policy.default.clone(cte_type="7bit")  # bodies and attachments base64 or quoted-printable
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # controls, and every line break of splitlines()
_MESSAGE_ID = re.compile(r"<?([!-;=?-~]+@[!-;=?-~]+)>?")  # printable ASCII but the angle brackets
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')  # characters that need a quoted display name (RFC 5322)
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # printable ASCII but the colon (RFC 5322 2.2)
_ANGLE_OR_SPACE = re.compile(r"[<>\s\x00-\x1f\x7f-\x9f]+")
_MIME_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")
_CODEC_OF_CODEPAGE = {
    1200: "utf-16-le",
    20127: "ascii",
    20932: "euc_jp",
    28591: "latin-1",
    28592: "iso8859_2",
    28595: "iso8859_5",
    28597: "iso8859_7",
    50220: "iso2022_jp",
    50221: "iso2022_jp",
    50222: "iso2022_jp",
    51932: "euc_jp",
    51949: "euc_kr",
    52936: "hz",
    54936: "gb18030",
    65000: "utf-7",
    65001: "utf-8",
}


class OutlookMessageError(ValueError):
    """The file cannot be read as an Outlook message; the text says why."""


# Header fields the rebuilt message carries so a reader sees what the .msg said of its sender. They are for
# people only: nothing trusts them, since anyone can write them into an .eml (see `OutlookSender`).
EXCHANGE_SENDER_FIELD = "X-HeistGuard-Exchange-Sender"
UNSENT_FIELD = "X-HeistGuard-Unsent"
# Dropped from received transport headers: only the reader writes them, from the file's own properties.
_OUR_FIELDS = {EXCHANGE_SENDER_FIELD.lower(), UNSENT_FIELD.lower()}


@dataclass(frozen=True, slots=True)
class OutlookSender:
    """What the .msg reader knows of a sender that has no SMTP address, handed to the rules beside the rebuilt
    bytes (never read back from a header, which an .eml could forge)."""

    exchange_dn: str = ""  # the author's Exchange X.500 name (address type EX) when no SMTP address is known
    unsent: str = ""  # why the item is an unsent draft, "" when it was sent


@dataclass(frozen=True, slots=True)
class OutlookAttachment:
    name: str
    mime_type: str
    data: bytes
    content_id: str = ""
    embedded: bytes | None = None  # an attached Outlook message, already rebuilt as RFC 822


@dataclass(frozen=True, slots=True)
class OutlookMessage:
    transport_headers: str = ""
    subject: str = ""
    sender: tuple[str, str] = ("", "")  # (display name, SMTP address) of whoever the message is from
    sent_by: tuple[str, str] = ("", "")  # the mailbox that sent it on the sender's behalf, when different
    to: tuple[tuple[str, str], ...] = ()
    cc: tuple[tuple[str, str], ...] = ()
    message_id: str = ""
    date: datetime | None = None
    text: str = ""
    html: str = ""
    attachments: tuple[OutlookAttachment, ...] = ()
    exchange_dn: str = ""  # the author's X.500 name when it is an Exchange mailbox without a known SMTP address
    unsent: str = ""  # why the item is taken for an unsent draft, "" when it was sent


def msg_to_rfc822(data: bytes) -> bytes:
    """The RFC 822 bytes of an Outlook .msg file; raises OutlookMessageError when it is not one."""
    return rebuild_msg(data)[0]


def rebuild_msg(data: bytes) -> tuple[bytes, OutlookSender]:
    """The RFC 822 bytes of an Outlook .msg file and what it says of a sender without an SMTP address."""
    message = read_outlook_message(data)
    try:
        raw = as_rfc822(message)
    except (ValueError, TypeError, LookupError, IndexError, MessageError) as exc:  # the email package on odd values
        raise OutlookMessageError(f"cannot be written as RFC 822 ({type(exc).__name__}: {exc})") from None
    return raw, OutlookSender(exchange_dn=message.exchange_dn, unsent=message.unsent)


def read_outlook_message(data: bytes) -> OutlookMessage:
    """Read the message, its recipients and attachments (attached messages too) out of a .msg file."""
    try:
        # DEFECT_INCORRECT: a broken sector chain is an error, not a stream read round a loop up to 4 GB.
        ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    except (OSError, ValueError, IndexError, KeyError, struct.error, RecursionError, MemoryError) as exc:
        raise OutlookMessageError(f"not a readable Compound File ({exc})") from None
    try:
        reader = _Reader(ole, budget=len(data))
        top = _MapiObject(reader, ole.root, (), HEADER_TOP, codepage=None)
        if not top.has_properties():
            raise OutlookMessageError("a Compound File without MAPI message properties (not an Outlook message)")
        return _read_message(top, depth=0, counter=[0])
    except (OSError, ValueError, IndexError, KeyError, struct.error, RecursionError, MemoryError) as exc:
        if isinstance(exc, OutlookMessageError):
            raise
        raise OutlookMessageError(f"broken Compound File ({exc})") from None
    finally:
        ole.close()


class _Reader:
    """Reads streams and keeps their total within the file's size: sound files never share sectors, so more
    means sectors shared or looped to make a small file expand."""

    def __init__(self, ole: Any, budget: int) -> None:
        self.ole = ole
        self.remaining = budget

    def read(self, path: tuple[str, ...], declared: int) -> bytes:
        if declared > self.remaining:
            raise OutlookMessageError(
                f"stream {'/'.join(path)} would take the data read past the file's size (shared or looping sectors)"
            )
        self.remaining -= declared
        data: bytes = self.ole.openstream("/".join(path)).read()
        return data


class _MapiObject:
    """One MAPI object in the file: the message, a recipient, an attachment or an attached message."""

    def __init__(
        self, reader: _Reader, entry: Any, path: tuple[str, ...], header_size: int, codepage: int | None
    ) -> None:
        self.reader = reader
        self.path = path
        self.kids: dict[str, Any] = {str(kid.name).upper(): kid for kid in entry.kids}
        self.fixed = self._fixed_properties(header_size)
        # The code page of 8-bit strings: the message's own, else the ANSI code page of its locale (the
        # Internet code page names the bodies' charset and is often US-ASCII over Windows-1252 text).
        own = self.integer(MESSAGE_CODEPAGE) or ansi_codepage(self.integer(MESSAGE_LOCALE_ID))
        self.codepage = own or codepage

    def has_properties(self) -> bool:
        return PROPERTIES.upper() in self.kids or any(name.startswith("__SUBSTG1.0_") for name in self.kids)

    def stream(self, name: str) -> bytes | None:
        kid = self.kids.get(name.upper())
        if kid is None or kid.entry_type != olefile.STGTY_STREAM:
            return None
        return self.reader.read((*self.path, str(kid.name)), int(kid.size))

    def storage(self, name: str) -> tuple[Any, tuple[str, ...]] | None:
        kid = self.kids.get(name.upper())
        if kid is None or kid.entry_type != olefile.STGTY_STORAGE:
            return None
        return kid, (*self.path, str(kid.name))

    def children(self, prefix: str) -> list[tuple[Any, tuple[str, ...]]]:
        found = [
            (kid, (*self.path, str(kid.name)))
            for name, kid in sorted(self.kids.items())
            if name.startswith(prefix.upper()) and kid.entry_type == olefile.STGTY_STORAGE
        ]
        return found

    def binary(self, pid: str) -> bytes | None:
        return self.stream(f"__substg1.0_{pid}{TYPE_BINARY}")

    def string(self, pid: str) -> str:
        unicode = self.stream(f"__substg1.0_{pid}{TYPE_UNICODE}")
        if unicode is not None:
            return unicode.decode("utf-16-le", "replace").rstrip("\x00")
        eight_bit = self.stream(f"__substg1.0_{pid}{TYPE_STRING8}")
        if eight_bit is not None:
            return decode_codepage(eight_bit, self.codepage).rstrip("\x00")
        return ""

    def integer(self, pid: int) -> int | None:
        value = self.fixed.get((pid, PTYP_INTEGER32))
        return int.from_bytes(value[:4], "little", signed=True) if value is not None else None

    def time(self, pid: int) -> datetime | None:
        value = self.fixed.get((pid, PTYP_TIME))
        if value is None:
            return None
        ticks = int.from_bytes(value, "little")  # FILETIME: 100-nanosecond steps since 1601-01-01 UTC
        if not ticks:
            return None
        try:
            return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    def _fixed_properties(self, header_size: int) -> dict[tuple[int, int], bytes]:
        """Fixed-size values (integers, times, flags) from the property stream: 16 bytes per property."""
        data = self.stream(PROPERTIES) or b""
        found: dict[tuple[int, int], bytes] = {}
        for offset in range(header_size, len(data) - 15, 16):
            kind, pid, _flags, value = struct.unpack_from("<HHI8s", data, offset)
            found[(pid, kind)] = value
        return found


# Windows ANSI code page of a locale's primary language (LCID & 0x3FF); Western European (1252) otherwise.
_ANSI_CODEPAGE_OF_LANGUAGE = {
    0x01: 1256,  # Arabic
    0x02: 1251,  # Bulgarian
    0x05: 1250,  # Czech
    0x08: 1253,  # Greek
    0x0D: 1255,  # Hebrew
    0x0E: 1250,  # Hungarian
    0x11: 932,  # Japanese
    0x12: 949,  # Korean
    0x15: 1250,  # Polish
    0x18: 1250,  # Romanian
    0x19: 1251,  # Russian
    0x1A: 1250,  # Croatian
    0x1B: 1250,  # Slovak
    0x1C: 1250,  # Albanian
    0x1E: 874,  # Thai
    0x1F: 1254,  # Turkish
    0x22: 1251,  # Ukrainian
    0x23: 1251,  # Belarusian
    0x24: 1250,  # Slovenian
    0x25: 1257,  # Estonian
    0x26: 1257,  # Latvian
    0x27: 1257,  # Lithuanian
    0x2A: 1258,  # Vietnamese
    0x2F: 1251,  # Macedonian
    0x3F: 1251,  # Kazakh
}
_TRADITIONAL_CHINESE = {0x0404, 0x0C04, 0x1404}  # Taiwan, Hong Kong, Macao: Big5; other Chinese locales GBK


def ansi_codepage(locale_id: int | None) -> int | None:
    """The ANSI code page Windows uses for a locale id (LCID), when it is not Western European."""
    if not locale_id:
        return None
    if locale_id & 0x3FF == 0x04:
        return 950 if locale_id & 0xFFFF in _TRADITIONAL_CHINESE else 936
    return _ANSI_CODEPAGE_OF_LANGUAGE.get(locale_id & 0x3FF)


def decode_codepage(data: bytes, codepage: int | None) -> str:
    """Text in a Windows code page; Western European (1252) when the file does not say."""
    name = _CODEC_OF_CODEPAGE.get(codepage or 0) or (f"cp{codepage}" if codepage else "cp1252")
    try:
        codecs.lookup(name)
    except LookupError:
        name = "cp1252"
    return data.decode(name, "replace")


def _read_message(obj: _MapiObject, depth: int, counter: list[int]) -> OutlookMessage:
    message_class = obj.string(MESSAGE_CLASS).strip().lower()
    kind = next((what for prefix, what in NOT_MAIL.items() if message_class.startswith(prefix)), None)
    if kind is not None:
        raise OutlookMessageError(f"an Outlook {kind} ({obj.string(MESSAGE_CLASS)}), not a mail message")
    recipients = [
        _recipient(_MapiObject(obj.reader, e, p, HEADER_CHILD, obj.codepage)) for e, p in obj.children(RECIPIENT_PREFIX)
    ]
    sender = _person(obj, SENDER_NAME, SENDER_SMTP_ADDRESS, SENDER_ADDRESS_TYPE, SENDER_ADDRESS, recipients)
    representing = _person(
        obj,
        SENT_REPRESENTING_NAME,
        SENT_REPRESENTING_SMTP_ADDRESS,
        SENT_REPRESENTING_ADDRESS_TYPE,
        SENT_REPRESENTING_ADDRESS,
        recipients,
    )
    # MS-OXCMAIL: From is the mailbox the message is sent for; Sender the one that sent it, when they differ.
    author = representing if representing[1] else sender
    exchange_dn = ""
    if not author[1]:
        exchange_dn = _exchange_dn(obj, SENT_REPRESENTING_ADDRESS_TYPE, SENT_REPRESENTING_ADDRESS) or _exchange_dn(
            obj, SENDER_ADDRESS_TYPE, SENDER_ADDRESS
        )
    sent_by = sender if sender[1] and author[1] and sender[1].lower() != author[1].lower() else ("", "")
    to = tuple((name, address) for kind_, name, address, _ in recipients if kind_ == 1)
    cc = tuple((name, address) for kind_, name, address, _ in recipients if kind_ == 2)
    if not to:
        to = tuple((name.strip(), "") for name in obj.string(DISPLAY_TO).split(";") if name.strip())
    if not cc:
        cc = tuple((name.strip(), "") for name in obj.string(DISPLAY_CC).split(";") if name.strip())
    transport_headers = obj.string(TRANSPORT_HEADERS)
    submitted = obj.time(CLIENT_SUBMIT_TIME)
    delivered = obj.time(MESSAGE_DELIVERY_TIME)
    unsent = ""
    if (obj.integer(MESSAGE_FLAGS) or 0) & MSGFLAG_UNSENT:
        unsent = "a draft (its message flags say unsent)"
    elif not (author[0] or author[1] or sender[0] or sender[1] or transport_headers or submitted or delivered):
        unsent = "never sent (no sender, transport headers, submit or delivery time)"
    text, html = obj.string(BODY), _html_body(obj)
    if not html or not text:
        # Outlook often keeps an HTML body only inside the compressed RTF, and a rich-text one only there.
        rtf = decompress_rtf(obj.binary(RTF_COMPRESSED) or b"") or b""
        html = html or html_from_rtf(rtf) or ""
        text = text or ("" if html else text_of_rtf(rtf))
    return OutlookMessage(
        transport_headers=transport_headers,
        subject=obj.string(SUBJECT),
        sender=author,
        sent_by=sent_by,
        to=to,
        cc=cc,
        message_id=obj.string(INTERNET_MESSAGE_ID),
        date=submitted or delivered,
        text=text,
        html=html,
        attachments=tuple(_attachments(obj, depth, counter)),
        exchange_dn=exchange_dn,
        unsent=unsent,
    )


def _recipient(obj: _MapiObject) -> tuple[int, str, str, str]:
    """(1 To / 2 Cc / 3 Bcc, display name, SMTP address, address as stored) of one recipient."""
    stored = obj.string(RECIPIENT_ADDRESS)
    smtp = obj.string(RECIPIENT_SMTP_ADDRESS) or (
        stored if _is_smtp(obj.string(RECIPIENT_ADDRESS_TYPE), stored) else ""
    )
    return obj.integer(RECIPIENT_TYPE) or 1, obj.string(RECIPIENT_DISPLAY_NAME), smtp, stored


def _person(
    obj: _MapiObject,
    name_pid: str,
    smtp_pid: str,
    type_pid: str,
    address_pid: str,
    recipients: list[tuple[int, str, str, str]],
) -> tuple[str, str]:
    name = obj.string(name_pid)
    smtp = obj.string(smtp_pid)
    if not smtp:
        stored = obj.string(address_pid)
        if _is_smtp(obj.string(type_pid), stored):
            smtp = stored
        elif stored:
            # An Exchange sender is stored as an X.500 name; the same mailbox among the recipients carries
            # its SMTP address (X.500 names compare without case).
            smtp = next((r[2] for r in recipients if r[2] and r[3].casefold() == stored.casefold()), "")
    return name, smtp.strip()


def _exchange_dn(obj: _MapiObject, type_pid: str, address_pid: str) -> str:
    """The X.500 name of an Exchange mailbox (address type EX, "/o=ORG/ou=.../cn=..."), else ""."""
    address = _one_line(obj.string(address_pid))
    if obj.string(type_pid).strip().upper() == "EX" and address[:3].lower() == "/o=":
        return address
    return ""


def _is_smtp(address_type: str, address: str) -> bool:
    kind = address_type.strip().upper()
    return kind == "SMTP" or (not kind and "@" in address and not address.startswith("/"))


def _html_body(obj: _MapiObject) -> str:
    """PidTagHtml: bytes in the Internet code page (some writers store it as an 8-bit or Unicode string)."""
    data = obj.binary(HTML)
    if data is None:
        data = obj.stream(f"__substg1.0_{HTML}{TYPE_STRING8}")
    if data is None:
        return obj.string(HTML)
    codepage = obj.integer(INTERNET_CODEPAGE)
    if codepage is None:
        try:
            return data.decode("utf-8").rstrip("\x00")
        except UnicodeDecodeError:
            codepage = obj.codepage
    return decode_codepage(data, codepage).rstrip("\x00")


def _attachments(obj: _MapiObject, depth: int, counter: list[int]) -> list[OutlookAttachment]:
    found = []
    for entry, path in obj.children(ATTACHMENT_PREFIX):
        counter[0] += 1
        if counter[0] > MAX_ATTACHMENTS:
            raise OutlookMessageError(f"more than {MAX_ATTACHMENTS} attachments")
        attachment = _MapiObject(obj.reader, entry, path, HEADER_CHILD, obj.codepage)
        name = (
            attachment.string(ATTACH_LONG_FILENAME)
            or attachment.string(ATTACH_FILENAME)
            or attachment.string(RECIPIENT_DISPLAY_NAME)  # 3001 is the display name of attachments too
        )
        mime_type = attachment.string(ATTACH_MIME_TAG).strip().lower()
        content_id = attachment.string(ATTACH_CONTENT_ID)
        inner = attachment.storage(f"__substg1.0_{ATTACH_DATA}{TYPE_OBJECT}")
        if inner is not None:
            inner_entry, inner_path = inner
            embedded = _MapiObject(obj.reader, inner_entry, inner_path, HEADER_EMBEDDED, obj.codepage)
            if not embedded.has_properties():
                packaged = _ole_object_file(embedded, name)  # an OLE object (afOLE), not a message
                if packaged is not None:
                    found.append(OutlookAttachment(packaged[0], "", packaged[1], content_id))
                continue
            if depth + 1 > MAX_EMBEDDED_DEPTH:
                raise OutlookMessageError(f"attached messages nested more than {MAX_EMBEDDED_DEPTH} deep")
            rebuilt = as_rfc822(_read_message(embedded, depth + 1, counter))
            found.append(OutlookAttachment(name, "message/rfc822", b"", content_id, embedded=rebuilt))
            continue
        data = attachment.binary(ATTACH_DATA) or b""
        found.append(OutlookAttachment(name, mime_type, data, content_id))
    return found


def _ole_object_file(storage: _MapiObject, name: str) -> tuple[str, bytes] | None:
    """The file an OLE object carries: a Packager object's file (the way a script or program is wrapped into
    a document), an Office Open XML package or an object's CONTENTS stream; None for other objects."""
    native = storage.stream("\x01Ole10Native")
    if native is not None:
        from oletools.oleobj import OleNativeStream

        try:
            package = OleNativeStream(native)
        except (ValueError, IndexError, struct.error, OSError, UnicodeError):
            return name, native
        if isinstance(package.data, bytes):
            return str(package.filename or name), package.data
        return name, native
    for stream in ("Package", "CONTENTS"):
        data = storage.stream(stream)
        if data is not None:
            return name, data
    return None


def as_rfc822(message: OutlookMessage) -> bytes:
    """The transport headers as received (less the fields that described the old MIME body), the fields they
    lack written from the MAPI properties, then the bodies and attachments written with the email package.

    The result is 7-bit: non-ASCII header text becomes RFC 2047 encoded words and bodies are encoded, so an
    attached message can be carried inside another as it is."""
    fields, present = _transport_fields(message.transport_headers)
    lines = [line for field_lines in fields for line in _ascii_field(field_lines)]
    # Written by hand rather than through the email package's header registry, which raises on many values
    # a hostile file can hold.
    for field_name, people in (
        ("From", [message.sender]),
        ("Sender", [message.sent_by]),
        ("To", message.to),
        ("Cc", message.cc),
    ):
        value = _address_field(people)
        if value and field_name.lower() not in present:
            lines.append(f"{field_name}: {value}")
    subject = _one_line(message.subject)
    if subject and "subject" not in present:
        lines.append("Subject: " + _encoded(subject, "Subject"))
    if message.date is not None and "date" not in present:
        lines.append(f"Date: {format_datetime(message.date)}")
    found_id = _MESSAGE_ID.fullmatch(message.message_id.strip())
    if found_id and "message-id" not in present:
        lines.append(f"Message-ID: <{found_id.group(1)}>")
    if message.exchange_dn:
        lines.append(f"{EXCHANGE_SENDER_FIELD}: " + _encoded(message.exchange_dn, EXCHANGE_SENDER_FIELD))
    if message.unsent:
        lines.append(f"{UNSENT_FIELD}: {message.unsent}")
    mail = EmailMessage(policy=_SEVEN_BIT)
    text, html = _no_nul(message.text), _no_nul(message.html)
    if html:
        if text:
            mail.set_content(text)
            mail.add_alternative(html, subtype="html")
        else:
            mail.set_content(html, subtype="html")
    else:
        mail.set_content(text)
    for attachment in message.attachments:
        _attach(mail, attachment)
    return "".join(line + "\n" for line in lines).encode("ascii") + mail.as_bytes()


def _encoded(text: str, field_name: str) -> str:
    """Text for a header field: as it is when ASCII, else RFC 2047 encoded words; folded either way."""
    header = Header(text, "us-ascii" if text.isascii() else "utf-8", header_name=field_name)
    return header.encode(linesep="\n")


def _transport_fields(headers: str) -> tuple[list[list[str]], set[str]]:
    """The header fields worth keeping (each as its lines, up to the first blank line) and the names of all."""
    fields: list[list[str]] = []
    present: set[str] = set()
    keeping = False
    for line in headers.replace("\x00", "").splitlines():
        if not line.strip():
            if fields or present:
                break  # the end of the header block
            continue
        if line[0] in " \t":
            if keeping:
                fields[-1].append(line)
            continue
        name, colon, _ = line.partition(":")
        if not colon or not _FIELD_NAME.fullmatch(name):
            keeping = False  # not a header field line
            continue
        present.add(name.lower())
        keeping = name.lower() not in BODY_FIELDS and name.lower() not in _OUR_FIELDS
        if keeping:
            fields.append([line])
    return fields, present - BODY_FIELDS


def _ascii_field(lines: list[str]) -> list[str]:
    """A received field as it was, or, when it holds raw non-ASCII text, unfolded and encoded."""
    if all(line.isascii() for line in lines):
        return lines
    name, _, value = "".join(lines).partition(":")
    return [f"{name}: {_encoded(value.strip(), name)}"]


def _address_field(people: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """Mailboxes one per line: `Name <address>`."""
    return ",\n ".join(_mailbox(name, address) for name, address in people if _one_line(name) or _one_line(address))


def _mailbox(name: str, address: str) -> str:
    name = _one_line(name)
    address = _ascii_domain(_ANGLE_OR_SPACE.sub("", address))  # an address holds neither
    if not name.isascii():
        shown = _encoded(name, "From")
    elif _SPECIALS.search(name):
        shown = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        shown = name
    if not address.isascii():
        address = _encoded(address, "From")  # an internationalised mailbox name (RFC 6532), kept readable
    return f"{shown} <{address}>" if shown else f"<{address}>"


def _ascii_domain(address: str) -> str:
    """An internationalised domain in its ASCII (punycode) form, as mail without SMTPUTF8 carries it; the
    lookalike and punycode rules then see what a mail server would."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def _one_line(value: str) -> str:
    return _CONTROL.sub(" ", value).strip()


def _no_nul(value: str) -> str:
    return value.replace("\x00", "")


def _attach(mail: EmailMessage, attachment: OutlookAttachment) -> None:
    filename = _one_line(attachment.name)[:255]
    if attachment.embedded is not None:
        part = EmailMessage(policy=_SEVEN_BIT)
        part["Content-Type"] = "message/rfc822"
        if filename:
            part.add_header("Content-Disposition", "attachment", filename=filename)
        else:
            part["Content-Disposition"] = "attachment"
        part.set_payload(attachment.embedded.decode("ascii", "replace"))  # 7-bit, as as_rfc822 writes it
        mail.make_mixed()
        mail.attach(part)
        return
    mime_type = attachment.mime_type
    if not _MIME_TYPE.match(mime_type):
        # No MIME tag: what a mail client would write for the name; the rules type attachments by content anyway.
        mime_type = mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"
    maintype, subtype = mime_type.split("/", 1)
    if maintype in ("multipart", "message"):
        maintype, subtype = "application", "octet-stream"  # a container type cannot hold plain bytes
    cid = _MESSAGE_ID.fullmatch(_one_line(attachment.content_id))
    mail.add_attachment(
        attachment.data,
        maintype=maintype,
        subtype=subtype,
        filename=filename or None,
        cid=f"<{cid.group(1)}>" if cid else None,
    )
