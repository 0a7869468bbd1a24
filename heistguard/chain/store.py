"""The chain tables in the HeistGuard DuckDB file: transfers, UTXO inputs and outputs, blocks seen, ingest progress.

They live in their own `chain` schema with their own migration list and version, so the intel
store's migrations and ours never collide; the file and the connection are the intel store's.
"""

from __future__ import annotations

from heistguard.errors import StoreError
from heistguard.intel.store import IntelStore

SCHEMA_VERSION = 1
_VERSION_KEY = "chain_schema_version"

# Each entry moves the chain schema from version i to i+1; never edit one that has shipped.
_MIGRATIONS: list[tuple[str, str]] = [
    (
        "create transfers, utxo inputs and outputs, blocks, tokens and ingest progress",
        """
        CREATE SCHEMA IF NOT EXISTS chain;
        -- No primary keys on the row tables: a block's rows are replaced by delete-then-insert in one
        -- transaction (idempotent, reorg-safe), and DuckDB joins need no indexes.
        -- One row per movement of value: a native transfer, an internal call, a token Transfer log,
        -- a block reward, or the share of a Bitcoin transaction's output paid from one input address.
        CREATE TABLE chain.transfers (
            chain VARCHAR NOT NULL,
            tx VARCHAR,
            block BIGINT NOT NULL,
            time TIMESTAMP NOT NULL,
            position VARCHAR NOT NULL,        -- where in the block: 'tx', 'log:<i>', 'trace:<path>', 'out:<i>:<from>'
            from_address VARCHAR,
            to_address VARCHAR,
            asset VARCHAR NOT NULL,           -- 'ETH'/'BTC' for the native coin, else the token contract
            amount DECIMAL(38, 0),            -- base units; NULL only when beyond 38 digits (see amount_text)
            amount_text VARCHAR NOT NULL,     -- the exact base-unit integer as written, any size
            decimals INTEGER,
            kind VARCHAR NOT NULL,            -- native | internal | token | reward | utxo
            origin VARCHAR NOT NULL           -- the input: transactions | token_transfers | traces | utxo
        );
        CREATE TABLE chain.utxo_outputs (
            chain VARCHAR NOT NULL,
            tx VARCHAR NOT NULL,
            idx INTEGER NOT NULL,
            block BIGINT NOT NULL,
            time TIMESTAMP NOT NULL,
            address VARCHAR,                  -- NULL for outputs with no standard address (OP_RETURN, bare multisig)
            addresses VARCHAR[],
            script_type VARCHAR,
            value DECIMAL(38, 0) NOT NULL
        );
        CREATE TABLE chain.utxo_inputs (
            chain VARCHAR NOT NULL,
            tx VARCHAR NOT NULL,
            idx INTEGER NOT NULL,
            block BIGINT NOT NULL,
            time TIMESTAMP NOT NULL,
            spent_tx VARCHAR,
            spent_idx INTEGER,
            address VARCHAR,
            addresses VARCHAR[],
            value DECIMAL(38, 0)
        );
        CREATE TABLE chain.utxo_txs (
            chain VARCHAR NOT NULL,
            tx VARCHAR NOT NULL,
            block BIGINT NOT NULL,
            time TIMESTAMP NOT NULL,
            is_coinbase BOOLEAN NOT NULL,
            coinjoin BOOLEAN NOT NULL,
            input_count INTEGER NOT NULL,
            output_count INTEGER NOT NULL,
            input_value DECIMAL(38, 0),
            output_value DECIMAL(38, 0),
            fee DECIMAL(38, 0)
        );
        CREATE TABLE chain.blocks (
            chain VARCHAR NOT NULL,
            number BIGINT NOT NULL,
            hash VARCHAR NOT NULL,
            parent_hash VARCHAR,
            time TIMESTAMP NOT NULL,
            PRIMARY KEY (chain, number)
        );
        CREATE TABLE chain.tokens (
            chain VARCHAR NOT NULL,
            address VARCHAR NOT NULL,
            symbol VARCHAR,
            name VARCHAR,
            decimals INTEGER,
            PRIMARY KEY (chain, address)
        );
        CREATE TABLE chain.ingest_progress (
            source VARCHAR PRIMARY KEY,       -- a file (path, size, mtime) or an RPC endpoint and chain
            position BIGINT NOT NULL,         -- rows of the file, or the next block number, committed so far
            done BOOLEAN NOT NULL,
            updated_at TIMESTAMP NOT NULL
        );
        """,
    ),
]
assert len(_MIGRATIONS) == SCHEMA_VERSION


def chain_schema_version(store: IntelStore) -> int:
    value = store.get_meta(_VERSION_KEY)
    return int(value) if value else 0


def ensure_chain_schema(store: IntelStore) -> IntelStore:
    """Create or migrate the chain tables in an open, writable store; refuse a newer chain schema."""
    version = chain_schema_version(store)
    if version > SCHEMA_VERSION:
        raise StoreError(
            "chain tables are from a newer HeistGuard",
            str(store.path),
            f"chain schema v{version}, this version reads up to v{SCHEMA_VERSION}; upgrade heistguard",
        )
    if version < SCHEMA_VERSION:
        if store.read_only:
            raise StoreError("chain tables are missing", str(store.path), "run `heistguard chain ingest` first")
        with store.transaction() as conn:
            for _, ddl in _MIGRATIONS[version:]:
                conn.execute(ddl)
            store.set_meta(_VERSION_KEY, str(SCHEMA_VERSION))
    return store


def has_chain_tables(store: IntelStore) -> bool:
    return chain_schema_version(store) >= 1
