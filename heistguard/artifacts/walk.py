"""Safe walk and unpack: turn a directory, git checkout, archive or single file into the files inside
it, in memory, under strict limits, without ever following a link out of the tree or executing,
importing or extracting anything to disk.

The walk yields `Member`s (a file's bytes and where it sits) and `Problem`s (what the walk refused
or could not read, each becoming a finding of one of the `artifacts.archive-*` / `artifacts.*-file`
rules), so one hostile or broken file is reported and the rest of the tree is still scanned.
It is the one archive reader of the project: the mail guard lists its attachments' archives with it
too, in the cheaper `member_head` mode that reads only the head of each member.
"""

from __future__ import annotations

import bz2
import io
import lzma
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from heistguard.artifacts.filetype import FileType, Kind, identify, name_suggests, zip_flavour
from heistguard.artifacts.rar import read_rar

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """How far the walk goes before it stops and says so. Defaults suit a repo, a package or an
    attachment; a zip bomb or a 10,000-member archive hits them in milliseconds."""

    max_depth: int = 4  # archives inside archives
    max_members: int = 5000  # members of one archive
    max_file_bytes: int = 64 * MiB  # one file's bytes that are read and scanned
    max_total_bytes: int = 1024 * MiB  # bytes unpacked from one archive, members and nested archives together
    max_ratio: int = 200  # uncompressed / compressed size of a member, checked above `ratio_floor`
    # A bomb must be extreme in ratio AND large (as ClamAV's and 7-Zip's limits pair a ratio with sizes):
    # a few megabytes of zeros or of a repetitive log deflate past 1000:1 honestly, while a bomb has to
    # expand to hundreds of megabytes or more to hurt anyone.
    ratio_floor: int = 100 * MiB
    # When set, a ZIP member is decompressed only this far, enough to identify it by its bytes; it is
    # read whole only when it is itself an archive to open (or a 7z), and unidentified data also gets
    # its last 512 bytes (a disk image signs at its end). A member over the ratio limit is reported and
    # skipped rather than ending the archive. The mail guard's listing mode: names and kinds, at a
    # fraction of a full scan's cost.
    member_head: int | None = None
    text_head: int = 4096  # bytes of a text file searched for script shapes (see `identify`)


@dataclass(frozen=True, slots=True)
class Member:
    """One file to scan: `path` is shown to people (`repo/src/a.js`, `pkg.tgz!package/index.js`),
    `inner` is its place inside the artifact (`src/a.js`), which rules match names against."""

    path: str
    inner: str
    data: bytes
    filetype: FileType
    size: int  # the real size; larger than len(data) when only a head was read
    depth: int = 0  # 0 on disk, n inside n archives


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the walk refused or could not read; `kind` names the rule it becomes."""

    kind: str
    path: str
    detail: str
    # The declared size of a member the walk names but does not yield (encrypted, a bomb, unreadable,
    # too large): with the name in `path`, all a listing can know of it.
    size: int | None = None


# Problem kinds (rule ids are `artifacts.<kind>`).
TRAVERSAL = "archive-path-traversal"
BOMB = "archive-bomb"
LIMIT = "archive-limit"
LINK_OUT = "link-out-of-tree"
SPECIAL = "special-file"
UNREADABLE = "unreadable-file"
TOO_LARGE = "file-too-large"
ENCRYPTED = "encrypted-member"

# Kinds whose members the walk opens; OOXML/ODF are documents and left to the document rules.
UNPACKED_KINDS = frozenset({Kind.ZIP, Kind.JAR, Kind.CRX, Kind.TAR, Kind.GZIP, Kind.BZIP2, Kind.XZ})
# Parts of a git checkout worth reading: what runs (hooks) and what configures what runs.
_GIT_READ = ("hooks", "config", "info/attributes")
_HEAD = 65536
# Script shapes of text files (the kind of an extension-less script) are looked for in this head
# (`Limits.text_head`): the walk's detectors go by name and content, so the typing only needs the common case.
_TEXT_HEAD = 4096


class _Budget:
    """Bytes and members one top-level archive may still unpack, shared by its nested archives."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.bytes_left = limits.max_total_bytes
        self.exhausted = False


def walk(path: Path, limits: Limits = Limits(), display: str | None = None) -> Iterator[Member | Problem]:
    """Every file under `path` (a directory, an archive or a single file), archives opened in memory."""
    for item in tree_entries(path, display):
        if isinstance(item, Problem):
            yield item
        else:
            yield from read_entry(item, limits)


def walk_bytes(
    name: str, data: bytes, limits: Limits = Limits(), filetype: FileType | None = None
) -> Iterator[Member | Problem]:
    """The same walk over bytes already in memory (a mail attachment): `name` is how it is shown;
    `filetype`, when the caller has already identified the bytes, saves identifying them again."""
    if len(data) > limits.max_file_bytes:
        yield Problem(TOO_LARGE, name, f"{len(data):,} bytes, over the {limits.max_file_bytes:,}-byte limit")
        data = data[: limits.max_file_bytes]
        filetype = None
    yield from _expand(name, name, data, len(data), 0, limits, _Budget(limits), filetype)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A file found in a tree but not read yet: the unit a parallel scan hands to a worker."""

    path: str
    inner: str
    where: str
    mode: int
    size: int


def read_entry(entry: FileEntry, limits: Limits = Limits()) -> Iterator[Member | Problem]:
    """The file an entry names, and its members if it is an archive."""
    yield from _read_file(entry.path, entry.inner, entry.where, entry.mode, entry.size, limits)


def tree_entries(path: Path, display: str | None = None) -> Iterator[FileEntry | Problem]:
    """The files of `path` without reading them (a directory's files, or the file itself), plus what
    the walk refused on the way (links out of the tree, unreadable folders)."""
    shown = display if display is not None else str(path)
    try:
        info = path.lstat()
    except OSError as exc:
        yield Problem(UNREADABLE, shown, exc.strerror or str(exc))
        return
    if stat.S_ISLNK(info.st_mode):
        try:
            path = path.resolve(strict=True)
            info = path.stat()
        except (OSError, RuntimeError) as exc:
            yield Problem(LINK_OUT, shown, f"link cannot be resolved: {getattr(exc, 'strerror', None) or exc}")
            return
    if stat.S_ISDIR(info.st_mode):
        yield from _directory_entries(path, shown)
    else:
        yield FileEntry(str(path), path.name, shown, info.st_mode, info.st_size)


def _directory_entries(root: Path, shown: str) -> Iterator[FileEntry | Problem]:
    # Plain strings, not Path objects: on a 45,000-file tree, pathlib's parsing alone costs seconds.
    real_root = root.resolve()
    root_text = str(root)
    cut = len(root_text.rstrip(os.sep)) + 1
    base = "" if shown in (".", "./") else shown.rstrip("/") + "/"
    stack = [root_text]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            rel_dir = directory[cut:].replace(os.sep, "/")
            yield Problem(UNREADABLE, base + rel_dir if rel_dir else shown, exc.strerror or str(exc))
            continue
        subdirs = []
        for entry in entries:
            rel = entry.path[cut:].replace(os.sep, "/")
            where = base + rel
            if ".git" in rel and not _wanted_in_git_dir(rel):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                yield Problem(UNREADABLE, where, exc.strerror or str(exc))
                continue
            if stat.S_ISLNK(info.st_mode):
                problem = _check_link(Path(entry.path), real_root, where)
                if problem:
                    yield problem
                continue  # a link inside the tree points at something the walk reaches anyway
            if stat.S_ISDIR(info.st_mode):
                subdirs.append(entry.path)
            else:
                yield FileEntry(entry.path, rel, where, info.st_mode, info.st_size)
        stack.extend(reversed(subdirs))


def _wanted_in_git_dir(rel: str) -> bool:
    """Inside `.git`, only hooks and config matter; objects and packs are compressed history."""
    parts = rel.split("/")
    if ".git" not in parts:
        return True
    inner = "/".join(parts[parts.index(".git") + 1 :])
    return inner == "" or any(inner == keep or inner.startswith(keep + "/") for keep in _GIT_READ)


def _check_link(link: Path, real_root: Path, where: str) -> Problem | None:
    try:
        target = os.readlink(link)
    except OSError as exc:
        return Problem(UNREADABLE, where, exc.strerror or str(exc))
    try:
        resolved = link.resolve(strict=True)
    except RuntimeError:
        return Problem(LINK_OUT, where, f"symbolic link loop via {target!r}")
    except OSError:
        return Problem(LINK_OUT, where, f"dangling symbolic link to {target!r}")
    if resolved != real_root and real_root not in resolved.parents:
        return Problem(LINK_OUT, where, f"symbolic link points out of the tree, to {target!r}")
    return None


def _read_file(path: str, inner: str, where: str, mode: int, size: int, limits: Limits) -> Iterator[Member | Problem]:
    if not stat.S_ISREG(mode):
        # FIFOs, sockets and devices: opening one can block forever or read a live device.
        yield Problem(SPECIAL, where, f"{_special_kind(mode)}, not read")
        return
    try:
        with open(path, "rb") as handle:
            data = handle.read(limits.max_file_bytes)
            tail = b""
            filetype = None
            if size > limits.max_file_bytes:
                handle.seek(max(size - 512, 0))
                tail = handle.read(512)
                filetype = identify(data, size, tail, text_head=limits.text_head)
                if filetype.kind in (Kind.ZIP, Kind.OOXML, Kind.ODF, Kind.JAR):
                    # Typed like a smaller file: zipfile reads only the central directory at the file's end.
                    handle.seek(0)
                    filetype = zip_flavour(handle)
    except OSError as exc:
        yield Problem(UNREADABLE, where, exc.strerror or str(exc))
        return
    if filetype is not None:
        yield Problem(TOO_LARGE, where, f"{size:,} bytes, over the {limits.max_file_bytes:,}-byte limit; head scanned")
        yield Member(where, inner, data, filetype, size)
        return
    yield from _expand(where, inner, data, size, 0, limits, _Budget(limits))


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "special file"


def _expand(
    where: str,
    inner: str,
    data: bytes,
    size: int,
    depth: int,
    limits: Limits,
    budget: _Budget,
    filetype: FileType | None = None,
) -> Iterator[Member | Problem]:
    """Yield the file itself, then, if it is an archive, its members (recursively, within limits).
    `data` may be only the head of the file (`size` is then larger) when `filetype` is known."""
    if filetype is None:
        # From all its bytes, not a head: a ZIP's flavour (a .docx, a .jar), a 7z's encryption and a RAR's
        # member headers lie past the first 64 KiB, and the type must not depend on the file's size.
        filetype = identify(data, size, data[-512:], text_head=limits.text_head)
    yield Member(where, inner, data, filetype, size, depth)
    if filetype.kind is Kind.SEVENZIP and filetype.detail.startswith("encrypted"):
        # 7z is typed, not opened; its end header still tells that a password locks it.
        yield Problem(ENCRYPTED, where, f"password-protected 7-Zip archive ({filetype.detail}); not scanned")
    if filetype.kind is Kind.RAR and filetype.detail:
        yield from _rar_encrypted(where, data, limits)
    if filetype.kind not in UNPACKED_KINDS:
        return
    if len(data) < size:  # only the head was read (`member_head` mode): too large to open
        yield Problem(TOO_LARGE, where, f"{size:,} bytes, over the size limit; not opened")
        return
    if depth >= limits.max_depth:
        yield Problem(LIMIT, where, f"archive nested {depth + 1} deep, over the depth limit of {limits.max_depth}")
        return
    if budget.exhausted:
        return
    try:
        if filetype.kind in (Kind.ZIP, Kind.JAR, Kind.CRX):
            members = _zip_members(where, data, filetype.kind is Kind.CRX, limits, budget)
        else:
            members = _compressed_members(where, inner, data, filetype.kind, limits, budget)
        for item in members:
            if isinstance(item, Problem):
                yield item
                continue
            name, content, member_size, member_type = item
            yield from _expand(
                f"{where}!{name}", f"{inner}!{name}", content, member_size, depth + 1, limits, budget, member_type
            )
    except _Stop as stop:
        yield stop.problem


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _safe_name(where: str, name: str) -> tuple[str, Problem | None]:
    """A member name made safe to show, and a problem when the archive tried to climb out of its tree."""
    clean = name.replace("\\", "/")
    problem = None
    reasons = []
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":"):
        reasons.append("absolute path")
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if ".." in parts:
        reasons.append("'..' component")
    if reasons:
        problem = Problem(TRAVERSAL, f"{where}!{name}", f"member name {name!r} has an {' and '.join(reasons)}")
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":
        parts = parts[1:]  # drop a Windows drive letter
    safe = "/".join(p for p in parts if p != "..")
    return safe or "_", problem


def _over_ratio(where: str, name: str, nbytes: int, compressed: int, limits: Limits) -> Problem | None:
    """A bomb problem when a member expands to more than `ratio_floor` bytes and more than `max_ratio` times."""
    if nbytes > limits.ratio_floor and compressed > 0 and nbytes / compressed > limits.max_ratio:
        return Problem(
            BOMB,
            f"{where}!{name}",
            f"{compressed:,} bytes expand to {nbytes:,} (ratio {nbytes // compressed:,}:1, limit {limits.max_ratio}:1)",
            size=nbytes,
        )
    return None


def _charge(where: str, name: str, nbytes: int, compressed: int, budget: _Budget, read: int | None = None) -> None:
    """Check a member's ratio and take what is unpacked (`read` bytes, all `nbytes` unless given) from the budget."""
    limits = budget.limits
    bomb = _over_ratio(where, name, nbytes, compressed, limits)
    if bomb is not None:
        budget.exhausted = True
        raise _Stop(bomb)
    budget.bytes_left -= nbytes if read is None else read
    if budget.bytes_left < 0:
        budget.exhausted = True
        raise _Stop(Problem(BOMB, where, f"unpacks to more than {limits.max_total_bytes:,} bytes; stopped at {name!r}"))


# In `member_head` mode a member is read whole only when its head shows an archive to open (or a 7z or a
# RAR, whose encryption its end header or its member headers tell); data that only its end identifies
# (DMG and VHD trailers) gets its last 512 bytes too.
_READ_WHOLE = UNPACKED_KINDS | {Kind.SEVENZIP, Kind.RAR}
_NEEDS_TAIL = frozenset({Kind.UNKNOWN})
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error)
_AES_EXTRA = 0x9901  # WinZip AES: the real method and key strength live in this extra field


def _encryption(info: zipfile.ZipInfo) -> str:
    """How a ZIP member is encrypted ("" when it is not), from its flags and extra fields alone."""
    extra = info.extra
    at = 0
    while at + 4 <= len(extra):
        field_id = int.from_bytes(extra[at : at + 2], "little")
        length = int.from_bytes(extra[at + 2 : at + 4], "little")
        if field_id == _AES_EXTRA:
            # Its data: vendor version (2 bytes), vendor id "AE" (2), key strength (1), real method (2).
            known = length >= 5 and at + 8 < len(extra)
            strength = {1: "AES-128", 2: "AES-192", 3: "AES-256"}.get(extra[at + 8] if known else 0, "AES")
            return f"WinZip {strength}"
        at += 4 + length
    if info.compress_type == 99:
        return "WinZip AES"
    if info.flag_bits & 0x41 == 0x41:
        return "PKWARE strong encryption"
    if info.flag_bits & 0x1:
        return "ZipCrypto"
    return ""


def _encrypted_problem(path: str, name: str, size: int, what: str) -> Problem:
    suggests = name_suggests(name)
    detail = f"{what}, {size:,} bytes unpacked; its content cannot be scanned"
    if suggests:
        detail += f"; the name says {suggests}"
    return Problem(ENCRYPTED, path, detail, size=size)


def _rar_encrypted(where: str, data: bytes, limits: Limits) -> Iterator[Problem]:
    """RAR is typed, not opened; its headers name the encrypted members, or say the names are hidden too."""
    headers = read_rar(data, limits.max_members)
    if headers is None:
        return
    if headers.headers_encrypted:
        yield Problem(
            ENCRYPTED,
            where,
            f"RAR {headers.version} archive with encrypted headers: names and content hidden by a password",
        )
        return
    for entry in headers.entries:
        if entry.encrypted and not entry.directory:
            name, _ = _safe_name(where, entry.name)  # only shown: nothing is extracted, so no path can escape
            yield _encrypted_problem(
                f"{where}!{name}", name, entry.size, f"password-protected RAR {headers.version} member"
            )


def _zip_members(
    where: str, data: bytes, crx: bool, limits: Limits, budget: _Budget
) -> Iterator[tuple[str, bytes, int, FileType | None] | Problem]:
    if crx:
        # CRX2/CRX3: a header of signatures, then a plain ZIP.
        start = data.find(b"PK\x03\x04")
        if start < 0:
            yield Problem(UNREADABLE, where, "Chrome extension without a ZIP payload")
            return
        data = data[start:]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        yield Problem(UNREADABLE, where, f"truncated or corrupt ZIP archive: {exc}")
        return
    if len(infos) > limits.max_members:
        yield Problem(
            LIMIT, where, f"{len(infos):,} members, over the limit of {limits.max_members:,}; first ones scanned"
        )
        infos = infos[: limits.max_members]
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_bytes and limits.member_head is None:
        # (In head mode what a member declares costs nothing; the ratio check below still applies.)
        budget.exhausted = True
        yield Problem(BOMB, where, f"declares {declared:,} unpacked bytes, over the {limits.max_total_bytes:,} limit")
        return
    with archive:
        for info in infos:
            name, problem = _safe_name(where, info.filename)
            if problem:
                yield problem
            if info.filename.endswith("/"):  # not is_dir(): it fails on the empty name a corrupt entry can carry
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                yield Problem(LINK_OUT, f"{where}!{name}", "symbolic link stored in a ZIP archive, not followed")
                continue
            method = _encryption(info)
            if method:
                yield _encrypted_problem(f"{where}!{name}", name, info.file_size, f"{method}-encrypted member")
                continue
            if limits.member_head is not None:
                yield from _zip_member_head(archive, info, where, name, limits, budget)
                continue
            bomb = _over_ratio(where, name, info.file_size, info.compress_size, limits)
            if bomb is not None:  # before the size check: a 4 GB member of zeros is a bomb, not just large
                budget.exhausted = True
                raise _Stop(bomb)
            if info.file_size > limits.max_file_bytes:
                yield Problem(
                    TOO_LARGE, f"{where}!{name}", f"{info.file_size:,} bytes, over the size limit", info.file_size
                )
                continue
            _charge(where, name, info.file_size, info.compress_size, budget)
            try:
                with archive.open(info) as handle:
                    content = handle.read(limits.max_file_bytes + 1)
            except _ZIP_ERRORS as exc:
                yield _unreadable(f"{where}!{name}", exc, info.file_size)
                continue
            yield name, content[: limits.max_file_bytes], info.file_size, None


def _zip_member_head(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, name: str, limits: Limits, budget: _Budget
) -> Iterator[tuple[str, bytes, int, FileType | None] | Problem]:
    """`member_head` mode: the member's head and what it is; the whole member only when `_READ_WHOLE` asks."""
    head_size = limits.member_head or _HEAD
    bomb = _over_ratio(where, name, info.file_size, info.compress_size, limits)
    if bomb is not None:
        # Reported and skipped, not read: the members after it are still listed, so a bomb placed
        # first cannot hide the program behind it.
        yield bomb
        return
    _charge(where, name, info.file_size, info.compress_size, budget, read=min(info.file_size, head_size))
    try:
        with archive.open(info) as handle:
            content = handle.read(head_size)
            if len(content) == info.file_size:
                yield name, content, info.file_size, None
                return
            filetype = identify(content, info.file_size, b"", text_head=limits.text_head)
            if filetype.kind in _NEEDS_TAIL:
                # Seeking decompresses up to the end (no memory kept), so it is charged as read.
                _charge(where, name, 0, info.compress_size, budget, read=info.file_size - len(content))
                handle.seek(max(info.file_size - 512, len(content)))
                filetype = identify(content, info.file_size, handle.read(512), text_head=limits.text_head)
            if filetype.kind not in _READ_WHOLE or info.file_size > limits.max_file_bytes:
                yield name, content, info.file_size, filetype
                return
            _charge(where, name, 0, info.compress_size, budget, read=info.file_size - len(content))
            content += handle.read(limits.max_file_bytes + 1 - len(content))
    except _ZIP_ERRORS as exc:
        yield _unreadable(f"{where}!{name}", exc, info.file_size)
        return
    # Typed again from all its bytes: a ZIP's flavour (OOXML document, JAR) is in its central directory,
    # past the head, and a document is not unpacked.
    content = content[: limits.max_file_bytes]
    yield name, content, info.file_size, identify(content, info.file_size, text_head=limits.text_head)


def _unreadable(path: str, exc: Exception, size: int) -> Problem:
    why = "decompressed" if isinstance(exc, zlib.error) else "read"
    return Problem(UNREADABLE, path, f"member cannot be {why}: {exc}", size)


def _decompress(data: bytes, kind: Kind, cap: int) -> bytes:
    """At most `cap` + 1 bytes of a gzip/bzip2/xz stream: enough to tell it is over the limit."""
    if kind is Kind.GZIP:
        gz = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return gz.decompress(data, cap + 1)
    if kind is Kind.BZIP2:
        return bz2.BZ2Decompressor().decompress(data, cap + 1)
    return lzma.LZMADecompressor().decompress(data, cap + 1)


_STEP = 1 * MiB


def _expands_past(data: bytes, kind: Kind, cap: int) -> bool:
    """Whether a gzip/bzip2/xz stream expands past `cap` bytes, counted a MiB at a time and never kept:
    a bomb is told in bounded memory before anything is held."""
    total = 0
    if kind is Kind.GZIP:
        gz = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = data
        while total <= cap and not gz.eof:
            part = gz.decompress(pending, _STEP)  # may still give output held in zlib once the input is used up
            pending = gz.unconsumed_tail
            total += len(part)
            if not part and not pending:
                break  # cut short: no more to come
        return total > cap
    decoder = bz2.BZ2Decompressor() if kind is Kind.BZIP2 else lzma.LZMADecompressor()
    chunk = data
    while total <= cap:
        total += len(decoder.decompress(chunk, _STEP))
        chunk = b""
        if decoder.eof or decoder.needs_input:
            break
    return total > cap


def _compressed_members(
    where: str, inner: str, data: bytes, kind: Kind, limits: Limits, budget: _Budget
) -> Iterator[tuple[str, bytes, int, FileType | None] | Problem]:
    if kind is Kind.TAR:
        plain = data
    else:
        cap = min(limits.max_total_bytes, max(limits.ratio_floor, len(data) * limits.max_ratio))
        try:
            bomb = _expands_past(data, kind, cap)
            plain = b"" if bomb else _decompress(data, kind, cap)
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
            yield Problem(UNREADABLE, where, f"truncated or corrupt {kind.value} stream: {exc}")
            return
        if bomb or len(plain) > cap:
            budget.exhausted = True
            yield Problem(
                BOMB, where, f"{len(data):,} compressed bytes expand past {cap:,} (limit ratio {limits.max_ratio}:1)"
            )
            return
        if not (len(plain) >= 262 and plain[257:262] == b"ustar"):
            # A single compressed file (`x.js.gz`): its one member is the payload without the suffix.
            name = PurePosixPath(inner.rsplit("!", 1)[-1]).stem or "payload"
            _charge(where, name, len(plain), len(data), budget)
            yield name, plain, len(plain), None
            return
        _charge(where, "(tar)", len(plain), len(data), budget)
    yield from _tar_members(where, plain, limits, budget)


def _tar_members(
    where: str, plain: bytes, limits: Limits, budget: _Budget
) -> Iterator[tuple[str, bytes, int, FileType | None] | Problem]:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(plain), mode="r:")  # noqa: SIM115 (closed by the `with` below)
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        yield Problem(UNREADABLE, where, f"truncated or corrupt tar archive: {exc}")
        return
    count = 0
    with archive:
        while True:
            try:
                info = archive.next()
            except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
                yield Problem(UNREADABLE, where, f"truncated or corrupt tar archive after {count} members: {exc}")
                return
            if info is None:
                return
            count += 1
            if count > limits.max_members:
                yield Problem(LIMIT, where, f"more than {limits.max_members:,} members; first ones scanned")
                return
            name, problem = _safe_name(where, info.name)
            if problem:
                yield problem
            if info.isdir():
                continue
            if info.issym() or info.islnk():
                target = info.linkname.replace("\\", "/")
                parent = PurePosixPath(name).parent
                escapes = (
                    target.startswith("/")
                    or ".."
                    in PurePosixPath(
                        os.path.normpath(str(parent / target)) if not info.islnk() else os.path.normpath(target)
                    ).parts
                )
                if escapes:
                    kind = "hard" if info.islnk() else "symbolic"
                    yield Problem(
                        LINK_OUT, f"{where}!{name}", f"{kind} link points out of the archive, to {info.linkname!r}"
                    )
                continue
            if not info.isreg():
                yield Problem(SPECIAL, f"{where}!{name}", "device file, FIFO or other special member, not read")
                continue
            if info.size > limits.max_file_bytes:
                yield Problem(TOO_LARGE, f"{where}!{name}", f"{info.size:,} bytes, over the size limit")
                continue
            handle = archive.extractfile(info)
            if handle is None:
                continue
            try:
                content = handle.read(limits.max_file_bytes + 1)
            except (tarfile.TarError, OSError, EOFError) as exc:
                yield Problem(UNREADABLE, f"{where}!{name}", f"member cannot be read: {exc}")
                return
            if len(content) < info.size:
                yield Problem(UNREADABLE, f"{where}!{name}", "member is truncated")
            yield name, content[: limits.max_file_bytes], info.size, None
