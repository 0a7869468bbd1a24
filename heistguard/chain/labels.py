"""What the intel store says about the addresses a trace meets: services where a trace stops, bad actors it screens for.

Only `heistguard.intel` is asked; this module turns its matches into the two facts the chain guard
needs per address: which entity it belongs to, and what kind of endpoint that entity is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from heistguard.intel import IntelLookup, IntelStore, Match
from heistguard.intel.indicators import IndicatorType

# Where value can be frozen or leaves our sight: a trace stops there and reports the entity.
SERVICE_CATEGORIES = ("exchange", "mixer", "bridge", "wallet-service", "mining-pool", "service", "gambling")
# Funds that came from these are what screening calls exposure.
BAD_CATEGORIES = ("sanctioned", "attributed-theft", "theft", "ransomware", "darknet-market", "scam", "phishing")
_CATEGORY_RANK = {
    c: i for i, c in enumerate(("sanctioned", "attributed-theft", "theft", "mixer", "bridge", "exchange"))
}
_ACTOR_IN_PARENS = re.compile(r"\(([^()]+)\)\s*$")
_WALLET_NUMBER = re.compile(r"\s+\d+$")


@dataclass(frozen=True, slots=True)
class Label:
    """One address's entity and category, with the intel match that says so."""

    address: str
    entity: str
    category: str
    current: bool
    statement: str
    match: Match

    @property
    def is_service(self) -> bool:
        return self.category in SERVICE_CATEGORIES

    @property
    def is_bad(self) -> bool:
        return self.category in BAD_CATEGORIES and self.current


def entity_of(match: Match) -> str:
    """A readable entity name: the tag pack's actor ('binance'), else the label before its first colon."""
    record = match.record
    description = (record.description or "").removeprefix("GraphSense: ").removeprefix("Etherscan: ")
    actor = _ACTOR_IN_PARENS.search(description)
    if record.category in SERVICE_CATEGORIES and actor:
        return actor.group(1).strip().title()
    if record.actor:
        return record.actor
    name = description.split(":")[0].split(" (")[0].strip()
    # Etherscan numbers an exchange's wallets ("Binance 14", "Kraken 5"): the entity is the exchange.
    name = _WALLET_NUMBER.sub("", name) if record.category in SERVICE_CATEGORIES else name
    return name or record.category


def _address_key(address: str) -> str:
    return address.lower() if address.startswith("0x") else address


class Labeller:
    """Batch lookups with a cache: a trace asks about the same addresses hop after hop."""

    def __init__(self, store: IntelStore) -> None:
        self.intel = IntelLookup(store)
        self.cache: dict[str, Label | None] = {}

    def labels(self, addresses: Iterable[str]) -> dict[str, Label]:
        todo = sorted({a for a in addresses if a and a not in self.cache})
        if todo:
            for address, result in zip(todo, self.intel.lookup_many(todo, IndicatorType.ADDRESS), strict=True):
                self.cache[address] = _best(address, result.matches) if not result.error else None
        return {a: label for a in addresses if a and (label := self.cache.get(a)) is not None}

    def label(self, address: str) -> Label | None:
        return self.labels([address]).get(address)


def _best(address: str, matches: Iterable[Match]) -> Label | None:
    ranked = sorted(
        (m for m in matches if m.relation is None),
        key=lambda m: (not m.current, _CATEGORY_RANK.get(m.record.category, 99), -m.record.confidence),
    )
    if not ranked:
        return None
    m = ranked[0]
    statement = f"{m.record.category}: {(m.record.description or m.record.category)} (source: {m.record.source_id})"
    return Label(_address_key(address), entity_of(m), m.record.category, m.current, statement, m)
