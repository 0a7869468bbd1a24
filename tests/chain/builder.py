"""Build small transfer graphs for tests: rows in the ethereum-etl schema, ingested through the real ingest path."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from heistguard.chain.ingest import ingest_file
from heistguard.intel.store import IndicatorRecord, IntelStore, Source
from tests.chain.heist import T0, addr


class GraphBuilder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.transactions: list[dict[str, Any]] = []
        self.token_transfers: list[dict[str, Any]] = []
        self.labels: dict[str, tuple[str, str]] = {}
        self.tokens: list[dict[str, Any]] = []

    def token_meta(self, name: str, symbol: str, decimals: int) -> None:
        self.tokens.append({"type": "token", "address": self.a(name), "symbol": symbol, "decimals": decimals})

    def a(self, name: str) -> str:
        return addr(f"{self.name}:{name}")

    def _base(self, minutes: float, n: int) -> dict[str, Any]:
        block = 20_000_000 + int(minutes * 10)
        return {
            "hash": "0x" + hashlib.sha256(f"{self.name}:tx{n}".encode()).hexdigest(),
            "block_number": block,
            "block_hash": "0x" + hashlib.sha256(f"block{block}".encode()).hexdigest(),
            "block_timestamp": int((T0 + dt.timedelta(minutes=minutes)).replace(tzinfo=dt.UTC).timestamp()),
        }

    def pay(self, sender: str, receiver: str, value: int, minutes: float) -> str:
        base = self._base(minutes, len(self.transactions) + len(self.token_transfers))
        self.transactions.append(
            {
                **base,
                "nonce": len(self.transactions),
                "from_address": self.a(sender),
                "to_address": self.a(receiver),
                "value": value,
                "receipt_status": 1,
            }
        )
        return str(base["hash"])

    def swap(self, who: str, venue: str, gave: tuple[str, int], got: tuple[str, int], minutes: float) -> str:
        """One transaction: `who` sends `gave` to the venue and receives `got` back (a DEX swap)."""
        base = self._base(minutes, len(self.transactions) + len(self.token_transfers))
        for i, ((token, value), sender, receiver) in enumerate(((gave, who, venue), (got, venue, who))):
            self.token_transfers.append(
                {
                    "token_address": self.a(token),
                    "from_address": self.a(sender),
                    "to_address": self.a(receiver),
                    "value": value,
                    "transaction_hash": base["hash"],
                    "log_index": i,
                    "block_number": base["block_number"],
                    "block_hash": base["block_hash"],
                    "block_timestamp": base["block_timestamp"],
                }
            )
        return str(base["hash"])

    def token(self, token: str, sender: str, receiver: str, value: int, minutes: float) -> str:
        base = self._base(minutes, len(self.transactions) + len(self.token_transfers))
        self.token_transfers.append(
            {
                "token_address": self.a(token),
                "from_address": self.a(sender),
                "to_address": self.a(receiver),
                "value": value,
                "transaction_hash": base["hash"],
                "log_index": 0,
                "block_number": base["block_number"],
                "block_hash": base["block_hash"],
                "block_timestamp": base["block_timestamp"],
            }
        )
        return str(base["hash"])

    def label(self, name: str, category: str, description: str) -> None:
        self.labels[name] = (category, description)

    def load(self, store: IntelStore, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, rows in (
            ("tokens", self.tokens),
            ("transactions", self.transactions),
            ("token_transfers", self.token_transfers),
        ):
            if rows:
                path = folder / f"{self.name}-{kind}.json"
                ordered = sorted(rows, key=lambda r: r.get("block_number", 0))
                path.write_text("".join(json.dumps(r) + "\n" for r in ordered))
                ingest_file(store, path)
        if self.labels:
            source = Source(id=f"test-{self.name}", name=f"labels of {self.name}", url=None, as_of=T0.date())
            records = [
                IndicatorRecord(
                    type="address",
                    value=self.a(name),
                    display=self.a(name),
                    category=category,
                    source_id=source.id,
                    confidence=80,
                    chain="ETH",
                    description=description,
                )
                for name, (category, description) in self.labels.items()
            ]
            with store.transaction():
                store.add_records(source, records)
