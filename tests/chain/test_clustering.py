"""Bitcoin clustering against GraphSense's known answers (graphsense-spark test resources, fixtures/chain/SOURCES.md),
our own CoinJoin-shape detection, change detection, and a trace that follows entities rather than addresses."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from heistguard.chain.clustering import build_clusters, change_output, cluster_addresses
from heistguard.chain.engine import duckdb_engine
from heistguard.chain.ingest import ingest_file
from heistguard.chain.labels import Labeller
from heistguard.chain.rows import is_coinjoin_shaped
from heistguard.chain.trace import TraceRequest, trace
from heistguard.intel.store import IndicatorRecord, IntelStore, Source
from tests.chain.conftest import GRAPHSENSE, graphsense_as_bitcoin_etl, json_lines


def _partition(pairs: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for address, cluster in pairs.items():
        groups[cluster].add(address)
    return {frozenset(g) for g in groups.values()}


def _reference(name: str) -> set[frozenset[str]]:
    ids = {r["addressId"]: r["address"] for r in json_lines(GRAPHSENSE / "reference" / "address_ids.json")}
    rows = json_lines(GRAPHSENSE / "reference" / name)
    return _partition({ids[r["addressId"]]: str(r["clusterId"]) for r in rows if ids[r["addressId"]] != "coinbase"})


@pytest.mark.parametrize(
    ("include_coinjoin", "reference"),
    [(False, "address_cluster.json"), (True, "address_cluster_with_coinjoin.json")],
)
def test_common_input_clusters_equal_graphsense(
    store: IntelStore, tmp_path: Path, include_coinjoin: bool, reference: str
) -> None:
    ingest_file(store, graphsense_as_bitcoin_etl(tmp_path), chain="bitcoin")
    engine = duckdb_engine(store)
    spends = engine.multi_input_spends("bitcoin")
    clusters = cluster_addresses(spends, include_coinjoin=include_coinjoin)
    in_engine = engine.common_input_clusters("bitcoin", include_coinjoin=include_coinjoin)
    expected = _reference(reference)
    everyone = {a for group in expected for a in group}
    assert _partition({a: clusters.get(a, a) for a in everyone}) == expected
    assert _partition({a: in_engine.get(a, a) for a in everyone}) == expected  # the same, computed in the engine


def test_coinjoin_shape() -> None:
    # Three owners paying three equal outputs plus change: a Whirlpool / Wasabi-style round.
    assert is_coinjoin_shaped(["a", "b", "c"], [100_000, 100_000, 100_000, 4_321])
    # One owner consolidating, or a payment with change: ordinary transactions.
    assert not is_coinjoin_shaped(["a", "a"], [100_000, 100_000, 100_000])
    assert not is_coinjoin_shaped(["a", "b"], [1_480_000, 495_000])


def test_change_output_heuristics() -> None:
    outs: list[dict[str, Any]] = [
        {"address": "pay", "value": 4_300_000, "block": 10},
        {"address": "change", "value": 149_123, "block": 10},
    ]
    assert change_output(outs, {"in"}, {"pay": 5, "change": 10}) == "change"  # the only never-seen address
    assert change_output(outs, {"in"}, {"pay": 10, "change": 10}) == "change"  # both fresh: the less round amount
    assert change_output(outs, {"in", "pay"}, {}) == "pay"  # paid back to an input address
    assert change_output([outs[0]], {"in"}, {}) is None


# Valid addresses borrowed from the GraphSense fixture, given new roles here.
THIEF, EXCHANGE = "1HxbaBMF2jXBVnagoHvaA6rLxmaYL8gb8T", "1AGMAXWELLayCyS1vkLXEszESHEcB3LWqa"
CHANGE, MIXER = "1Fm1rJe1CtGuTKxWjQ4MyU7GEwrgkHYn5k", "3JX79i9xSSmLEDZ8WrUFsy3WqrpvPoQmPv"


def test_a_bitcoin_trace_follows_the_entity_through_its_change(store: IntelStore, tmp_path: Path) -> None:
    """thief pays 1 BTC to an exchange with change to a fresh address; the change then moves on to a mixer."""
    rows = [
        {"hash": "aa" * 32, "block_number": 1, "block_timestamp": 1_700_000_000, "is_coinbase": True, "inputs": [],
         "outputs": [{"index": 0, "addresses": [THIEF], "value": 300_000_000}]},
        {"hash": "bb" * 32, "block_number": 2, "block_timestamp": 1_700_000_600,
         "inputs": [{"index": 0, "addresses": [THIEF], "value": 300_000_000}],
         "outputs": [{"index": 0, "addresses": [EXCHANGE], "value": 100_000_000},
                     {"index": 1, "addresses": [CHANGE], "value": 199_990_000}]},
        {"hash": "cc" * 32, "block_number": 3, "block_timestamp": 1_700_001_200,
         "inputs": [{"index": 0, "addresses": [CHANGE], "value": 199_990_000}],
         "outputs": [{"index": 0, "addresses": [MIXER], "value": 199_980_000}]},
    ]  # fmt: skip
    path = tmp_path / "btc.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ingest_file(store, path, chain="bitcoin")
    source = Source(id="test-btc", name="btc test labels", url=None, as_of=None)
    with store.transaction():
        store.add_records(
            source,
            [
                IndicatorRecord("address", EXCHANGE, EXCHANGE, "exchange", source.id, 80, description="X (xchg)"),
                IndicatorRecord("address", MIXER, MIXER, "mixer", source.id, 80, description="M (mixr)"),
            ],
        )
    engine = duckdb_engine(store)
    clusters = build_clusters(engine, "bitcoin")
    assert clusters.node(CHANGE) == clusters.node(THIEF)
    result = trace(engine, Labeller(store), TraceRequest(THIEF, hops=1), clusters)
    # One hop reaches both: the change is the thief's own wallet, not a hop.
    assert {t.entity: int(t.amounts["BTC"]) for t in result.by_entity()} == {"Xchg": 100_000_000, "Mixr": 199_980_000}
