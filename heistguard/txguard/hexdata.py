"""Hex, address and integer glue shared by the decoders: strict parsing with one-line errors."""

from __future__ import annotations

import re
from functools import lru_cache

from heistguard.errors import BadInput
from heistguard.intel.indicators import evm_checksum

_HEX = re.compile(r"^(0x)?([0-9a-fA-F]*)$")
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
MAX_UINT256 = 2**256 - 1


def hex_bytes(text: str, where: str, what: str = "hex data") -> bytes:
    """Bytes of a 0x-hex string (whitespace around it ignored); odd length or stray characters are bad input."""
    cleaned = text.strip()
    match = _HEX.match(cleaned)
    if not match:
        bad = next((c for c in cleaned.removeprefix("0x") if c not in "0123456789abcdefABCDEF"), "?")
        raise BadInput(f"malformed {what}", where, f"character {bad!r} is not hexadecimal")
    digits = match.group(2)
    if len(digits) % 2:
        raise BadInput(f"malformed {what}", where, f"odd number of hex digits ({len(digits)})")
    return bytes.fromhex(digits)


# The same few addresses (tokens, Safes, routers) recur in every batch: hashing each once is enough.
_checksum_cached = lru_cache(maxsize=1 << 16)(evm_checksum)


def checksum(value: bytes | str) -> str:
    """EIP-55 form of a 20-byte address given as bytes or 0x-hex."""
    return _checksum_cached(value.hex() if isinstance(value, bytes) else value[2:].lower())


def address(value: object, where: str) -> str:
    """A user-given address (any case; a mixed-case one must carry a valid checksum) in EIP-55 form."""
    if not isinstance(value, str):
        raise BadInput("malformed address", where, f"expected a 0x-hex string, got {type(value).__name__}")
    text = value.strip()
    if not re.fullmatch(r"0x[0-9a-fA-F]{40}", text):
        raise BadInput("malformed address", where, f"{text[:50]!r} is not 0x and 40 hex digits")
    body = text[2:]
    if body != body.lower() and body != body.upper() and checksum(text.lower()) != text:
        raise BadInput("malformed address", where, f"{text} has a wrong EIP-55 checksum")
    return checksum(text.lower())


def integer(value: object, where: str, bits: int = 256) -> int:
    """A non-negative integer given as a JSON number, a decimal string or a 0x-hex string."""
    if isinstance(value, bool):
        raise BadInput("malformed number", where, "expected an integer, got a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            number = int(text, 16) if text.lower().startswith("0x") else int(text, 10)
        except ValueError:
            raise BadInput("malformed number", where, f"{text[:40]!r} is not an integer") from None
    else:
        raise BadInput("malformed number", where, f"expected an integer, got {value!r:.40}")
    if number < 0 or number >= 2**bits:
        raise BadInput("number out of range", where, f"{number} does not fit uint{bits}")
    return number


def short(addr: str | None) -> str:
    """0x1Db9…FCF4: how an address is named in one-line summaries."""
    if not addr:
        return "(none)"
    return f"{addr[:6]}…{addr[-4:]}"


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def address_word(addr: str) -> bytes:
    return bytes(12) + bytes.fromhex(addr[2:])
