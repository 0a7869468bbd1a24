"""Service labels from the bundled intel: entity names an analyst would write in a freeze request."""

from __future__ import annotations

from heistguard.chain.labels import Labeller
from heistguard.intel.store import IntelStore


def test_bundled_exchange_wallets_are_named_by_their_exchange(store: IntelStore) -> None:
    labels = Labeller(store).labels(
        [
            "0x209c4784ab1e8183cf58ca33cb740efbf3fc18ef",  # Etherscan: "Poloniex 2" (a numbered hot wallet)
            "0x28c6c06298d514db089934071355e5743bf21d60",  # GraphSense tag pack: Binance reserve wallet
            "0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc",  # Tornado Cash 0.1 ETH pool
        ]
    )
    named = {a[:6]: (label.entity, label.category, label.is_service) for a, label in labels.items()}
    assert named["0x209c"] == ("Poloniex", "exchange", True)
    assert named["0x28c6"] == ("Binance", "exchange", True)
    assert named["0x12d6"][1:] == ("mixer", True)


def test_an_unknown_address_has_no_label(store: IntelStore) -> None:
    assert Labeller(store).label("0x5f1c9e0a3b7d2e4f6a8c0b1d3e5f7a9c2b4d6e8f") is None
