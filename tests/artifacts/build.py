"""Archive bytes built in memory for the artifact tests: ZIPs with the stdlib, RAR 5 header pieces by hand as
RARLAB's "RAR 5.0 archive format" describes them."""

from __future__ import annotations

import io
import zipfile


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP holding `members` (name -> bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def vint(value: int) -> bytes:
    """A RAR 5 variable-length integer: 7 bits per byte, low first, the high bit saying another follows."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)
