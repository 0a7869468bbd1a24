"""Small helpers the rule files share: where a finding points, and how addresses are shown."""

from __future__ import annotations

from heistguard.findings import Evidence, IndicatorRef, Location
from heistguard.txguard.model import Call


def at(path: str, field: str = "") -> Location:
    return Location(logical=f"{path} {field}".strip())


def evidence(path: str, text: str, field: str = "") -> Evidence:
    return Evidence(location=at(path, field), text=text)


def call_text(call: Call) -> str:
    op = call.operation.name
    what = call.decoded.render() if call.decoded else "no calldata"
    return f"{op} {call.sender or '?'} -> {call.to or '(new contract)'} value={call.value} {what}"


def address_ref(addr: str) -> IndicatorRef:
    return IndicatorRef(type="address", value=addr.lower())
