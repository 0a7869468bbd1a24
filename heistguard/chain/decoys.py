"""Address poisoning: transfers made to look like the thief's (or victim's) own; reported, never followed.

Three shapes (all seen in the wild since 2022): zero-value token transfers (anyone can call
`transferFrom(victim, x, 0)`), fake tokens that copy a real token's symbol, and look-alike
addresses that share the first and last characters of a real counterparty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

LOOKALIKE_PREFIX = 4  # hex characters after 0x; poisoners grind vanity addresses matching 4-6 each side
LOOKALIKE_SUFFIX = 4


@cache
def canonical_tokens() -> dict[tuple[str, str], str]:
    """(chain, SYMBOL) -> the real contract address, from the bundled list (sources in the CSV)."""
    text = resources.files("heistguard.chain").joinpath("data/canonical_tokens.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {(r["chain"], r["symbol"].upper()): r["address"].lower() for r in rows}


def _hex_body(address: str) -> str | None:
    return address[2:].lower() if address.startswith("0x") and len(address) == 42 else None


def looks_alike(a: str, b: str) -> bool:
    """Same first and last characters, different address: what a wallet's shortened display cannot tell apart."""
    x, y = _hex_body(a), _hex_body(b)
    if x is None or y is None or x == y:
        return False
    return x[:LOOKALIKE_PREFIX] == y[:LOOKALIKE_PREFIX] and x[-LOOKALIKE_SUFFIX:] == y[-LOOKALIKE_SUFFIX:]


@dataclass
class DecoyJudge:
    """Decides, transfer by transfer in time order, which ones are poisoning decoys."""

    token_symbols: Mapping[tuple[str, str], str | None]
    real_counterparties: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_tokens(cls, tokens: Iterable[Mapping[str, Any]]) -> DecoyJudge:
        return cls({(str(t["chain"]), str(t["address"]).lower()): t.get("symbol") for t in tokens})

    def fake_token(self, chain: str, asset: str) -> str | None:
        """The real token's address when `asset` carries its symbol but is another contract."""
        symbol = self.token_symbols.get((chain, asset.lower()))
        if not symbol:
            return None
        real = canonical_tokens().get((chain, symbol.upper()))
        return real if real and real != asset.lower() else None

    def judge(self, edge: Mapping[str, Any]) -> str | None:
        """Why this transfer is a decoy, or None for a real one (then it counts as a real counterparty)."""
        amount = edge["amount"]
        sender, receiver = edge["from_address"], edge["to_address"]
        if amount is None:
            return "amount beyond any real supply (spam token)"
        if amount == 0:
            return "zero-value transfer"
        if edge["kind"] != "native" and edge["asset"] not in ("ETH", "BTC"):
            real = self.fake_token(edge["chain"], edge["asset"])
            if real:
                symbol = self.token_symbols.get((edge["chain"], edge["asset"].lower()))
                return f"fake token: uses the symbol {symbol} of {real}"
        if sender and receiver:
            seen = self.real_counterparties.setdefault(sender, [])
            twin = next((a for a in seen if looks_alike(a, receiver)), None)
            if twin:
                return f"look-alike address of the real counterparty {twin}"
            if receiver not in seen:
                seen.append(receiver)
        return None
