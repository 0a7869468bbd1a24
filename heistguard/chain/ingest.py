"""Ingest chain data into the store: resumable, idempotent and reorg-safe.

Rows are written a batch of whole blocks at a time, each batch in one transaction together with
how far the input has been read. Kill it anywhere and run it again: committed batches are skipped,
a half-written batch never existed, and a batch written twice replaces itself (rows are keyed by
chain, block, origin and position). A block that arrives with a different hash at a height already
stored is a reorg: the old block's rows, and those of the blocks built on it, are removed first.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from heistguard.chain.rows import (
    INPUT_COLUMNS,
    OUTPUT_COLUMNS,
    TRANSFER_COLUMNS,
    UTXO_TX_COLUMNS,
    BlockRows,
    RowError,
    as_int,
    as_time,
    bitcoin_transaction,
    evm_address,
    get,
    token_transfer,
    trace_transfer,
    transaction_transfer,
)
from heistguard.chain.store import ensure_chain_schema
from heistguard.errors import BadInput
from heistguard.intel.store import IntelStore

TABLES = ("transactions", "token_transfers", "traces", "blocks", "tokens", "bitcoin_transactions")  # what a file can be
_DECIMAL = pa.decimal128(38, 0)
_TS = pa.timestamp("us")
_ARROW = {
    "transfers": pa.schema(
        [
            ("chain", pa.string()),
            ("tx", pa.string()),
            ("block", pa.int64()),
            ("time", _TS),
            ("position", pa.string()),
            ("from_address", pa.string()),
            ("to_address", pa.string()),
            ("asset", pa.string()),
            ("amount", _DECIMAL),
            ("amount_text", pa.string()),
            ("decimals", pa.int32()),
            ("kind", pa.string()),
            ("origin", pa.string()),
        ]
    ),
    "utxo_outputs": pa.schema(
        [
            ("chain", pa.string()),
            ("tx", pa.string()),
            ("idx", pa.int32()),
            ("block", pa.int64()),
            ("time", _TS),
            ("address", pa.string()),
            ("addresses", pa.list_(pa.string())),
            ("script_type", pa.string()),
            ("value", _DECIMAL),
        ]
    ),
    "utxo_inputs": pa.schema(
        [
            ("chain", pa.string()),
            ("tx", pa.string()),
            ("idx", pa.int32()),
            ("block", pa.int64()),
            ("time", _TS),
            ("spent_tx", pa.string()),
            ("spent_idx", pa.int32()),
            ("address", pa.string()),
            ("addresses", pa.list_(pa.string())),
            ("value", _DECIMAL),
        ]
    ),
    "utxo_txs": pa.schema(
        [
            ("chain", pa.string()),
            ("tx", pa.string()),
            ("block", pa.int64()),
            ("time", _TS),
            ("is_coinbase", pa.bool_()),
            ("coinjoin", pa.bool_()),
            ("input_count", pa.int32()),
            ("output_count", pa.int32()),
            ("input_value", _DECIMAL),
            ("output_value", _DECIMAL),
            ("fee", _DECIMAL),
        ]
    ),
}
assert tuple(_ARROW["transfers"].names) == TRANSFER_COLUMNS
assert tuple(_ARROW["utxo_outputs"].names) == OUTPUT_COLUMNS
assert tuple(_ARROW["utxo_inputs"].names) == INPUT_COLUMNS
assert tuple(_ARROW["utxo_txs"].names) == UTXO_TX_COLUMNS
# How each table's rows are keyed for replacement.
_KEYS = {
    "transfers": ("chain", "block", "origin", "position", "tx"),
    "utxo_outputs": ("chain", "tx", "idx"),
    "utxo_inputs": ("chain", "tx", "idx"),
    "utxo_txs": ("chain", "tx"),
}

Progress = Callable[[int, int | None], None]
"""Called after each committed batch with (rows read so far, total rows when known)."""


@dataclass
class IngestResult:
    source: str
    table: str
    rows_read: int = 0
    rows_skipped_resume: int = 0
    transfers: int = 0
    utxo_outputs: int = 0
    blocks: int = 0
    reorged_blocks: list[int] = field(default_factory=list)


# --- reading files --------------------------------------------------------------------------------


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def file_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".json", ".jsonl", ".ndjson")):
        return "jsonl"
    raise BadInput(
        "unknown file type", str(path), "expected .csv, .json/.jsonl (JSON lines) or .parquet, optionally .gz"
    )


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number from 1, row) for a CSV, JSON-lines or Parquet file."""
    fmt = file_format(path)
    try:
        if fmt == "parquet":
            n = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
                for row in batch.to_pylist():
                    n += 1
                    yield n, row
            return
        with _open_text(path) as handle:
            if fmt == "csv":
                for n, row in enumerate(csv.DictReader(handle), 1):
                    yield n, {k: (v if v != "" else None) for k, v in row.items() if k is not None}
            else:
                for n, line in enumerate(handle, 1):
                    if not line.strip():
                        continue
                    try:
                        item = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise BadInput("malformed JSON line", f"{path}:{n}", exc.msg) from None
                    if not isinstance(item, dict):
                        raise BadInput("malformed JSON line", f"{path}:{n}", "expected an object per line")
                    yield n, item
    except (OSError, EOFError, pa.ArrowException, UnicodeDecodeError, csv.Error) as exc:
        raise BadInput("cannot read chain data", str(path), str(exc).splitlines()[0]) from None


def table_of(row: Mapping[str, Any], path: Path) -> str:
    """Which ethereum-etl / bitcoin-etl table a row belongs to, by its `type` field or its columns."""
    kind = row.get("type")
    keys = set(row)
    if "inputs" in keys and "outputs" in keys:
        return "bitcoin_transactions"
    if kind == "token_transfer" or {"token_address", "log_index"} <= keys:
        return "token_transfers"
    if kind == "trace" or "trace_type" in keys:
        return "traces"
    if kind == "transaction" or {"nonce", "from_address", "value"} <= keys:
        return "transactions"
    if kind == "token" or {"symbol", "decimals", "address"} <= keys:
        return "tokens"
    if kind == "block" or {"number", "hash", "timestamp"} <= keys:
        return "blocks"
    raise BadInput(
        "unrecognised chain data",
        str(path),
        "not an ethereum-etl or bitcoin-etl table (columns: " + ", ".join(sorted(keys)[:8]) + ")",
    )


# --- writing --------------------------------------------------------------------------------------


def _one(store: IntelStore, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """The first row of a query, with the result drained."""
    rows = store.conn.execute(sql, params).fetchall()
    return rows[0] if rows else None


def _run(store: IntelStore, sql: str, params: list[Any] | None = None) -> None:
    """Execute a statement and drain its result (DuckDB refuses new work while one is pending)."""
    store.conn.execute(sql, params or []).fetchall()


def _insert(store: IntelStore, table: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    schema = _ARROW[table]
    batch = pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema=schema)
    name = f"hg_new_{table}"
    store.conn.register(name, batch)
    try:
        keys = _KEYS[table]
        # Replacing what a previous (killed or repeated) run wrote makes every batch idempotent.
        blocks = [r[schema.names.index("block")] for r in rows]
        existing = _one(
            store,
            f"SELECT count(*) FROM chain.{table} WHERE chain = ? AND block BETWEEN ? AND ?",
            [rows[0][0], min(blocks), max(blocks)],
        )
        if existing and existing[0]:
            match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM n.{k}" for k in keys)
            _run(store, f"DELETE FROM chain.{table} t USING {name} n WHERE {match}")
        _run(store, f"INSERT INTO chain.{table} SELECT * FROM {name}")
    finally:
        store.conn.unregister(name)


def _drop_block(store: IntelStore, chain: str, number: int) -> None:
    for table in ("transfers", "utxo_outputs", "utxo_inputs", "utxo_txs"):
        _run(store, f"DELETE FROM chain.{table} WHERE chain = ? AND block = ?", [chain, number])
    _run(store, "DELETE FROM chain.blocks WHERE chain = ? AND number = ?", [chain, number])


def record_block(
    store: IntelStore, chain: str, number: int, block_hash: str | None, parent: str | None, time: dt.datetime
) -> bool:
    """Note a block; when another block is stored at that height, drop it and what was built on it. True on a reorg."""
    reorg = False
    if block_hash:
        row = _one(store, "SELECT hash FROM chain.blocks WHERE chain = ? AND number = ?", [chain, number])
        if row and row[0] != block_hash:
            reorg = True
            _drop_block(store, chain, number)
            # Descendants of the replaced block are orphaned too.
            height, expected_parent = number + 1, block_hash
            while True:
                child = _one(
                    store, "SELECT parent_hash FROM chain.blocks WHERE chain = ? AND number = ?", [chain, height]
                )
                if child is None or child[0] in (None, expected_parent):
                    break
                _drop_block(store, chain, height)
                height += 1
        if row is None or reorg:
            _run(
                store,
                "INSERT OR REPLACE INTO chain.blocks VALUES (?, ?, ?, ?, ?)",
                [chain, number, block_hash, parent, time],
            )
        elif parent:
            _run(
                store,
                "UPDATE chain.blocks SET parent_hash = ? WHERE chain = ? AND number = ? AND parent_hash IS NULL",
                [parent, chain, number],
            )
    return reorg


_BLOCKS_ARROW = pa.schema(
    [("chain", pa.string()), ("number", pa.int64()), ("hash", pa.string()), ("parent_hash", pa.string()), ("time", _TS)]
)


def record_blocks(store: IntelStore, blocks: list[BlockRows], result: IngestResult) -> set[tuple[str, int]]:
    """Note a batch's blocks in one query each way; only a height stored with another hash takes the slow reorg path."""
    latest: dict[tuple[str, int], BlockRows] = {}
    for block in blocks:
        latest.setdefault((block.chain, block.number), block)
    if not latest:
        return set()
    by_chain: dict[str, list[int]] = {}
    for chain, number in latest:
        by_chain.setdefault(chain, []).append(number)
    stored: dict[tuple[str, int], str] = {}
    for chain, numbers in by_chain.items():
        rows = store.conn.execute(
            "SELECT number, hash FROM chain.blocks WHERE chain = ? AND number BETWEEN ? AND ?",
            [chain, min(numbers), max(numbers)],
        ).fetchall()
        stored.update({(chain, int(n)): str(h) for n, h in rows})
    fresh = []
    for key, block in sorted(latest.items()):
        if not block.hash:
            continue
        if key not in stored or (stored[key] == block.hash and block.parent_hash):
            fresh.append(block)  # new, or the same block now with its parent (a blocks file after the rest)
        elif stored[key] != block.hash and record_block(
            store, block.chain, block.number, block.hash, block.parent_hash, block.time
        ):
            result.reorged_blocks.append(block.number)
    if fresh:
        table = pa.Table.from_pylist(
            [
                {"chain": b.chain, "number": b.number, "hash": b.hash, "parent_hash": b.parent_hash, "time": b.time}
                for b in fresh
            ],
            schema=_BLOCKS_ARROW,
        )
        store.conn.register("hg_new_blocks", table)
        try:
            _run(store, "INSERT OR REPLACE INTO chain.blocks SELECT * FROM hg_new_blocks")
        finally:
            store.conn.unregister("hg_new_blocks")
    return set(latest)


def write_blocks(store: IntelStore, blocks: Iterable[BlockRows], result: IngestResult) -> None:
    """Write a batch of blocks (call inside a transaction)."""
    merged: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _ARROW}
    blocks = list(blocks)
    seen = record_blocks(store, blocks, result)
    for block in blocks:
        merged["transfers"].extend(block.transfers)
        merged["utxo_outputs"].extend(block.outputs)
        merged["utxo_inputs"].extend(block.inputs)
        merged["utxo_txs"].extend(block.utxo_txs)
    for table, rows in merged.items():
        _insert(store, table, rows)
    result.transfers += len(merged["transfers"])
    result.utxo_outputs += len(merged["utxo_outputs"])
    result.blocks += len(seen)


def _progress_key(path: Path) -> str:
    stat = path.stat()
    return f"file:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def _committed(store: IntelStore, key: str) -> tuple[int, bool]:
    row = _one(store, "SELECT position, done FROM chain.ingest_progress WHERE source = ?", [key])
    return (int(row[0]), bool(row[1])) if row else (0, False)


def _set_progress(store: IntelStore, key: str, position: int, done: bool) -> None:
    _run(
        store,
        "INSERT OR REPLACE INTO chain.ingest_progress VALUES (?, ?, ?, ?)",
        [key, position, done, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)],
    )


def _token_decimals(store: IntelStore, chain: str) -> dict[str, int | None]:
    rows = store.conn.execute("SELECT address, decimals FROM chain.tokens WHERE chain = ?", [chain]).fetchall()
    return {str(a): (int(d) if d is not None else None) for a, d in rows}


def _count_rows(path: Path) -> int | None:
    if file_format(path) == "parquet":
        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except (OSError, pa.ArrowException):
            return None
    return None


def ingest_file(
    store: IntelStore,
    path: Path,
    chain: str = "ethereum",
    batch_rows: int = 50_000,
    progress: Progress | None = None,
    bulk: bool = True,
) -> IngestResult:
    """Ingest one ethereum-etl / bitcoin-etl file, resuming where a previous run stopped.

    Valid CSV and Parquet files of transactions and token transfers go through DuckDB in one SQL
    pass (`bulk`); anything else, or a file with a bad row, is read row by row."""
    ensure_chain_schema(store)
    if not path.is_file():
        raise BadInput("no such file", str(path), "give an ethereum-etl or bitcoin-etl export")
    key = _progress_key(path)
    start, done = _committed(store, key)
    rows = read_rows(path)
    first = next(rows, None)
    if first is None:
        return IngestResult(str(path), "empty")
    table = table_of(first[1], path)
    if table == "bitcoin_transactions" and chain == "ethereum":
        chain = "bitcoin"
    result = IngestResult(str(path), table, rows_skipped_resume=start)
    if done:
        return result  # already ingested in full: nothing to read
    if bulk and start == 0 and table in ("transactions", "token_transfers") and file_format(path) != "jsonl":
        from heistguard.chain.bulk import bulk_ingest

        done_in_bulk = bulk_ingest(store, path, table, file_format(path), chain)
        if done_in_bulk is not None:
            if progress:
                progress(done_in_bulk.rows_read, done_in_bulk.rows_read)
            return done_in_bulk
    total = _count_rows(path)
    decimals = _token_decimals(store, chain)
    pending: dict[int, BlockRows] = {}
    pending_rows = 0
    last_block: int | None = None
    position = 0

    def flush(upto: int) -> None:
        nonlocal pending, pending_rows
        with store.transaction():
            if table == "blocks":
                result.blocks += len(record_blocks(store, list(pending.values()), result))
            elif table == "tokens":
                pass  # written row by row below
            else:
                write_blocks(store, pending.values(), result)
            _set_progress(store, key, upto, False)
        pending, pending_rows = {}, 0
        if progress:
            progress(upto, total)

    def all_rows() -> Iterator[tuple[int, dict[str, Any]]]:
        yield first
        yield from rows

    for n, row in all_rows():
        position = n
        if n <= start:
            continue
        where = f"{path}:{n}"
        result.rows_read += 1
        if table == "tokens":
            address = evm_address(get(row, "address", where), "address", where)
            dec = row.get("decimals")
            with store.transaction():
                _run(
                    store,
                    "INSERT OR REPLACE INTO chain.tokens VALUES (?, ?, ?, ?, ?)",
                    [chain, address, row.get("symbol"), row.get("name"), int(dec) if dec not in (None, "") else None],
                )
            continue
        try:
            block_no, item = _convert(table, row, chain, where, decimals)
        except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
            raise RowError("malformed row", where, f"{type(exc).__name__}: {exc}") from None
        if last_block is not None and block_no != last_block and pending_rows >= batch_rows:
            flush(n - 1)
        last_block = block_no
        if isinstance(item, BlockRows):
            target = pending.setdefault(block_no, BlockRows(chain, block_no, item.hash, item.parent_hash, item.time))
            target.transfers.extend(item.transfers)
            target.outputs.extend(item.outputs)
            target.inputs.extend(item.inputs)
            target.utxo_txs.extend(item.utxo_txs)
        else:
            block_hash = row.get("block_hash") if table != "blocks" else row.get("hash")
            time = as_time(row.get("block_timestamp") or row.get("timestamp"), where)
            target = pending.setdefault(block_no, BlockRows(chain, block_no, block_hash, None, time))
            if table == "blocks":
                target.parent_hash = row.get("parent_hash")
            elif item is not None:
                target.transfers.append(item)
        pending_rows += 1
    if pending:
        flush(position)
    with store.transaction():
        _set_progress(store, key, position, True)
    return result


def _convert(
    table: str, row: Mapping[str, Any], chain: str, where: str, decimals: Mapping[str, int | None]
) -> tuple[int, tuple[Any, ...] | BlockRows | None]:
    if table == "transactions":
        return transaction_transfer(row, chain, where)
    if table == "token_transfers":
        return token_transfer(row, chain, where, decimals)
    if table == "traces":
        return trace_transfer(row, chain, where)
    if table == "bitcoin_transactions":
        flag = row.get("coinjoin")
        return bitcoin_transaction(row, chain, where, flag if isinstance(flag, bool) else None)
    if table == "blocks":
        return as_int(get(row, "number", where), "number", where), None
    raise RowError("unsupported table", where, table)
