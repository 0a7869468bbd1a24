"""Decompression bombs and their honest look-alikes, built as streams a MiB at a time: a test never holds or
writes the gigabyte a bomb expands to, only the megabyte it packs into."""

from __future__ import annotations

import functools
import io
import zipfile
import zlib

MiB = 1024 * 1024
GB = 1_000_000_000  # under the walk's 1 GiB total, so the member's own ratio is what stops it


def zeros_zip(
    name: str, size: int, before: dict[str, bytes] | None = None, after: dict[str, bytes] | None = None
) -> bytes:
    """A ZIP whose member `name` is `size` zero bytes, deflated as a stream, between the other members given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in (before or {}).items():
            archive.writestr(member, data)
        with archive.open(name, "w", force_zip64=size > 0x7FFFFFFF) as handle:
            chunk = bytes(MiB)
            for start in range(0, size, MiB):
                handle.write(chunk[: min(MiB, size - start)])
        for member, data in (after or {}).items():
            archive.writestr(member, data)
    return buffer.getvalue()


def zeros_gzip(size: int) -> bytes:
    """`size` zero bytes as a gzip stream."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(MiB)
    parts = [packer.compress(chunk[: min(MiB, size - start)]) for start in range(0, size, MiB)]
    return b"".join(parts) + packer.flush()


@functools.cache
def gigabyte_zip() -> bytes:
    """One member of 1 GB of zeros in about 1 MB (built once per test session: it takes a few seconds)."""
    return zeros_zip("zeros.bin", GB)


@functools.cache
def gigabyte_gzip() -> bytes:
    return zeros_gzip(GB)


def nested_like_42(layers: int = 2, copies: int = 16) -> bytes:
    """The shape of the classic 42.zip: ZIPs of `copies` ZIPs, `layers` deep, over a ZIP holding 1 GB of zeros."""
    data = gigabyte_zip()
    for layer in range(layers):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for copy in range(copies):
                archive.writestr(f"lib {layer}{copy:x}.zip", data)
        data = buffer.getvalue()
    return data
