"""Export and import throughput of the exchange formats on the bundled store; not a test.

Exports the whole store as STIX 2.1, MISP events and CSV, re-imports each into an empty store, and
prints records/s and the file size. With --peer N it also times stix2's own pretty serialiser
(`Bundle.serialize(pretty=True)`) on the first N objects of the STIX export, the step our exporter
replaces with the plain JSON encoder.

    .venv/bin/python bench/intel_exchange.py [--peer 500]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import stix2

from heistguard.intel import open_store
from heistguard.intel.exchange import ExportFormat, export_data, export_text, import_batch, read_intel_file
from heistguard.intel.store import IntelStore


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", type=int, default=0, help="also time stix2's pretty serialiser on N objects")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with open_store(work / "bundled.duckdb", read_only=False) as store:
            data = export_data(store)
        n = len(data.records)
        print(f"bundled store: {n} records, {len(data.sources)} sources, {len(data.actors)} actors")
        texts: dict[ExportFormat, str] = {}
        for fmt in ExportFormat:
            start = time.perf_counter()
            texts[fmt] = export_text(data, fmt)
            took = time.perf_counter() - start
            size = len(texts[fmt].encode()) / 2**20
            print(f"export {fmt.value:4}: {took:6.2f} s  {n / took:9,.0f} records/s  {size:5.1f} MiB")
        for fmt, text in texts.items():
            path = work / f"export.{fmt.value}"
            path.write_text(text)
            with IntelStore.open(work / f"fresh-{fmt.value}.duckdb") as fresh:
                start = time.perf_counter()
                _, batch = read_intel_file(path, fresh)
                count = import_batch(fresh, batch)
                took = time.perf_counter() - start
            print(f"import {fmt.value:4}: {took:6.2f} s  {count / took:9,.0f} records/s")
        if args.peer:
            objects = json.loads(texts[ExportFormat.STIX])["objects"][: args.peer]
            bundle = stix2.v21.Bundle(objects=objects, allow_custom=True)
            start = time.perf_counter()
            bundle.serialize(pretty=True)
            took = time.perf_counter() - start
            print(f"peer: stix2 Bundle.serialize(pretty=True), {len(objects)} objects: {took:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
