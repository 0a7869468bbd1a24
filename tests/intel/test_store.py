"""The store file: schema versions, migrations, refusal of newer stores, one writer at a time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from heistguard.errors import StoreError
from heistguard.intel import open_store
from heistguard.intel.store import _MIGRATIONS, SCHEMA_VERSION, IndicatorRecord, IntelStore, Source


def test_new_store_is_at_current_version_with_bundled_intel(store: IntelStore) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    ids = {s.id for s in store.sources()}
    assert {"ofac-sdn", "dprk-attribution", "etherscan-labels", "graphsense-tornado-cash"} <= ids
    assert all(s.as_of is not None for s in store.sources())
    assert store.count() > 4000


def test_older_store_is_migrated_and_keeps_its_records(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute(_MIGRATIONS[0][1])
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO indicators VALUES ('r1', 'domain', 'evil.example', 'evil.example', NULL, 'phishing',"
        " NULL, NULL, 'kept across the migration', 50, 'mine', NULL, NULL, NULL)"
    )
    conn.close()
    with IntelStore.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        (record,) = store.records_for(["evil.example"])
        assert record.description == "kept across the migration"
        assert record.status == "active"


def test_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    IntelStore.open(path).close()
    conn = duckdb.connect(str(path))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.close()
    with pytest.raises(StoreError, match="newer HeistGuard"):
        IntelStore.open(path)


def test_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the intel store"):
        IntelStore.open(path)


def test_second_writer_gets_busy_error(store_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)",
            str(store_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match=r"busy.*process \d+ holds it"):
            IntelStore.open(store_path, read_only=False)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    IntelStore.open(store_path, read_only=False).close()


def test_failed_write_leaves_store_as_it_was(store: IntelStore) -> None:
    before = store.count()
    source = Source(id="half", name="half", url=None, as_of=None)
    good = IndicatorRecord(
        type="domain", value="a.example", display="a.example", category="phishing", source_id="half", confidence=50
    )
    with pytest.raises(RuntimeError), store.transaction():
        store.add_records(source, [good])
        raise RuntimeError("crash half way")
    assert store.count() == before
    assert store.source("half") is None


def test_bundled_intel_reloads_only_when_the_release_changes(store_path: Path) -> None:
    with open_store(store_path, read_only=False) as store:
        store.set_meta("bundled_digest", "an older release")
        store.conn.execute("DELETE FROM indicators WHERE source_id = 'ofac-sdn'")
    with open_store(store_path) as store:
        assert store.records_for(["0x098b716b8aaf21512996dc57eb0615e2383e2f96"])
