"""What the mail rules see inside archive attachments: each member's name, size, encryption and kind,
listed by the artifact scanner's safe walk (`heistguard.artifacts.walk`), the one archive reader.

The walk runs in its listing mode (`Limits.member_head`): names and sizes come from the archive's
directory and only each member's head is decompressed to identify it, so a message with a zip bomb
costs about what a normal one does and gets an `artifacts.archive-bomb` finding instead of a hang.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from heistguard.artifacts import walk
from heistguard.artifacts.filetype import FileType, Kind
from heistguard.mail.message import Attachment

LIMITS = walk.Limits(
    max_depth=4,  # archives inside archives
    max_members=1000,  # members of one archive; the rest are not listed
    max_total_bytes=128 * walk.MiB,  # bytes decompressed for one attachment, heads and nested archives
    member_head=64 * 1024,  # enough bytes to identify a member (an ISO's signature sits at 32 KiB)
    text_head=64 * 1024,  # scripts in attachments are padded with comments to hide their shape
)
# Archives the walk lists: those it opens, and RAR, which it does not open but whose headers name its
# encrypted members.
_LISTED = walk.UNPACKED_KINDS | {Kind.RAR}
# Problems about one member that leave its name and size known but its bytes unread.
_UNREAD = frozenset({walk.ENCRYPTED, walk.BOMB, walk.UNREADABLE, walk.TOO_LARGE})


@dataclass(frozen=True, slots=True)
class Member:
    name: str  # "setup.exe", or "inner.zip!setup.exe" inside a nested archive
    encrypted: bool
    size: int
    filetype: FileType | None  # None when not read (encrypted, a bomb, unreadable)


@dataclass(frozen=True, slots=True)
class Listing:
    members: tuple[Member, ...]
    problems: tuple[walk.Problem, ...]  # what the walk refused or could not read


_EMPTY = Listing((), ())


def listing(attachment: Attachment) -> Listing:
    """The members of an archive attachment (ZIP, JAR, tar, gzip, bzip2, xz; nested ones too; a RAR's
    encrypted members) and the walk's problems; empty for anything else."""
    if attachment.filetype.kind not in _LISTED:
        return _EMPTY
    return _listing(attachment.name, attachment.data, attachment.filetype)


def members(attachment: Attachment) -> tuple[Member, ...]:
    """The members of an archive attachment; () for anything else or an archive that cannot be read."""
    return listing(attachment).members


@lru_cache(maxsize=4)  # the rules of one message ask about the same attachments; keep few alive
def _listing(name: str, data: bytes, filetype: FileType) -> Listing:
    prefix = name + "!"
    found: list[Member] = []
    problems: list[walk.Problem] = []
    for item in walk.walk_bytes(name, data, LIMITS, filetype):
        if isinstance(item, walk.Member):
            if item.depth > 0:
                found.append(Member(item.path[len(prefix) :], False, item.size, item.filetype))
            continue
        problems.append(item)
        if item.kind in _UNREAD and item.size is not None and item.path.startswith(prefix):
            found.append(Member(item.path[len(prefix) :], item.kind == walk.ENCRYPTED, item.size, None))
    return Listing(tuple(found), tuple(problems))
