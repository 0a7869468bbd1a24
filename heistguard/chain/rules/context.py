"""What a laundering-pattern rule looks at: one finished trace, and the engine for the few follow-up questions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from heistguard.chain.engine import Engine
from heistguard.chain.trace import TraceResult
from heistguard.findings import Evidence, IndicatorRef, Location


@dataclass
class TraceContext:
    result: TraceResult
    engine: Engine | None = None

    def tainted_edges(self) -> list[dict[str, Any]]:
        """Transfers that carried stolen value, in time order."""
        return [e for e in self.result.edges if e.get("taint", Fraction(0)) > 0]

    def outgoing(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in self.tainted_edges():
            out[e["from_address"]].append(e)
        return out

    def incoming(self) -> dict[str, list[dict[str, Any]]]:
        into: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in self.tainted_edges():
            into[e["to_address"]].append(e)
        return into


NATIVE_DECIMALS = {"ETH": 18, "BTC": 8}


def readable(
    asset: str, amount: Fraction | int, names: Mapping[str, tuple[str | None, int | None]] | None = None
) -> str:
    """An amount for people: whole coins (ETH, BTC, or a token whose symbol and decimals are known), else base
    units. The exact base units stay in the evidence."""
    symbol, decimals = (asset, NATIVE_DECIMALS.get(asset))
    if decimals is None and names and asset in names:
        known_symbol, decimals = names[asset]
        symbol = f"{known_symbol} ({asset[:10]}…)" if known_symbol else asset
    if decimals is None:
        return f"{int(amount)} {asset} (base units)"
    whole = Fraction(amount) / 10**decimals
    text = f"{float(whole):,.{min(decimals, 8)}f}".rstrip("0").rstrip(".")
    return f"{text} {symbol}"


def transfer_evidence(e: dict[str, Any], note: str = "") -> Evidence:
    amount = readable(str(e["asset"]), Fraction(str(e["amount"])))
    text = f"{e['time']:%Y-%m-%d %H:%M:%S} {e['from_address']} -> {e['to_address']} {amount}"
    return Evidence(location=Location(logical=f"tx {e['tx']}"), text=text + (f" ({note})" if note else ""))


def address_refs(addresses: Iterable[str | None]) -> list[IndicatorRef]:
    return [IndicatorRef(type="address", value=a) for a in sorted({a for a in addresses if a})]
