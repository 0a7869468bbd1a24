"""Batch lookup throughput: 1,000,000 mixed values (hits and misses, every indicator type) against
a store holding the bundled intel. Prints values/s and peak memory; not a test.

    .venv/bin/python bench/intel_lookup.py [--n 1000000] [--db PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from heistguard.intel import IntelLookup, open_store
from heistguard.intel.indicators import evm_checksum


def mixed_values(store_values: list[str], n: int, seed: int = 7) -> list[str]:
    """A realistic screening batch: ~10% known values, the rest misses of every type and case."""
    rng = random.Random(seed)
    makers = [
        lambda i: "0x" + hashlib.sha1(str(i).encode()).hexdigest(),  # EVM, lower case
        lambda i: evm_checksum(hashlib.sha1(str(-i).encode()).hexdigest()),  # EVM, EIP-55
        lambda i: f"host{i}.example-{i % 97}.com",
        lambda i: f"https://cdn{i % 13}.files-{i}.net/download/{i}.zip?id={i}",
        lambda i: f"10.{i % 256}.{(i >> 8) % 256}.{(i >> 16) % 256}",
        lambda i: f"recruiter{i}@talent-{i % 31}.io",
        lambda i: hashlib.md5(str(i).encode()).hexdigest(),
        lambda i: hashlib.sha256(str(i).encode()).hexdigest(),
    ]
    values = []
    for i in range(n):
        if rng.random() < 0.1:
            values.append(rng.choice(store_values))
        else:
            values.append(makers[i % len(makers)](i))
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="store file (default: a fresh temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        store = open_store(db, read_only=False)
        load_s = time.perf_counter() - started
        known = [row[0] for row in store.conn.execute("SELECT display FROM indicators").fetchall()]
        values = mixed_values(known, args.n)
        intel = IntelLookup(store)
        started = time.perf_counter()
        results = intel.lookup_many(values)
        elapsed = time.perf_counter() - started
        hits, errors = results.matched, results.errors
        # What a caller pays on top to turn every hit into Match and IndicatorRecord objects.
        started = time.perf_counter()
        materialised = sum(len(results[i].matches) for i in sorted(results.matched_indexes))
        materialise_s = time.perf_counter() - started
        store.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"store: {len(known):,} bundled records, first load {load_s:.2f} s")
    print(f"batch: {args.n:,} values, {hits:,} with matches, {errors:,} malformed")
    print(f"time:  {elapsed:.2f} s  ({args.n / elapsed:,.0f} lookups/s)")
    print(f"materialising the {hits:,} hits ({materialised:,} matches) as Python objects: {materialise_s:.2f} s")
    print(f"peak memory (process RSS): {peak_mib:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
