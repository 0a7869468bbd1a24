"""Benchmark the chain guard on a generated graph of heist-like structure: ingest rate, screening rate (1M addresses),
a 6-hop forward trace on DuckDB (and on Spark local mode with --spark), and the same trace in NetworkX as the naive
baseline. Degree and value distributions are fitted on a real ethereum-etl sample (Raphtory's 19,999 mainnet
transactions of 2017-03-06) given as the first argument.

    python bench/chain_trace.py ../shared/data/chain/raphtory_eth/transactions_03300000_03399999_small.csv.gz \
        --transfers 10000000 [--spark] [--baseline-transfers N]

It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import math
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from heistguard.chain.engine import duckdb_engine, export_parquet, spark_engine, spark_session
from heistguard.chain.ingest import ingest_file
from heistguard.chain.labels import Labeller
from heistguard.chain.screen import screen
from heistguard.chain.store import ensure_chain_schema
from heistguard.chain.trace import Model, TraceRequest, trace
from heistguard.intel import open_store
from heistguard.intel.store import IndicatorRecord, IntelStore, Source

T0 = dt.datetime(2024, 1, 1)
SPAN_SECONDS = 30 * 24 * 3600
ETH = 10**18


def fit(sample: Path) -> dict[str, float]:
    """Power-law exponents of out- and in-degree (discrete MLE, x_min = 1) and a log-normal of non-zero values."""
    opener = gzip.open if sample.name.endswith(".gz") else open
    outs: Counter[str] = Counter()
    ins: Counter[str] = Counter()
    logs = []
    zero = total = 0
    with opener(sample, "rt") as handle:
        for row in csv.DictReader(handle):
            total += 1
            outs[row["from_address"]] += 1
            if row["to_address"]:
                ins[row["to_address"]] += 1
            value = int(row["value"] or 0)
            if value:
                logs.append(math.log10(value))
            else:
                zero += 1

    def alpha(counts: Counter[str]) -> float:
        xs = np.array(list(counts.values()), dtype=float)
        return float(1 + len(xs) / np.sum(np.log(xs / 0.5)))

    addresses = len(set(outs) | set(ins))
    return {
        "transactions": total,
        "addresses": addresses,
        "tx_per_address": total / addresses,
        "alpha_out": alpha(outs),
        "alpha_in": alpha(ins),
        "log10_value_mean": float(np.mean(logs)),
        "log10_value_std": float(np.std(logs)),
        "zero_value_share": zero / total,
    }


def _heavy_tailed(rng: np.random.Generator, alpha: float, n: int, pool: int) -> np.ndarray:
    """Address ids whose degrees follow the fitted power law (Zipf ranks mapped onto a shuffled pool)."""
    ranks = rng.zipf(max(alpha, 1.05), n) - 1
    ranks = ranks % pool
    return rng.permutation(pool)[ranks]


def generate_background(params: dict[str, float], n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    pool = int(n / params["tx_per_address"])
    senders = _heavy_tailed(rng, params["alpha_out"], n, pool)
    receivers = _heavy_tailed(rng, params["alpha_in"], n, pool)
    clash = senders == receivers
    receivers[clash] = (receivers[clash] + 1) % pool
    log_value = rng.normal(params["log10_value_mean"], params["log10_value_std"], n)
    gwei = np.clip(10 ** (log_value - 9), 1, 9e17).astype(np.int64)
    gwei[rng.random(n) < params["zero_value_share"]] = 0
    seconds = np.sort(rng.integers(0, SPAN_SECONDS, n))
    return pa.table({"i": np.arange(n), "s": senders, "r": receivers, "gwei": gwei, "t": seconds})


def heist_edges(pool: int, rng: np.random.Generator) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """10,000 ETH stolen: fan-out to 20 addresses, 4-hop peel chains to exchange deposit addresses that sweep into
    labelled exchange wallets, remainders into a mixer in 100 ETH notes and a bridge; clean inflows dilute."""

    def a(name: str) -> str:
        return "0xbe" + f"{abs(hash(name)) % 16**38:038x}"

    edges: list[dict[str, Any]] = []
    t = 3600

    def pay(src: str, dst: str, eth: float) -> None:
        nonlocal t
        t += 37
        edges.append({"s": src, "r": dst, "wei": int(eth * ETH), "t": t})

    labels = {a("mixer"): "mixer", a("bridge"): "bridge"}
    exchanges = [a(f"exchange{k}") for k in range(5)]
    labels.update({x: "exchange" for x in exchanges})
    pay(a("victim"), a("thief"), 10_000)
    for i in range(20):
        hop = a(f"split{i}")
        pay(a("thief"), hop, 500)
        balance = 500.0
        for j in range(4):
            deposit = a(f"deposit{i}.{j}")
            peel = round(balance * 0.05, 6)
            pay(hop, deposit, peel)
            pay(deposit, exchanges[(i + j) % 5], peel)
            nxt = a(f"peel{i}.{j}")
            pay(f"0x{int(rng.integers(0, pool)):040x}", hop, 1.5)  # a clean inflow that dilutes the hop
            balance = balance - peel + 1.5
            pay(hop, nxt, balance)
            hop = nxt
        notes = int(balance // 100)
        for _ in range(notes):
            pay(hop, a("mixer"), 100)
        pay(hop, a("bridge"), balance - notes * 100)
    return edges, {"thief": a("thief"), **labels}


def load(store: IntelStore, background: pa.Table, heist: list[dict[str, Any]]) -> float:
    ensure_chain_schema(store)
    started = time.perf_counter()
    store.conn.register("bg", background)
    store.conn.execute(
        """
        INSERT INTO chain.transfers
        SELECT 'ethereum', printf('0x%064x', i), 3300000 + t // 15, TIMESTAMP '2024-01-01' + to_seconds(t), 'tx',
               printf('0x%040x', s), printf('0x%040x', r), 'ETH', CAST(gwei AS DECIMAL(38, 0)) * 1000000000,
               CAST(CAST(gwei AS HUGEINT) * 1000000000 AS VARCHAR), 18, 'native', 'transactions'
        FROM bg
        """
    ).fetchall()
    store.conn.unregister("bg")
    rows = pa.table(
        {
            "chain": ["ethereum"] * len(heist),
            "tx": [f"0x{'ab' * 30}{k:04x}" for k in range(len(heist))],
            "block": [3300000 + e["t"] // 15 for e in heist],
            "time": [T0 + dt.timedelta(seconds=e["t"]) for e in heist],
            "position": ["tx"] * len(heist),
            "from_address": [e["s"] for e in heist],
            "to_address": [e["r"] for e in heist],
            "wei": [str(e["wei"]) for e in heist],
        }
    )
    store.conn.register("heist", rows)
    store.conn.execute(
        "INSERT INTO chain.transfers SELECT chain, tx, block, time, position, from_address, to_address, 'ETH', "
        "CAST(wei AS DECIMAL(38, 0)), wei, 18, 'native', 'transactions' FROM heist"
    ).fetchall()
    store.conn.unregister("heist")
    return time.perf_counter() - started


def add_labels(store: IntelStore, labels: dict[str, str]) -> None:
    source = Source(id="bench-labels", name="generated benchmark labels", url=None, as_of=T0.date())
    records = [
        IndicatorRecord(
            "address",
            address,
            address,
            "attributed-theft" if role == "thief" else role,
            source.id,
            80,
            description=f"bench {role} ({role}-{address[-4:]})",
        )
        for address, role in ((v, k) if k == "thief" else (k, v) for k, v in labels.items())
    ]
    with store.transaction():
        store.add_records(source, records)


def ingest_rate(store_path: Path, background: pa.Table, rows: int, folder: Path, bulk: bool) -> tuple[int, float]:
    """Seconds the real ingest takes for an ethereum-etl Parquet slice: the bulk SQL path, or row by row."""
    part = background.slice(0, rows).to_pylist()
    table = pa.table(
        {
            "hash": [f"0x{r['i']:064x}" for r in part],
            "nonce": [0] * len(part),
            "block_number": [3300000 + r["t"] // 15 for r in part],
            "block_hash": [f"0x{3300000 + r['t'] // 15:064x}" for r in part],
            "block_timestamp": [1704067200 + r["t"] for r in part],
            "from_address": [f"0x{r['s']:040x}" for r in part],
            "to_address": [f"0x{r['r']:040x}" for r in part],
            "value": [str(r["gwei"] * 10**9) for r in part],
            "receipt_status": [1] * len(part),
        }
    )
    path = folder / f"transactions-{rows}.parquet"
    pq.write_table(table, path)
    with open_store(store_path, read_only=False) as store:
        started = time.perf_counter()
        ingest_file(store, path, batch_rows=100_000, bulk=bulk)
        return rows, time.perf_counter() - started


def networkx_trace(
    background: pa.Table, heist: list[dict[str, Any]], start: str, stops: set[str], hops: int
) -> tuple[float, float, int]:
    """The naive baseline: load the transfers into a NetworkX multigraph, then a time-respecting 6-hop BFS."""
    import networkx as nx

    started = time.perf_counter()
    graph = nx.MultiDiGraph()
    cols = background.to_pydict()
    graph.add_edges_from(
        (f"0x{s:040x}", f"0x{r:040x}", {"t": t, "v": g})
        for s, r, t, g in zip(cols["s"], cols["r"], cols["t"], cols["gwei"], strict=True)
    )
    graph.add_edges_from((e["s"], e["r"], {"t": e["t"], "v": e["wei"]}) for e in heist)
    built = time.perf_counter() - started
    started = time.perf_counter()
    first = {start: -1}
    frontier = [start]
    for _ in range(hops):
        nxt = []
        for node in frontier:
            for _, target, data in graph.out_edges(node, data=True):
                if data["t"] >= first[node] and data["v"] and target not in first:
                    first[target] = data["t"]
                    if target not in stops:
                        nxt.append(target)
        frontier = nxt
    return built, time.perf_counter() - started, len(first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", type=Path, help="ethereum-etl transactions CSV(.gz) to fit distributions on")
    parser.add_argument("--transfers", type=int, default=10_000_000)
    parser.add_argument("--ingest-rows", type=int, default=200_000, help="rows for the row-by-row ingest rate")
    parser.add_argument("--bulk-rows", type=int, default=1_000_000, help="rows for the bulk ingest rate")
    parser.add_argument("--screen-addresses", type=int, default=1_000_000)
    parser.add_argument("--baseline-transfers", type=int, default=None, help="edges NetworkX loads (default: all)")
    parser.add_argument("--spark", action="store_true", help="also run the trace on Spark local mode")
    args = parser.parse_args()

    params = fit(args.sample)
    print("fitted on the sample:", json.dumps({k: round(v, 4) for k, v in params.items()}))
    with tempfile.TemporaryDirectory(prefix="hg-bench-") as tmp:
        folder = Path(tmp)
        store_path = folder / "bench.duckdb"
        started = time.perf_counter()
        background = generate_background(params, args.transfers)
        pool = int(args.transfers / params["tx_per_address"])
        heist, labels = heist_edges(pool, np.random.default_rng(11))
        took = time.perf_counter() - started
        print(f"generated {args.transfers:,} background + {len(heist)} heist transfers in {took:.1f} s")

        for bulk, rows_wanted in ((False, args.ingest_rows), (True, args.bulk_rows)):
            name = "bulk SQL path" if bulk else "row-by-row path"
            rows, seconds = ingest_rate(folder / f"ingest-{bulk}.duckdb", background, rows_wanted, folder, bulk)
            print(
                f"ingest, ethereum-etl Parquet, {name}: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s"
            )

        with open_store(store_path, read_only=False) as store:
            seconds = load(store, background, heist)
            total = args.transfers + len(heist)
            print(
                f"bulk load into DuckDB (SQL from Arrow): {total:,} rows in {seconds:.1f} s "
                f"= {total / seconds:,.0f} rows/s"
            )
            add_labels(store, labels)
            engine = duckdb_engine(store)
            rng = np.random.default_rng(3)
            wanted = [f"0x{x:040x}" for x in rng.integers(0, pool, args.screen_addresses)]
            wanted[:20] = [e["r"] for e in heist[1:21]]  # some of the heist's own addresses are among them
            started = time.perf_counter()
            results = screen(engine, store, wanted, hops=2)
            seconds = time.perf_counter() - started
            exposed = sum(1 for r in results if r.exposures or r.direct)
            rate = len(wanted) / seconds
            print(
                f"screen {len(wanted):,} addresses (2 hops): {seconds:.1f} s = {rate:,.0f} addresses/s, "
                f"{exposed} exposed"
            )

            request = TraceRequest(labels["thief"], hops=6, model=Model.HAIRCUT)
            started = time.perf_counter()
            result = trace(engine, Labeller(store), request)
            duck_seconds = time.perf_counter() - started
            ends = {t.entity: float(sum(t.share.values())) for t in result.by_entity()}
            shares = json.dumps({k: round(v, 4) for k, v in ends.items()})
            print(
                f"trace 6 hops forward on DuckDB (haircut): {duck_seconds:.2f} s, {len(result.nodes)} nodes, "
                f"{len(result.edges)} transfers replayed, endpoint shares {shares}"
            )

            if args.spark:
                parquet = export_parquet(store, folder / "parquet")
                session = spark_session("local[*]")
                spark = spark_engine(parquet, session=session)
                started = time.perf_counter()
                spark_result = trace(spark, Labeller(store), request)
                spark_seconds = time.perf_counter() - started
                same = {t.entity: t.amounts for t in spark_result.by_entity()} == {
                    t.entity: t.amounts for t in result.by_entity()
                }
                print(f"trace 6 hops forward on Spark local[*]: {spark_seconds:.2f} s (same answer as DuckDB: {same})")

        n = args.baseline_transfers or args.transfers
        stops = {k for k in labels if k != "thief"}
        built, seconds, reached = networkx_trace(background.slice(0, n), heist, labels["thief"], stops, 6)
        print(
            f"NetworkX baseline on {n:,} transfers: load {built:.1f} s + 6-hop BFS {seconds:.2f} s "
            f"= {built + seconds:.1f} s, {reached} nodes reached"
        )
        print(
            f"DuckDB trace vs NetworkX baseline (load + trace): {(built + seconds) / duck_seconds:.0f}x faster; "
            f"vs its BFS alone: {seconds / duck_seconds:.2f}x"
        )


if __name__ == "__main__":
    main()
