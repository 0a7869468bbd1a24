"""A generated heist with known answers: 1,000 ETH stolen, split through a peel chain, a mixer, a bridge and two
exchanges (one reached through an unlabelled deposit address), diluted by clean money, with poisoning decoys.

    thief --600--> p1 --100--> deposit --100--> alpha hot wallet (labelled exchange "Alpha")
          |              \\--500--> p2 <--500-- clean (dilution, before p2 spends)
          |                         p2 --400--> beta wallet (labelled exchange "Beta")
          |                         p2 --600--> p3 --300--> beta wallet
          |                                        \\--300--> parked (unlabelled, never moves)
          |--100--> mixer (labelled)   |--300--> bridge (labelled)
    decoys: thief --0 USDT--> look-alike of p1; thief --1000 fake "USDT"--> look-alike; thief --1 wei--> look-alike

Expected per model (ETH): mixer 100, bridge 300, Alpha 100 (via its deposit address), and Beta / parked:
haircut 350 / 150, fifo 500 / 0, poison 700 / 300.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from heistguard.intel.store import IndicatorRecord, IntelStore, Source

ETH = 10**18
T0 = dt.datetime(2024, 5, 1, 12, 0, 0)
REAL_USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"


def addr(name: str) -> str:
    return "0x" + hashlib.sha256(name.encode()).hexdigest()[:40]


def lookalike(of: str, salt: str) -> str:
    middle = hashlib.sha256(salt.encode()).hexdigest()[:32]
    return of[:6] + middle + of[-4:]


A = {
    name: addr(name)
    for name in (
        "victim",
        "thief",
        "p1",
        "p2",
        "p3",
        "deposit",
        "alpha-hot",
        "beta-wallet",
        "mixer",
        "bridge",
        "clean",
        "parked",
        "fake-usdt",
    )
}
A["decoy"] = lookalike(A["p1"], "decoy")
FAKE_USDT = A["fake-usdt"]


def _tx(n: int, sender: str, receiver: str, value: int, minutes: int) -> dict[str, Any]:
    block = 19_000_000 + minutes
    return {
        "type": "transaction",
        "hash": "0x" + hashlib.sha256(f"tx{n}".encode()).hexdigest(),
        "nonce": n,
        "transaction_index": 0,
        "from_address": sender,
        "to_address": receiver,
        "value": value,
        "block_number": block,
        "block_hash": "0x" + hashlib.sha256(f"block{block}".encode()).hexdigest(),
        "block_timestamp": int((T0 + dt.timedelta(minutes=minutes)).replace(tzinfo=dt.UTC).timestamp()),
        "receipt_status": 1,
    }


TRANSACTIONS = [
    _tx(1, A["victim"], A["thief"], 1000 * ETH, 0),
    _tx(2, A["thief"], A["p1"], 600 * ETH, 10),
    _tx(3, A["thief"], A["mixer"], 100 * ETH, 11),
    _tx(4, A["thief"], A["bridge"], 300 * ETH, 12),
    _tx(5, A["thief"], A["decoy"], 1, 13),  # dust to a look-alike of p1: a decoy, not a payment
    _tx(6, A["p1"], A["deposit"], 100 * ETH, 20),
    _tx(7, A["p1"], A["p2"], 500 * ETH, 21),
    _tx(8, A["deposit"], A["alpha-hot"], 100 * ETH, 25),
    _tx(9, A["clean"], A["p2"], 500 * ETH, 30),
    _tx(10, A["p2"], A["beta-wallet"], 400 * ETH, 40),
    _tx(11, A["p2"], A["p3"], 600 * ETH, 41),
    _tx(12, A["p3"], A["beta-wallet"], 300 * ETH, 50),
    _tx(13, A["p3"], A["parked"], 300 * ETH, 51),
]


def _token(n: int, token: str, sender: str, receiver: str, value: int, minutes: int) -> dict[str, Any]:
    tx = _tx(100 + n, sender, receiver, 0, minutes)
    return {
        "type": "token_transfer",
        "token_address": token,
        "from_address": sender,
        "to_address": receiver,
        "value": value,
        "transaction_hash": tx["hash"],
        "log_index": n,
        "block_number": tx["block_number"],
        "block_hash": tx["block_hash"],
        "block_timestamp": tx["block_timestamp"],
    }


TOKEN_TRANSFERS = [
    _token(1, REAL_USDT, A["thief"], A["decoy"], 0, 14),  # zero-value transferFrom made by a poisoner
    _token(2, FAKE_USDT, A["thief"], A["p3"], 1000 * 10**6, 15),  # a fake "USDT" sent to look like a real payment
]
TOKENS = [
    {"type": "token", "address": REAL_USDT, "symbol": "USDT", "name": "Tether USD", "decimals": 6},
    {"type": "token", "address": FAKE_USDT, "symbol": "USDT", "name": "Tether USD", "decimals": 6},
]
LABELS = {
    "alpha-hot": ("exchange", "GraphSense: alpha hot wallet (alpha)"),
    "beta-wallet": ("exchange", "GraphSense: beta exchange wallet (beta)"),
    "mixer": ("mixer", "GraphSense: test mixer pool (mixpool)"),
    "bridge": ("bridge", "Etherscan: Crossbridge: Router"),
}
EXPECTED = {
    "haircut": {"Mixpool": 100, "Crossbridge": 300, "Alpha": 100, "Beta": 350},
    "fifo": {"Mixpool": 100, "Crossbridge": 300, "Alpha": 100, "Beta": 500},
    "poison": {"Mixpool": 100, "Crossbridge": 300, "Alpha": 100, "Beta": 700},
}
PARKED = {"haircut": 150, "fifo": 0, "poison": 300}


def write_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in (("tokens", TOKENS), ("transactions", TRANSACTIONS), ("token_transfers", TOKEN_TRANSFERS)):
        path = folder / f"{name}.json"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        paths.append(path)
    return paths


def add_labels(store: IntelStore, labels: dict[str, tuple[str, str]] | None = None) -> None:
    source = Source(id="test-heist-labels", name="Labels of the generated heist", url=None, as_of=T0.date())
    records = [
        IndicatorRecord(
            type="address",
            value=A[name],
            display=A[name],
            category=category,
            source_id=source.id,
            confidence=80,
            chain="ETH",
            description=description,
        )
        for name, (category, description) in (labels or LABELS).items()
    ]
    with store.transaction():
        store.add_records(source, records)
