"""A bounded look inside archive attachments: member names, encryption flags and what each member's bytes are.

Only ZIP is opened (Python's zipfile reads the central directory; nothing is extracted to disk).
Limits keep a zip bomb from costing more than a normal attachment.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from heistguard.artifacts.filetype import FileType, Kind, identify
from heistguard.mail.message import Attachment

MAX_MEMBERS = 200
MAX_MEMBER_READ = 64 * 1024  # enough bytes to identify a member
MAX_RATIO = 200  # declared size / compressed size beyond which a member is not read


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    encrypted: bool
    size: int
    filetype: FileType | None  # None when not read (encrypted, too compressed, unreadable)


def members(attachment: Attachment) -> tuple[Member, ...]:
    """The members of a ZIP-family attachment (first MAX_MEMBERS); () for anything else or a broken archive."""
    if attachment.filetype.kind not in (Kind.ZIP, Kind.JAR, Kind.OOXML, Kind.ODF):
        return ()
    return _zip_members(attachment.data)


@lru_cache(maxsize=4)  # the rules of one message ask about the same attachments; keep few alive
def _zip_members(data: bytes) -> tuple[Member, ...]:
    out: list[Member] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist()[:MAX_MEMBERS]:
                encrypted = bool(info.flag_bits & 0x1)
                filetype = None
                ratio_ok = info.compress_size == 0 or info.file_size / max(info.compress_size, 1) < MAX_RATIO
                if not encrypted and not info.is_dir() and ratio_ok:
                    try:
                        with archive.open(info) as handle:
                            filetype = identify(handle.read(MAX_MEMBER_READ), size=info.file_size)
                    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
                        filetype = None
                out.append(Member(info.filename, encrypted, info.file_size, filetype))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return tuple(out)
    return tuple(out)
