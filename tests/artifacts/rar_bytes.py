"""RAR 5 header pieces written by hand for tests, as RARLAB's "RAR 5.0 archive format" describes them."""

from __future__ import annotations


def vint(value: int) -> bytes:
    """A RAR 5 variable-length integer: 7 bits per byte, low first, the high bit saying another follows."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)
