"""A minimal Compound File Binary writer (MS-CFB version 3) so tests can build Outlook .msg files property by
property; nested dicts are storages, bytes are streams."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE = 0xFFFFFFFF
END_OF_CHAIN = 0xFFFFFFFE
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF
Tree = dict[str, "Tree | bytes"]


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    start: int = END_OF_CHAIN
    size: int = 0


def build_cfb(tree: Tree) -> bytes:
    entries = [_Entry("Root Entry", 5)]

    def add(parent: int, items: Tree) -> None:
        for name, value in items.items():
            index = len(entries)
            entries.append(_Entry(name, 2, value) if isinstance(value, bytes) else _Entry(name, 1))
            entries[parent].children.append(index)
            if not isinstance(value, bytes):
                add(index, value)

    add(0, tree)

    mini_stream = bytearray()
    mini_fat: list[int] = []
    big_streams: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2 or not entry.data:
            continue
        entry.size = len(entry.data)
        if entry.size >= MINI_CUTOFF:
            big_streams.append(entry)
            continue
        count = -(-entry.size // MINI_SECTOR)
        entry.start = len(mini_fat)
        mini_fat.extend(range(entry.start + 1, entry.start + count))
        mini_fat.append(END_OF_CHAIN)
        mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\x00")

    directory = b"".join(_direntry(entries, i) for i in range(len(entries)))  # sizes/starts patched below
    dir_sectors = -(-len(entries) * 128 // SECTOR)
    minifat_sectors = -(-len(mini_fat) * 4 // SECTOR)
    ministream_sectors = -(-len(mini_stream) // SECTOR)
    big_sectors = [-(-len(e.data) // SECTOR) for e in big_streams]
    other = dir_sectors + minifat_sectors + ministream_sectors + sum(big_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + other:
        fat_sectors += 1
    assert fat_sectors <= 109, "test files stay small: no DIFAT"

    fat: list[int] = [FAT_SECTOR] * fat_sectors
    blobs: list[bytes] = []

    def place(data: bytes, sectors: int) -> int:
        if not sectors:
            return END_OF_CHAIN
        start = len(fat)
        fat.extend(range(start + 1, start + sectors))
        fat.append(END_OF_CHAIN)
        blobs.append(data.ljust(sectors * SECTOR, b"\x00"))
        return start

    dir_start_index = len(blobs)
    dir_start = place(directory, dir_sectors)
    minifat_start = place(b"".join(struct.pack("<I", n) for n in mini_fat), minifat_sectors)
    entries[0].start = place(bytes(mini_stream), ministream_sectors)
    entries[0].size = len(mini_stream)
    for entry, sectors in zip(big_streams, big_sectors, strict=True):
        entry.start = place(entry.data, sectors)
    directory = b"".join(_direntry(entries, i) for i in range(len(entries)))
    unused = struct.pack("<64sHBBIII", b"", 0, 0, 0, NO_STREAM, NO_STREAM, NO_STREAM).ljust(128, b"\x00")
    blobs[dir_start_index] = directory + unused * (dir_sectors * SECTOR // 128 - len(entries))
    fat_bytes = b"".join(struct.pack("<I", n) for n in fat).ljust(fat_sectors * SECTOR, b"\xff")

    header = bytearray(SECTOR)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into(
        "<IIIIIIII",
        header,
        40,
        0,  # directory sectors (must be 0 in version 3)
        fat_sectors,
        dir_start,
        0,
        MINI_CUTOFF,
        minifat_start,
        minifat_sectors,
        END_OF_CHAIN,  # no DIFAT sectors
    )
    struct.pack_into("<I", header, 72, 0)  # DIFAT sectors count
    difat = list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)
    header[76:512] = struct.pack("<109I", *difat)
    return bytes(header) + fat_bytes + b"".join(blobs)


def _direntry(entries: list[_Entry], index: int) -> bytes:
    entry = entries[index]
    name = entry.name.encode("utf-16-le")[:62] + b"\x00\x00"
    # Siblings are chained through their right pointers: valid for readers, though not a balanced tree.
    parent = next((p for p in entries if index in p.children), None)
    siblings = parent.children if parent else []
    position = siblings.index(index) if parent else -1
    right = siblings[position + 1] if parent and position + 1 < len(siblings) else NO_STREAM
    child = entry.children[0] if entry.children else NO_STREAM
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name.ljust(64, b"\x00"),
        len(name),
        entry.kind,
        1,  # black
        NO_STREAM,
        right,
        child,
        b"\x00" * 16,
        0,
        0,
        0,
        entry.start if entry.kind != 1 else 0,
        entry.size,
    )
