"""RAR archive headers read from their bytes: whether a password hides the file list or locks members, and
each member's name and unpacked size. Written from RARLAB's published format descriptions (the RAR 1.5-4.x
technote and "RAR 5.0 archive format"); nothing is ever decompressed, decrypted or extracted, and no RAR
tool is run."""

from __future__ import annotations

import struct
from dataclasses import dataclass

RAR4_SIGNATURE = b"Rar!\x1a\x07\x00"
RAR5_SIGNATURE = b"Rar!\x1a\x07\x01\x00"

# RAR 1.5-4.x block types and flags (technote.txt).
_R4_MAIN = 0x73
_R4_FILE = 0x74
_R4_END = 0x7B
_R4_LONG_BLOCK = 0x8000  # a 4-byte ADD_SIZE (bytes of data after the header) follows HEAD_SIZE
_R4_MAIN_PASSWORD = 0x0080  # every header after the main one is encrypted
_R4_FILE_PASSWORD = 0x0004
_R4_FILE_LARGE = 0x0100  # 64-bit sizes: HIGH_PACK_SIZE and HIGH_UNP_SIZE follow ATTR
_R4_FILE_UNICODE = 0x0200  # the name is "OEM name, NUL, packed Unicode name"
_R4_DIRECTORY = 0x00E0
_R4_FILE_FIXED = struct.Struct("<IIBIIBBHI")  # PACK_SIZE .. ATTR, after the 7-byte block header

# RAR 5.0 header types and flags ("RAR 5.0 archive format").
_R5_FILE = 2
_R5_ENCRYPTION = 4  # archive encryption header: every header after it is encrypted
_R5_END = 5
_R5_HAS_EXTRA = 0x0001
_R5_HAS_DATA = 0x0002
_R5_DIRECTORY = 0x0001
_R5_HAS_MTIME = 0x0002
_R5_HAS_CRC = 0x0004
_R5_EXTRA_ENCRYPTION = 0x01  # file extra record: the member's data is encrypted (AES-256)


@dataclass(frozen=True, slots=True)
class RarEntry:
    name: str
    size: int  # unpacked size as declared
    encrypted: bool
    directory: bool


@dataclass(frozen=True, slots=True)
class RarHeaders:
    version: int  # 4 (RAR 1.5-4.x) or 5
    headers_encrypted: bool  # the file list itself is encrypted: no name or size can be read
    entries: tuple[RarEntry, ...]
    complete: bool  # the end of the headers was reached (False: cut off, broken, or over `max_entries`)

    @property
    def encryption(self) -> str:
        """ "encrypted, names hidden", "encrypted" (a member is) or "" (none seen)."""
        if self.headers_encrypted:
            return "encrypted, names hidden"
        return "encrypted" if any(e.encrypted for e in self.entries) else ""


def read_rar(data: bytes, max_entries: int = 100_000) -> RarHeaders | None:
    """The headers of a RAR 4 or RAR 5 archive, as far as `data` holds them; None when it is not one."""
    if data.startswith(RAR5_SIGNATURE):
        return _read_rar5(data, max_entries)
    if data.startswith(RAR4_SIGNATURE):
        return _read_rar4(data, max_entries)
    return None


def _header_budget(max_entries: int) -> int:
    """Headers read at most: a file's own plus a few service headers (comments, streams) per entry, so a
    file of millions of empty headers costs no more than a real archive of `max_entries` members."""
    return 4 * max_entries + 16


def _read_rar4(data: bytes, max_entries: int) -> RarHeaders:
    entries: list[RarEntry] = []
    pos = len(RAR4_SIGNATURE)  # the marker block is the signature itself
    for _ in range(_header_budget(max_entries)):
        if pos + 7 > len(data) or len(entries) >= max_entries:
            break
        _crc, kind, flags, head_size = struct.unpack_from("<HBHH", data, pos)
        if head_size < 7:
            break  # broken: a header cannot be shorter than its own fields
        add_size = int.from_bytes(data[pos + 7 : pos + 11], "little") if flags & _R4_LONG_BLOCK else 0
        if kind == _R4_MAIN and flags & _R4_MAIN_PASSWORD:
            return RarHeaders(4, True, (), True)
        if kind == _R4_END:
            return RarHeaders(4, False, tuple(entries), True)
        if kind == _R4_FILE:
            fixed_end = pos + 7 + _R4_FILE_FIXED.size
            if fixed_end > len(data) or head_size < 7 + _R4_FILE_FIXED.size:
                break
            pack_size, unp_size, _os, _crc32, _time, _ver, _method, name_size, _attr = _R4_FILE_FIXED.unpack_from(
                data, pos + 7
            )
            name_at = fixed_end
            if flags & _R4_FILE_LARGE:
                if name_at + 8 > len(data):
                    break
                high_pack, high_unp = struct.unpack_from("<II", data, name_at)
                pack_size |= high_pack << 32
                unp_size |= high_unp << 32
                name_at += 8
            raw_name = data[name_at : name_at + name_size]
            if flags & _R4_FILE_UNICODE:
                raw_name = raw_name.split(b"\x00", 1)[0]  # the OEM form; the packed Unicode form is not decoded
            entries.append(
                RarEntry(
                    _decode_name(raw_name),
                    unp_size,
                    bool(flags & _R4_FILE_PASSWORD),
                    flags & _R4_DIRECTORY == _R4_DIRECTORY,
                )
            )
            add_size = pack_size
        pos += head_size + add_size
    return RarHeaders(4, False, tuple(entries), False)


def _decode_name(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp437")  # the DOS OEM code page RAR 4 wrote names in on Windows


def _vint(buf: bytes, at: int) -> tuple[int, int]:
    """A RAR 5 variable-length integer: 7 bits per byte, low first, the high bit saying another follows."""
    value = 0
    for index in range(10):
        byte = buf[at + index]  # IndexError when cut off: the caller stops there
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, at + index + 1
    raise ValueError("variable-length integer longer than 10 bytes")


def _read_rar5(data: bytes, max_entries: int) -> RarHeaders:
    entries: list[RarEntry] = []
    pos = len(RAR5_SIGNATURE)
    try:
        for _ in range(_header_budget(max_entries)):
            if pos >= len(data) or len(entries) >= max_entries:
                break
            # Header CRC32 (4 bytes), header size (vint), then `size` bytes from the header type on.
            size, start = _vint(data, pos + 4)
            end = start + size
            if size == 0 or end > len(data):
                break
            header = data[start:end]
            kind, at = _vint(header, 0)
            flags, at = _vint(header, at)
            extra_size = data_size = 0
            if flags & _R5_HAS_EXTRA:
                extra_size, at = _vint(header, at)
            if flags & _R5_HAS_DATA:
                data_size, at = _vint(header, at)
            if kind == _R5_ENCRYPTION:
                return RarHeaders(5, True, (), True)
            if kind == _R5_END:
                return RarHeaders(5, False, tuple(entries), True)
            if kind == _R5_FILE:
                entries.append(_rar5_file(header, at, extra_size))
            pos = end + data_size
    except (IndexError, ValueError):
        pass  # cut off or broken: what was read so far stands
    return RarHeaders(5, False, tuple(entries), False)


def _rar5_file(header: bytes, at: int, extra_size: int) -> RarEntry:
    file_flags, at = _vint(header, at)
    unpacked, at = _vint(header, at)
    _attributes, at = _vint(header, at)
    at += 4 if file_flags & _R5_HAS_MTIME else 0
    at += 4 if file_flags & _R5_HAS_CRC else 0
    _compression, at = _vint(header, at)
    _host_os, at = _vint(header, at)
    name_size, at = _vint(header, at)
    name = header[at : at + name_size].decode("utf-8", "replace")
    encrypted = False
    extra = header[len(header) - extra_size :] if 0 < extra_size <= len(header) else b""
    cursor = 0
    while cursor < len(extra):
        record_size, record_at = _vint(extra, cursor)
        record_type, _ = _vint(extra, record_at)
        if record_type == _R5_EXTRA_ENCRYPTION:
            encrypted = True
            break
        if record_size == 0:
            break
        cursor = record_at + record_size
    return RarEntry(name, unpacked, encrypted, bool(file_flags & _R5_DIRECTORY))
