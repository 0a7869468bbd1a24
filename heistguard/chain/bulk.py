"""Bulk ingest: a whole ethereum-etl CSV or Parquet file of transactions or token transfers converted by DuckDB in SQL.

The row-by-row path (`ingest.ingest_file`) validates in Python at tens of thousands of rows a
second; a chain's history needs more. Here DuckDB first checks every row with the same rules
(addresses, whole-number values, block numbers, times); if any row fails, the file goes to the
row-by-row path, which names the exact row. A valid file is written in one transaction: keyed
rows replace themselves (idempotent), blocks go through the same reorg bookkeeping, and the file is
marked done only when its rows are committed, so a killed bulk ingest leaves nothing half-written.
"""

from __future__ import annotations

from pathlib import Path

from heistguard.chain.ingest import IngestResult, _progress_key, _run, _set_progress, record_block
from heistguard.chain.store import ensure_chain_schema
from heistguard.intel.store import IntelStore

BULK_TABLES = ("transactions", "token_transfers")
_REQUIRED = {
    "transactions": {"hash", "block_number", "block_timestamp", "from_address", "to_address", "value"},
    "token_transfers": {
        "token_address",
        "from_address",
        "to_address",
        "value",
        "transaction_hash",
        "log_index",
        "block_number",
        "block_timestamp",
    },
}
_OPTIONAL = ("receipt_contract_address", "receipt_status", "block_hash")
_ADDRESS = "'^0x[0-9a-fA-F]{40}$'"
_DIGITS = "'^[0-9]+$'"


def _source(path: Path, fmt: str) -> str:
    where = str(path).replace("'", "''")
    if fmt == "csv":
        # Every column as text: DuckDB would otherwise read 10^18-sized values as lossy doubles.
        return f"read_csv('{where}', header = true, all_varchar = true)"
    return f"read_parquet('{where}')"


def _time(column: str) -> str:
    text = f"CAST({column} AS VARCHAR)"
    return (
        f"CASE WHEN regexp_full_match({text}, {_DIGITS}) THEN make_timestamp(CAST({text} AS BIGINT) * 1000000) "
        f"ELSE TRY_CAST(replace(replace({text}, ' UTC', ''), 'T', ' ') AS TIMESTAMP) END"
    )


def _select(table: str, chain: str) -> tuple[str, str]:
    """(checks every row must pass, the SELECT that turns a valid row into a transfer)."""
    # BigQuery's NUMERIC is DECIMAL(38, 9): its Parquet values read "7400000000000000000.000000000".
    value = "regexp_replace(CAST(value AS VARCHAR), '\\.0*$', '')"
    common = (
        f"regexp_full_match(CAST(block_number AS VARCHAR), {_DIGITS}) AND regexp_full_match({value}, {_DIGITS}) "
        f"AND {_time('block_timestamp')} IS NOT NULL AND regexp_full_match(from_address, {_ADDRESS})"
    )
    chain_literal = chain.replace("'", "''")
    if table == "transactions":
        receiver = "coalesce(nullif(to_address, ''), receipt_contract_address)"
        checks = f"{common} AND regexp_full_match({receiver}, {_ADDRESS})"
        status = "coalesce(nullif(CAST(receipt_status AS VARCHAR), ''), '1')"
        select = (
            f"SELECT '{chain_literal}' AS chain, lower(hash) AS tx, CAST(block_number AS BIGINT) AS block, "
            f"{_time('block_timestamp')} AS time, 'tx' AS position, lower(from_address) AS from_address, "
            f"lower({receiver}) AS to_address, 'ETH' AS asset, TRY_CAST({value} AS DECIMAL(38, 0)) AS amount, "
            f"{value} AS amount_text, 18 AS decimals, 'native' AS kind, 'transactions' AS origin "
            f"FROM src WHERE {value} <> '0' AND {status} = '1'"
        )
        return checks, select
    checks = (
        f"{common} AND regexp_full_match(to_address, {_ADDRESS}) AND regexp_full_match(token_address, {_ADDRESS}) "
        f"AND regexp_full_match(CAST(log_index AS VARCHAR), {_DIGITS})"
    )
    select = (
        f"SELECT '{chain_literal}' AS chain, lower(transaction_hash) AS tx, CAST(block_number AS BIGINT) AS block, "
        f"{_time('block_timestamp')} AS time, 'log:' || CAST(CAST(log_index AS BIGINT) AS VARCHAR) AS position, "
        f"lower(from_address) AS from_address, lower(to_address) AS to_address, lower(token_address) AS asset, "
        f"TRY_CAST({value} AS DECIMAL(38, 0)) AS amount, {value} AS amount_text, t.decimals AS decimals, "
        f"'token' AS kind, 'token_transfers' AS origin "
        f"FROM src LEFT JOIN chain.tokens t ON t.chain = '{chain_literal}' AND t.address = lower(src.token_address)"
    )
    return checks, select


def bulk_ingest(store: IntelStore, path: Path, table: str, fmt: str, chain: str = "ethereum") -> IngestResult | None:
    """Ingest a valid file in one SQL pass; None when a row fails a check (use the row-by-row path to name it)."""
    ensure_chain_schema(store)
    key = _progress_key(path)
    checks, select = _select(table, chain)
    source = _source(path, fmt)
    columns = {str(r[0]) for r in store.conn.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    if not _REQUIRED[table] <= columns:
        return None  # the row-by-row path names the missing column
    # Optional ethereum-etl columns an export may leave out.
    extra = "".join(f", NULL::VARCHAR AS {c}" for c in _OPTIONAL if c not in columns)
    store.conn.execute(f"CREATE OR REPLACE TEMP VIEW src AS SELECT *{extra} FROM {source}").fetchall()
    try:
        bad = store.conn.execute(f"SELECT count(*) FROM src WHERE NOT coalesce({checks}, false)").fetchall()[0][0]
        if bad:
            return None
        total = int(store.conn.execute("SELECT count(*) FROM src").fetchall()[0][0])
        result = IngestResult(str(path), table, rows_read=total)
        with store.transaction():
            _run(store, f"CREATE OR REPLACE TEMP TABLE hg_bulk AS {select}")
            when = _time("block_timestamp")
            chain_literal = chain.replace("'", "''")
            _run(
                store,
                f"CREATE OR REPLACE TEMP TABLE hg_bulk_blocks AS SELECT DISTINCT '{chain_literal}' AS chain, "
                f"CAST(block_number AS BIGINT) AS number, CAST(block_hash AS VARCHAR) AS hash, {when} AS time FROM src "
                "WHERE block_hash IS NOT NULL QUALIFY row_number() OVER (PARTITION BY number ORDER BY hash) = 1",
            )
            # Heights held with another hash are reorgs: those few take the row-by-row bookkeeping.
            replaced = store.conn.execute(
                "SELECT n.number, n.hash, n.time FROM hg_bulk_blocks n JOIN chain.blocks b "
                "ON b.chain = n.chain AND b.number = n.number WHERE b.hash <> n.hash ORDER BY n.number"
            ).fetchall()
            for number, block_hash, time in replaced:
                if record_block(store, chain, int(number), str(block_hash), None, time):
                    result.reorged_blocks.append(int(number))
            _run(
                store,
                "INSERT INTO chain.blocks SELECT n.chain, n.number, n.hash, NULL, n.time FROM hg_bulk_blocks n "
                "ANTI JOIN chain.blocks b ON b.chain = n.chain AND b.number = n.number",
            )
            blocks = store.conn.execute("SELECT count(DISTINCT number) FROM hg_bulk_blocks").fetchall()[0][0]
            stored = store.conn.execute(
                "SELECT count(*) FROM chain.transfers WHERE chain = ? AND block BETWEEN "
                "(SELECT min(block) FROM hg_bulk) AND (SELECT max(block) FROM hg_bulk)",
                [chain],
            ).fetchall()[0][0]
            if stored:
                _run(
                    store,
                    "DELETE FROM chain.transfers t USING hg_bulk n WHERE t.chain = n.chain AND t.block = n.block "
                    "AND t.origin = n.origin AND t.position = n.position AND t.tx IS NOT DISTINCT FROM n.tx",
                )
            _run(store, "INSERT INTO chain.transfers SELECT * FROM hg_bulk")
            result.transfers = int(store.conn.execute("SELECT count(*) FROM hg_bulk").fetchall()[0][0])
            result.blocks = int(blocks)
            _set_progress(store, key, total, True)
        _run(store, "DROP TABLE IF EXISTS hg_bulk")
        _run(store, "DROP TABLE IF EXISTS hg_bulk_blocks")
        return result
    finally:
        _run(store, "DROP VIEW IF EXISTS src")
