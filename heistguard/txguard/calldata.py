"""Calldata decoding with eth-abi: selector lookup, strict argument decoding, readable values."""

from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError

from heistguard.errors import BadInput
from heistguard.txguard.hexdata import checksum
from heistguard.txguard.model import Arg, DecodedCall
from heistguard.txguard.selectors import SelectorTable


def _readable(type_str: str, value: object) -> object:
    """Addresses in EIP-55 form, nested tuples and arrays likewise."""
    if type_str == "address" and isinstance(value, str):
        return checksum(value)
    if isinstance(value, tuple | list):
        if type_str.endswith("]"):
            inner = type_str[: type_str.rindex("[")]
            return tuple(_readable(inner, v) for v in value)
        if type_str.startswith("("):
            from heistguard.txguard.selectors import split_types

            parts = split_types("f" + type_str[: type_str.rindex(")") + 1])
            return tuple(_readable(t, v) for t, v in zip(parts, value, strict=False))
    return value


def decode_args(types: tuple[str, ...], data: bytes, where: str) -> tuple[object, ...]:
    """Strictly decoded arguments; data that lies about its offsets or lengths is bad input."""
    try:
        values = abi_decode(list(types), data, strict=True)
    except (DecodingError, OverflowError, ValueError, IndexError) as exc:
        raise BadInput("ABI data does not decode", where, f"({','.join(types)}): {exc}".split("\n")[0]) from None
    return tuple(_readable(t, v) for t, v in zip(types, values, strict=True))


def decode_call(data: bytes, table: SelectorTable, where: str) -> DecodedCall | None:
    """The call in `data`, or None for empty data; a known selector whose data does not fit keeps the error."""
    if not data:
        return None
    if len(data) < 4:
        return DecodedCall(selector="0x" + data.hex(), error=f"{len(data)} bytes is shorter than a selector")
    selector = "0x" + data[:4].hex()
    entry = table.get(selector)
    if entry is None:
        return DecodedCall(selector=selector)
    try:
        values = decode_args(entry.types, data[4:], where)
    except BadInput as exc:
        return DecodedCall(selector, entry.signature, entry.category, (), entry.source, exc.why or str(exc))
    names = entry.names or tuple(f"arg{i}" for i in range(len(values)))
    args = tuple(Arg(n, t, v) for n, t, v in zip(names, entry.types, values, strict=True))
    return DecodedCall(selector, entry.signature, entry.category, args, entry.source)
