"""Safe Transaction Builder batch files (the JSON the Safe{Wallet} Transaction Builder imports and exports):
each transaction's calldata, encoded from `contractMethod` + `contractInputsValues` when `data` is null."""

from __future__ import annotations

import json

from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from heistguard.errors import BadInput
from heistguard.txguard.hexdata import address, hex_bytes, integer
from heistguard.txguard.selectors import split_types


def is_batch_file(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("transactions"), list) and isinstance(obj.get("meta"), dict)


def _value(type_str: str, raw: object, where: str) -> object:
    """A builder input value (always written as a string) converted for eth-abi."""
    if type_str.endswith("]") or type_str.startswith("("):
        parsed = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(parsed, list):
            raise BadInput("malformed batch value", where, f"{type_str} expects a JSON list")
        inner = type_str[: type_str.rindex("[")] if type_str.endswith("]") else None
        if inner is not None:
            return [_value(inner, v, where) for v in parsed]
        parts = split_types("f" + type_str)
        return tuple(_value(t, v, where) for t, v in zip(parts, parsed, strict=True))
    if type_str == "address":
        return address(raw, where)
    if type_str == "bool":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() not in ("true", "false"):
            raise BadInput("malformed batch value", where, f"{raw!r} is not true or false")
        return str(raw).lower() == "true"
    if type_str.startswith(("uint", "int")):
        if type_str.startswith("int") and isinstance(raw, str) and raw.strip().startswith("-"):
            return -integer(raw.strip()[1:], where)
        return integer(raw, where)
    if type_str.startswith("bytes"):
        return hex_bytes(str(raw), where)
    if type_str == "string":
        return str(raw)
    raise BadInput("unsupported batch value type", where, type_str)


def _type_of(item: object, where: str) -> str:
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise BadInput("malformed batch method", where, "an input has no type")
    kind = str(item["type"])
    if kind.startswith("tuple"):
        components = item.get("components")
        if not isinstance(components, list):
            raise BadInput("malformed batch method", where, "a tuple input has no components")
        return "(" + ",".join(_type_of(c, where) for c in components) + ")" + kind[5:]
    return kind


def batch_calls(obj: dict[str, object], where: str) -> tuple[str, int | None, list[tuple[str, int, bytes, str | None]]]:
    """(Safe address, chain id, [(to, value, calldata, claimed method name)]) of a builder batch file."""
    meta = obj["meta"]
    assert isinstance(meta, dict)
    safe = address(meta.get("createdFromSafeAddress"), f"{where} meta.createdFromSafeAddress")
    chain = obj.get("chainId")
    chain_id = integer(chain, f"{where} chainId") if chain not in (None, "") else None
    out = []
    transactions = obj["transactions"]
    assert isinstance(transactions, list)
    for n, tx in enumerate(transactions):
        at = f"{where} transactions[{n}]"
        if not isinstance(tx, dict):
            raise BadInput("malformed batch file", at, "expected an object")
        to = address(tx.get("to"), f"{at}.to")
        value = integer(tx.get("value") or 0, f"{at}.value")
        method = tx.get("contractMethod")
        claimed = str(method.get("name")) if isinstance(method, dict) and method.get("name") else None
        data_text = tx.get("data")
        if isinstance(data_text, str) and data_text not in ("", "0x"):
            data = hex_bytes(data_text, f"{at}.data")
        elif isinstance(method, dict):
            inputs = method.get("inputs") or []
            values = tx.get("contractInputsValues") or {}
            if not isinstance(inputs, list) or not isinstance(values, dict):
                raise BadInput("malformed batch method", at, "inputs must be a list and values an object")
            types = [_type_of(i, f"{at}.contractMethod") for i in inputs]
            names = [str(i.get("name")) for i in inputs if isinstance(i, dict)]
            missing = [name for name in names if name not in values]
            if missing:
                raise BadInput("malformed batch method", at, f"no value for input {missing[0]!r}")
            args = [
                _value(t, values[name], f"{at}.contractInputsValues.{name}")
                for t, name in zip(types, names, strict=True)
            ]
            signature = f"{claimed}({','.join(types)})"
            try:
                data = keccak(signature.encode())[:4] + abi_encode(types, args)
            except Exception as exc:  # eth-abi raises several encoding error classes
                raise BadInput("batch value does not fit its type", at, str(exc).split("\n")[0]) from None
        else:
            data = b""
        out.append((to, value, data, claimed))
    return safe, chain_id, out
