"""Bitcoin entities: common-input-ownership clustering (never across CoinJoin-shaped transactions) and change detection.

Addresses spent together in one transaction are controlled by one wallet, unless the transaction
is a CoinJoin, where several owners deliberately sign one transaction. A two-output payment's
change output goes back to the payer's wallet, so it joins the payer's cluster too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from heistguard.chain.engine import Engine


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller address names the cluster, so the answer does not depend on input order.
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def cluster_addresses(spends: Iterable[Mapping[str, Any]], include_coinjoin: bool = False) -> dict[str, str]:
    """address -> cluster name (its smallest address) from rows of (tx, address, coinjoin)."""
    by_tx: dict[str, list[str]] = defaultdict(list)
    for row in spends:
        if row["address"] is None or row["address"].startswith("multisig("):
            continue  # a multisig input is several keys, not one owner's address
        if row.get("coinjoin") and not include_coinjoin:
            continue
        by_tx[row["tx"]].append(row["address"])
    uf = _UnionFind()
    for addresses in by_tx.values():
        for address in addresses[1:]:
            uf.union(addresses[0], address)
    return {a: uf.find(a) for a in uf.parent}


def _round_level(value: int) -> int:
    """How many trailing zeros a satoshi amount has: people pay round amounts, change is what is left."""
    level = 0
    while value and value % 10 == 0:
        value //= 10
        level += 1
    return level


def change_output(
    outputs: Sequence[Mapping[str, Any]], input_addresses: set[str], first_seen: Mapping[str, int]
) -> str | None:
    """The change address of a two-output payment, or None when the heuristics disagree or say nothing.

    In order: an output back to an input address; exactly one output to an address never paid
    before this transaction; exactly one output whose amount is less round than the other's.
    """
    if len(outputs) != 2 or any(o["address"] is None for o in outputs):
        return None
    a, b = outputs
    reused = [o for o in outputs if o["address"] in input_addresses]
    if len(reused) == 1:
        return str(reused[0]["address"])
    if reused:
        return None
    fresh = [o for o in outputs if first_seen.get(o["address"], o["block"]) >= o["block"]]
    if len(fresh) == 1:
        return str(fresh[0]["address"])
    la, lb = _round_level(int(a["value"])), _round_level(int(b["value"]))
    if la != lb and max(la, lb) >= 4:
        return str(a["address"] if la < lb else b["address"])
    return None


@dataclass
class Clusters:
    """address -> entity name for one chain; an address nobody clustered is its own entity."""

    of: dict[str, str]
    size: dict[str, int]

    def node(self, address: str) -> str:
        return self.of.get(address, address)

    def members(self, node: str) -> list[str]:
        found = sorted(a for a, c in self.of.items() if c == node)
        return found or [node]


def build_clusters(engine: Engine, chain: str = "bitcoin", change: bool = True) -> Clusters:
    """Cluster every address of `chain` in the engine's UTXO tables."""
    of = engine.common_input_clusters(chain)
    if change:
        uf = _UnionFind()
        for address, root in of.items():
            uf.union(address, root)
        outputs = engine.two_output_spends(chain)
        by_tx: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in outputs:
            by_tx[row["tx"]].append(row)
        inputs_of: dict[str, set[str]] = defaultdict(set)
        for row in engine.edges_of_tx(by_tx):
            if row["from_address"]:
                inputs_of[row["tx"]].add(row["from_address"])
        first_seen = engine.first_seen_outputs(chain, (r["address"] for r in outputs if r["address"]))
        for tx, outs in by_tx.items():
            payer = sorted(inputs_of.get(tx, ()))
            found = change_output(outs, set(payer), first_seen) if payer else None
            if found:
                uf.union(payer[0], found)
        of = {a: uf.find(a) for a in uf.parent}
    size: dict[str, int] = defaultdict(int)
    for root in of.values():
        size[root] += 1
    return Clusters(of, dict(size))
