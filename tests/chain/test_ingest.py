"""Ingest of the real ethereum-etl and bitcoin-etl exports and node answers: rows equal the expected rows,
in every file format, idempotent, resumable, reorg-safe, with clear errors on bad input."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from heistguard.chain.ingest import ingest_file
from heistguard.chain.rpc import _output, bitcoin_rows_from_block, trace_rows
from heistguard.errors import BadInput
from heistguard.intel.store import IntelStore
from tests.chain.conftest import BTC, ETH, json_lines


def _transfers(store: IntelStore, where: str = "TRUE") -> list[tuple[Any, ...]]:
    return store.conn.execute(
        "SELECT chain, tx, block, position, from_address, to_address, asset, amount_text, kind FROM chain.transfers "
        f"WHERE {where} ORDER BY ALL"
    ).fetchall()


def _expected_token_rows() -> list[tuple[Any, ...]]:
    return sorted(
        (
            "ethereum",
            r["transaction_hash"],
            r["block_number"],
            f"log:{r['log_index']}",
            r["from_address"],
            r["to_address"],
            r["token_address"],
            str(r["value"]),
            "token",
        )
        for r in json_lines(ETH / "expected_token_transfers.json")
    )


def _expected_native_rows() -> list[tuple[Any, ...]]:
    return sorted(
        (
            "ethereum",
            r["hash"],
            r["block_number"],
            "tx",
            r["from_address"],
            r["to_address"] or r["receipt_contract_address"],
            "ETH",
            str(r["value"]),
            "native",
        )
        for r in json_lines(ETH / "expected_transactions.json")
        if r["value"] and r["receipt_status"] == 1
    )


def test_ethereum_etl_json_lines_become_exactly_the_expected_transfers(store: IntelStore) -> None:
    ingest_file(store, ETH / "expected_blocks.json")
    tx = ingest_file(store, ETH / "expected_transactions.json")
    tokens = ingest_file(store, ETH / "expected_token_transfers.json")
    assert tx.rows_read == 298 and tokens.rows_read == 291
    assert _transfers(store, "kind = 'token'") == _expected_token_rows()
    assert _transfers(store, "kind = 'native'") == _expected_native_rows()
    # Amounts are exact integers, far past float precision.
    big = store.conn.execute("SELECT max(amount) FROM chain.transfers WHERE kind = 'token'").fetchone()
    assert big is not None and big[0] == max(
        Decimal(r["value"]) for r in json_lines(ETH / "expected_token_transfers.json")
    )
    blocks = store.conn.execute("SELECT number, hash FROM chain.blocks ORDER BY number").fetchall()
    assert blocks == [(r["number"], r["hash"]) for r in json_lines(ETH / "expected_blocks.json")]


def _write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    columns = sorted({k for r in rows for k in r})
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    return path


def test_csv_and_parquet_exports_give_the_same_rows_as_json_lines(store: IntelStore, tmp_path: Path) -> None:
    rows = json_lines(ETH / "expected_token_transfers.json")
    csv_path = _write_csv(rows, tmp_path / "token_transfers.csv")
    ingest_file(store, csv_path)
    from_csv = _transfers(store)
    store.conn.execute("DELETE FROM chain.transfers")
    # BigQuery's Parquet export writes NUMERIC values as strings and timestamps as timestamps.
    table = pa.Table.from_pylist([{**r, "value": str(r["value"])} for r in rows])
    pq.write_table(table, tmp_path / "token_transfers.parquet")
    ingest_file(store, tmp_path / "token_transfers.parquet")
    assert _transfers(store) == from_csv == _expected_token_rows()


def test_trace_block_answer_becomes_the_expected_traces_and_rewards(store: IntelStore) -> None:
    folder = ETH / "traces_block_508110"
    block = json.loads((folder / "web3_response.eth_getBlockByNumber_0x7c0ce_false.json").read_text())["result"]
    answer = json.loads((folder / "web3_response.trace_block_0x7c0ce.json").read_text())["result"]
    rows = trace_rows(answer, block, "trace_block 508110")
    expected = json_lines(folder / "expected_traces.json")
    fields = ("from_address", "to_address", "value", "trace_type", "call_type", "reward_type", "gas", "gas_used")
    fields += ("subtraces", "trace_address", "error", "status", "transaction_hash", "block_number", "trace_index")
    assert [{k: r.get(k) for k in fields} for r in rows] == [{k: e[k] for k in fields} for e in expected]
    ingest_file(store, folder / "expected_traces.json")
    # The top-level call repeats its transaction's value and the create moved nothing: only the rewards stay.
    assert [(r[5], r[7], r[8]) for r in _transfers(store)] == [
        ("0x2a65aca4d5fc5b5c859090a6c34d164135398226", "5156250000000000000", "reward"),  # block reward
        ("0x2a65aca4d5fc5b5c859090a6c34d164135398226", "3750000000000000000", "reward"),  # uncle reward
    ]


def _btc_prevout(txid: str, n: int) -> dict[str, Any]:
    raw = json.loads((BTC / f"rpc_response_getrawtransaction_{txid}.json").read_text(), parse_float=Decimal)
    return _output(next(v for v in raw["vout"] if v["n"] == n), txid)


def test_bitcoin_core_getblock_answers_become_the_expected_crypto_bitcoin_rows() -> None:
    rows = []
    for path in sorted(BTC.glob("rpc_response_getblock_*_2.json")):
        rows += bitcoin_rows_from_block(json.loads(path.read_text(), parse_float=Decimal), _btc_prevout, path.name)
    expected = json_lines(BTC / "expected_transactions.json")
    assert [{k: r[k] for k in e if k not in ("type", "item_id")} for r, e in zip(rows, expected, strict=True)] == [
        {k: v for k, v in e.items() if k not in ("type", "item_id")} for e in expected
    ]


def test_bitcoin_rows_become_utxo_inputs_outputs_and_transfers(store: IntelStore) -> None:
    ingest_file(store, BTC / "expected_transactions.json")
    expected = json_lines(BTC / "expected_transactions.json")
    outputs = store.conn.execute("SELECT tx, idx, address, value FROM chain.utxo_outputs ORDER BY ALL").fetchall()
    assert outputs == sorted(
        (t["hash"], o["index"], o["addresses"][0], Decimal(o["value"])) for t in expected for o in t["outputs"]
    )
    inputs = store.conn.execute("SELECT tx, spent_tx, spent_idx, address, value FROM chain.utxo_inputs ORDER BY ALL")
    assert inputs.fetchall() == sorted(
        (t["hash"], i["spent_transaction_hash"], i["spent_output_index"], i["addresses"][0], Decimal(i["value"]))
        for t in expected
        for i in t["inputs"]
    )
    # Tx 7940cd... pays 100 BTC from two inputs of 50 BTC: two transfers of 50 BTC into one output.
    paid = _transfers(store, "tx = '7940cdde4d713e171849efc6bd89939185be270266c94e92369e3877ad89455a'")
    assert [(r[4], r[5], r[7]) for r in paid] == [
        ("1DoQeKfU3dYhN9bxMpFFcVUnufCPDqSPae", "1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ", "5000000000"),
        ("1PZMgkF2x161qvfP7dhoWSEEU3SjnQE1m9", "1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ", "5000000000"),
    ]


def test_ingesting_twice_doubles_nothing(store: IntelStore, tmp_path: Path) -> None:
    ingest_file(store, ETH / "expected_token_transfers.json")
    copy = tmp_path / "again.json"  # a different file with the same rows: progress cannot skip it
    copy.write_text((ETH / "expected_token_transfers.json").read_text())
    ingest_file(store, copy, batch_rows=7)
    again = ingest_file(store, ETH / "expected_token_transfers.json")
    assert again.rows_read == 0 and again.rows_skipped_resume == 291
    assert _transfers(store) == _expected_token_rows()


def test_a_bad_row_half_way_is_named_and_the_rerun_loses_and_doubles_nothing(store: IntelStore, tmp_path: Path) -> None:
    lines = (ETH / "expected_token_transfers.json").read_text().splitlines()
    broken = json.loads(lines[200])
    broken["value"] = "12.5e"  # not a number
    bad = tmp_path / "token_transfers.json"
    bad.write_text("\n".join([*lines[:200], json.dumps(broken), *lines[201:]]) + "\n")
    with pytest.raises(BadInput) as caught:
        ingest_file(store, bad, batch_rows=50)
    assert f"{bad}:201" in caught.value.one_line() and "bad value" in caught.value.one_line()
    committed = len(_transfers(store))
    assert 0 < committed < 291  # whole batches before the bad row were kept
    bad.write_text("\n".join(lines) + "\n")  # the user fixes the file and runs again
    ingest_file(store, bad, batch_rows=50)
    assert _transfers(store) == _expected_token_rows()


@pytest.mark.parametrize("fmt", ["json", "csv"])  # the row-by-row and the bulk SQL path
def test_a_block_replaced_at_the_same_height_replaces_its_rows(store: IntelStore, tmp_path: Path, fmt: str) -> None:
    rows = json_lines(ETH / "expected_token_transfers.json")
    first_block = [r for r in rows if r["block_number"] == 17173049]
    ingest_file(store, ETH / "expected_token_transfers.json")
    # The same height comes back with another hash and only the first three transfers.
    replaced = [{**r, "block_hash": "0x" + "ab" * 32} for r in first_block[:3]]
    path = tmp_path / f"reorg.{fmt}"
    if fmt == "json":
        path.write_text("".join(json.dumps(r) + "\n" for r in replaced))
    else:
        _write_csv(replaced, path)
    result = ingest_file(store, path)
    assert result.reorged_blocks == [17173049]
    kept = _transfers(store, "block = 17173049")
    assert [r[3] for r in kept] == sorted(f"log:{r['log_index']}" for r in first_block[:3])
    assert len(_transfers(store, "block = 17173050")) == sum(r["block_number"] == 17173050 for r in rows)
    stored = store.conn.execute("SELECT hash FROM chain.blocks WHERE number = 17173049").fetchone()
    assert stored == ("0x" + "ab" * 32,)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("from_address", "0x1234", "bad from_address"),
        ("to_address", "1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ", "bad to_address"),
        ("block_number", None, "bad block_number"),
    ],
)
def test_addresses_and_numbers_in_the_wrong_format_are_clear_errors(
    store: IntelStore, tmp_path: Path, field: str, value: Any, message: str
) -> None:
    row = json_lines(ETH / "expected_token_transfers.json")[0]
    path = tmp_path / "one.json"
    path.write_text(json.dumps({**row, field: value}) + "\n")
    with pytest.raises(BadInput, match=message):
        ingest_file(store, path)
    assert _transfers(store) == []


def test_not_chain_data_is_refused(store: IntelStore, tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("name,age\nalice,3\n")
    with pytest.raises(BadInput, match="unrecognised chain data"):
        ingest_file(store, path)


def test_an_ingest_killed_half_way_resumes_without_losing_or_doubling(tmp_path: Path) -> None:
    """A real SIGKILL of a real ingest process after its first commits; the rerun finishes the job exactly."""
    rows = 40_000
    path = tmp_path / "transactions.json"  # JSON lines: the row-by-row path, which commits batch by batch
    with path.open("w") as handle:
        for i in range(rows):
            block = 1_000_000 + i // 3
            row = {
                "hash": f"0x{i:064x}",
                "nonce": i,
                "block_number": block,
                "block_hash": f"0x{block:064x}",
                "block_timestamp": 1_600_000_000 + block,
                "from_address": f"0x{i % 997:040x}",
                "to_address": f"0x{(i * 7) % 1009 + 5000:040x}",
                "value": 10**15 + i,
                "receipt_status": 1,
            }
            handle.write(json.dumps(row) + "\n")
    db = tmp_path / "killed.duckdb"
    command = [sys.executable, "-m", "heistguard", "--db", str(db), "chain", "ingest", str(path), "--batch-rows", "500"]
    wal = db.with_name(db.name + ".wal")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:  # several batches committed
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the ingest finished before it could be killed"
    rerun = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "resumed after" in rerun.stderr.replace("\n", " ")
    with IntelStore.open(db, read_only=True) as store:
        got = store.conn.execute("SELECT count(*), count(DISTINCT tx), sum(amount) FROM chain.transfers").fetchone()
    assert got == (rows, rows, Decimal(rows * 10**15 + rows * (rows - 1) // 2))


@pytest.mark.parametrize("name", ["expected_transactions.json", "expected_token_transfers.json"])
def test_bulk_sql_path_gives_the_same_rows_as_the_row_by_row_path(store: IntelStore, tmp_path: Path, name: str) -> None:
    rows = json_lines(ETH / name)
    csv_path = _write_csv(rows, tmp_path / name.replace(".json", ".csv"))
    bulk = ingest_file(store, csv_path)
    in_bulk = _transfers(store)
    store.conn.execute("DELETE FROM chain.transfers")
    store.conn.execute("DELETE FROM chain.ingest_progress")
    ingest_file(store, csv_path, bulk=False)
    assert _transfers(store) == in_bulk and bulk.transfers == len(in_bulk) > 0
    ingest_file(store, ETH / name)  # the same rows again from JSON lines: replaced, not doubled
    assert _transfers(store) == in_bulk


def test_a_bad_row_in_a_bulk_file_is_named_by_the_row_by_row_path(store: IntelStore, tmp_path: Path) -> None:
    rows = json_lines(ETH / "expected_token_transfers.json")
    rows[120]["to_address"] = "0xnot-an-address"
    path = _write_csv(rows, tmp_path / "token_transfers.csv")
    with pytest.raises(BadInput, match=r"bad to_address in .*token_transfers.csv:121"):
        ingest_file(store, path)


def test_a_row_of_the_wrong_shape_is_named_not_a_traceback(store: IntelStore, tmp_path: Path) -> None:
    row = {**json_lines(BTC / "expected_transactions.json")[1], "inputs": 5}
    path = tmp_path / "btc.json"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(BadInput, match=rf"malformed row in {path}:1: TypeError"):
        ingest_file(store, path)


def test_bigquery_numeric_values_in_parquet_are_read_exactly(store: IntelStore, tmp_path: Path) -> None:
    """BigQuery exports `transactions.value` (NUMERIC, i.e. DECIMAL(38, 9)) to Parquet as a decimal with scale 9."""
    rows = [{**r, "value": Decimal(r["value"])} for r in json_lines(ETH / "expected_transactions.json")]
    plain = pa.Table.from_pylist(rows)
    numeric = pa.schema([pa.field(f.name, pa.decimal128(38, 9)) if f.name == "value" else f for f in plain.schema])
    table = plain.cast(numeric)
    pq.write_table(table, tmp_path / "transactions.parquet")
    result = ingest_file(store, tmp_path / "transactions.parquet")
    assert result.transfers == len(_expected_native_rows())
    assert _transfers(store, "kind = 'native'") == _expected_native_rows()
