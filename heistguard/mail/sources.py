"""Where messages come from: .eml files, directories (recursive, Maildir included), mbox files streamed in
bounded memory, Outlook .msg files, and a live IMAP folder read without changing it.

Each source yields `MailItem`s one at a time; an unreadable item is yielded with `error` set so the
batch reports it and carries on.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from heistguard.errors import BadInput
from heistguard.mail.outlook import OutlookMessageError, OutlookSender, rebuild_msg

MAX_MESSAGE = 100 * 1024 * 1024  # a message bigger than this is reported, not read
IMAP_USER_ENV = "HEISTGUARD_IMAP_USER"
IMAP_PASSWORD_ENV = "HEISTGUARD_IMAP_PASSWORD"
KEYRING_SERVICE = "heistguard-imap"  # keyring entry: service "heistguard-imap", user "USER@HOST"
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:", re.M)  # a header field name followed by a colon


@dataclass(frozen=True, slots=True)
class MailItem:
    name: str  # path, path#N for the Nth message of an mbox, or imap://host/folder;UID=N
    raw: bytes  # RFC 822 bytes to analyse (for .msg: rebuilt from the Outlook file)
    original: bytes | None = None  # the bytes as stored, for quarantine, when they differ from raw
    error: str | None = None
    # What the .msg reader found of a sender without an SMTP address; only a .msg source sets it, so no
    # header written into an .eml can claim it.
    outlook_sender: OutlookSender | None = None

    @property
    def stored(self) -> bytes:
        return self.original if self.original is not None else self.raw


def looks_like_mail(head: bytes) -> bool:
    """True when the first lines are header fields (a cheap guard against feeding a PDF or a binary)."""
    start = head.lstrip(b"\r\n")[:4096]
    if not start or b"\x00" in start[:1024]:
        return False
    return bool(_HEADER_LINE.match(start)) and len(_HEADER_LINE.findall(start)) >= 2


def iter_paths(paths: Iterable[Path]) -> Iterator[MailItem]:
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield from iter_file(Path(root) / name)
        elif path.exists():
            yield from iter_file(path)
        else:
            yield MailItem(str(path), b"", error=f"cannot read {path}: no such file or directory")


def iter_file(path: Path) -> Iterator[MailItem]:
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        yield MailItem(name, b"", error=f"cannot read {name}: {exc.strerror or exc}")
        return
    if head.startswith(b"From "):
        yield from iter_mbox(path)
        return
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        yield read_msg(path)
        return
    if size > MAX_MESSAGE:
        yield MailItem(name, b"", error=f"{name} is {size} bytes, over the {MAX_MESSAGE}-byte message limit")
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield MailItem(name, b"", error=f"cannot read {name}: {exc.strerror or exc}")
        return
    if not looks_like_mail(raw):
        yield MailItem(
            name, b"", original=raw, error=f"{name} is not an e-mail message (no header fields at its start)"
        )
        return
    yield MailItem(name, raw)


# A message starts at a line beginning "From " that follows a blank line ("\n" or "\r\n") or starts the file.
_FROM_LINE = b"\nFrom "
_LONGEST_BOUNDARY = len(b"\n\r\nFrom ")
MBOX_READ = 1024 * 1024  # bytes read at a time


def _boundary(buffer: bytes, at: int) -> int:
    """Index of the "From " of the first boundary ("\n\nFrom " or "\n\r\nFrom ") that starts at or after `at`,
    or -1. One search for what both share, so a file with no CRLF boundary is not searched to its end each time."""
    i = buffer.find(_FROM_LINE, at + 1)
    while i != -1:
        if buffer[i - 1] == 0x0A or (i - 2 >= at and buffer[i - 2 : i] == b"\n\r"):
            return i + 1
        i = buffer.find(_FROM_LINE, i + 1)  # "From " in a line that follows text: part of the message
    return -1


def iter_mbox(path: Path, *, chunk: int = MBOX_READ, limit: int = MAX_MESSAGE) -> Iterator[MailItem]:
    """Messages of an mbox file, found by searching large reads for the boundary (a blank line, then a line
    starting "From "), not line by line: memory holds one message and one read at a time."""
    index = 0

    def finish(raw: bytes, too_big: bool) -> MailItem:
        name = f"{path}#{index}"
        if too_big or len(raw) > limit:
            return MailItem(name, b"", error=f"{name} is over the {limit}-byte message limit")
        if raw.endswith(b"\n\n"):
            raw = raw[:-1]  # the blank line that separates messages is not part of the message
        if not looks_like_mail(raw):
            return MailItem(name, b"", original=raw, error=f"{name} is not an e-mail message (no header fields)")
        return MailItem(name, raw)

    try:
        with path.open("rb") as handle:
            buffer = b"\n\n"  # as if a blank line came first: a "From " line opening the file starts a message
            look_from = 0  # where the next boundary may start
            content = -1  # where the current message's text starts in buffer; -1 before the first message
            too_big = False
            more = True
            while True:
                at = _boundary(buffer, look_from)
                if at == -1:
                    if not more:
                        break
                    if content != -1 and len(buffer) - content > limit + _LONGEST_BOUNDARY:
                        too_big = True  # let the message go: only the bytes a boundary may begin with stay
                        buffer, content = buffer[-_LONGEST_BOUNDARY:], 0
                    # Keep the current message and the tail a boundary straddling two reads may begin in;
                    # buffers are cut here, once a read, never once a message (that would copy the read each time).
                    tail = max(0, len(buffer) - _LONGEST_BOUNDARY + 1)
                    cut = tail if content == -1 else min(content, tail)
                    buffer, content, look_from = buffer[cut:], content - cut if content != -1 else -1, tail - cut
                    data = handle.read(chunk)
                    more = bool(data)
                    buffer += data
                    continue
                if content != -1:
                    yield finish(buffer[content:at], too_big)
                index += 1
                too_big = False
                end_of_line = buffer.find(b"\n", at)
                while end_of_line == -1 and more:  # the "From " line runs past this read
                    data = handle.read(chunk)
                    more = bool(data)
                    buffer, at = data, 0  # only where the line ends matters: however long it is, none of it is kept
                    end_of_line = buffer.find(b"\n")
                content = len(buffer) if end_of_line == -1 else end_of_line + 1
                look_from = max(0, content - 1)  # the "From " line's own newline may open the next boundary
            if content != -1:
                yield finish(buffer[content:], too_big)
    except OSError as exc:
        yield MailItem(f"{path}#{index}", b"", error=f"cannot read {path}: {exc.strerror or exc}")


def read_msg(path: Path) -> MailItem:
    """An Outlook .msg file rebuilt as RFC 822 (its headers, bodies and attachments); see `outlook`."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_MESSAGE:
            return MailItem(name, b"", error=f"{name} is {size} bytes, over the {MAX_MESSAGE}-byte message limit")
        original = path.read_bytes()
    except OSError as exc:
        return MailItem(name, b"", error=f"cannot read {name}: {exc.strerror or exc}")
    try:
        raw, sender = rebuild_msg(original)
    except OutlookMessageError as exc:
        return MailItem(name, b"", original=original, error=f"cannot read Outlook message {name}: {exc}")
    return MailItem(name, raw, original=original, outlook_sender=sender)


@dataclass(frozen=True, slots=True)
class ImapTarget:
    host: str
    port: int
    tls: bool
    folder: str
    user: str

    def display(self) -> str:
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_imap_url(url: str) -> ImapTarget:
    """imap[s]://[user@]host[:port][/folder]; the password only ever comes from the environment."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise BadInput("bad --imap URL", url.split("@")[-1], "expected imap[s]://[user@]host[:port]/FOLDER")
    if parts.password:
        raise BadInput("bad --imap URL", parts.hostname, f"put the password in ${IMAP_PASSWORD_ENV}, not in the URL")
    tls = parts.scheme == "imaps"
    user = unquote(parts.username or "") or os.environ.get(IMAP_USER_ENV, "")
    if not user:
        raise BadInput("no IMAP user", parts.hostname, f"give it in the URL or in ${IMAP_USER_ENV}")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapTarget(parts.hostname, parts.port or (993 if tls else 143), tls, folder, user)


def iter_imap(url: str, timeout: float = 30.0) -> Iterator[MailItem]:
    """Every message of one IMAP folder, selected read-only and fetched with BODY.PEEK (flags stay as they were)."""
    target = parse_imap_url(url)
    password = os.environ.get(IMAP_PASSWORD_ENV) or _keyring_password(target)
    if password is None:
        raise BadInput(
            "no IMAP password",
            target.display(),
            f"set ${IMAP_PASSWORD_ENV} or store it with: keyring set {KEYRING_SERVICE} {target.user}@{target.host}",
        )
    try:
        client: imaplib.IMAP4 = (
            imaplib.IMAP4_SSL(target.host, target.port, timeout=timeout)
            if target.tls
            else imaplib.IMAP4(target.host, target.port, timeout=timeout)
        )
    except OSError as exc:
        raise BadInput("cannot connect to IMAP server", target.display(), exc.strerror or str(exc)) from None
    try:
        try:
            client.login(target.user, password)
        except imaplib.IMAP4.error:
            raise BadInput("IMAP login refused", target.display(), "check the user and password") from None
        status, _ = client.select(_quote(target.folder), readonly=True)
        if status != "OK":
            raise BadInput("cannot open IMAP folder", target.display(), "no such folder or no access")
        status, data = client.uid("SEARCH", "ALL")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            name = f"{target.display()};UID={uid.decode()}"
            status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in fetched if isinstance(part, tuple) and len(part) > 1), None)
            if status != "OK" or not isinstance(raw, bytes):
                yield MailItem(name, b"", error=f"cannot fetch {name}")
                continue
            yield MailItem(name, raw)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise BadInput("IMAP session failed", target.display(), str(exc).replace(password, "***")) from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _keyring_password(target: ImapTarget) -> str | None:
    """The password from the system keyring, when there is one that holds it."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, f"{target.user}@{target.host}")
    except (KeyringError, RuntimeError, OSError):
        return None  # no usable keyring backend on this machine


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
