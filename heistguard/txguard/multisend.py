"""MultiSend / MultiSendCallOnly batches: the packed encoding operation(1) | to(20) | value(32) | length(32) | data."""

from __future__ import annotations

from heistguard.errors import BadInput
from heistguard.txguard.hexdata import checksum
from heistguard.txguard.model import Operation

_HEADER = 1 + 20 + 32 + 32


def unpack(packed: bytes, where: str) -> list[tuple[Operation, str, int, bytes]]:
    """The batch items in order; a length that runs past the end or an unknown operation is bad input."""
    items: list[tuple[Operation, str, int, bytes]] = []
    pos = 0
    while pos < len(packed):
        if pos + _HEADER > len(packed):
            raise BadInput("malformed MultiSend batch", where, f"item {len(items)} header is cut short at byte {pos}")
        op = packed[pos]
        if op not in (0, 1):
            raise BadInput("malformed MultiSend batch", where, f"item {len(items)} has operation {op}, expected 0 or 1")
        to = checksum(packed[pos + 1 : pos + 21])
        value = int.from_bytes(packed[pos + 21 : pos + 53], "big")
        length = int.from_bytes(packed[pos + 53 : pos + 85], "big")
        start = pos + _HEADER
        if length > len(packed) - start:
            raise BadInput(
                "malformed MultiSend batch",
                where,
                f"item {len(items)} claims {length} data bytes, {len(packed) - start} remain",
            )
        items.append((Operation(op), to, value, packed[start : start + length]))
        pos = start + length
    return items
