"""Where the transfers are queried: the embedded DuckDB store or Apache Spark, through one set of Ibis expressions.

Screening and tracing ask the engine only a few questions (the transfers leaving or reaching a set
of addresses, the inputs of some Bitcoin transactions, the token table); each is written once as an
Ibis expression, so DuckDB and PySpark run the very same query. Ibis is the maintained library for
exactly this: one dataframe API compiled to each backend's SQL, without a hand-written second copy.
Parquet is the exchange format: `export_parquet` writes the store's chain tables for Spark to read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

from heistguard.chain.store import ensure_chain_schema, has_chain_tables
from heistguard.errors import BadInput, StoreError
from heistguard.intel.store import IntelStore

TABLES = ("transfers", "utxo_inputs", "utxo_outputs", "utxo_txs", "tokens")
EDGE_COLUMNS = (
    "chain",
    "tx",
    "block",
    "time",
    "position",
    "from_address",
    "to_address",
    "asset",
    "amount",
    "decimals",
    "kind",
    "origin",
)


@dataclass
class Engine:
    """An Ibis connection that holds the chain tables under their plain names."""

    name: str
    con: Any

    def table(self, name: str) -> Any:
        if self.name == "duckdb":
            return self.con.table(name, database="chain")
        return self.con.table(name)

    def fetch(self, expr: Any) -> pa.Table:
        table = self.con.to_pyarrow(expr)
        # Spark hands timestamps back zoned (UTC); DuckDB's are naive UTC. One form for both.
        fields = [pa.field(f.name, pa.timestamp("us")) if pa.types.is_timestamp(f.type) else f for f in table.schema]
        return table.cast(pa.schema(fields))

    # --- the questions screening and tracing ask ---------------------------------------------------

    def _edges(
        self,
        side: str,
        addresses: Iterable[str],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        chain: str | None = None,
    ) -> list[dict[str, Any]]:
        wanted = sorted(set(addresses))
        if not wanted:
            return []
        transfers = self.table("transfers")
        keys = ibis.memtable(pa.table({side: pa.array(wanted, pa.string())}))
        expr = transfers.semi_join(keys, side)
        if since is not None:
            expr = expr.filter(expr.time >= since)
        if until is not None:
            expr = expr.filter(expr.time <= until)
        if chain is not None:
            expr = expr.filter(expr.chain == chain)
        expr = expr.select(*EDGE_COLUMNS).order_by(["chain", "block", "tx", "origin", "position"])
        return self.fetch(expr).to_pylist()

    def edges_from(self, addresses: Iterable[str], **window: Any) -> list[dict[str, Any]]:
        """Every transfer sent by one of `addresses` (in the time window)."""
        return self._edges("from_address", addresses, **window)

    def edges_to(self, addresses: Iterable[str], **window: Any) -> list[dict[str, Any]]:
        """Every transfer received by one of `addresses` (in the time window)."""
        return self._edges("to_address", addresses, **window)

    def edges_of_tx(self, txs: Iterable[str]) -> list[dict[str, Any]]:
        return self._edges("tx", txs)

    def multi_input_spends(self, chain: str) -> list[dict[str, Any]]:
        """(tx, address, coinjoin) for every input of a transaction with inputs from two or more addresses."""
        inputs = self.table("utxo_inputs")
        txs = self.table("utxo_txs")
        inputs = inputs.filter((inputs.chain == chain) & inputs.address.notnull())
        per_tx = inputs.group_by("tx").aggregate(owners=inputs.address.nunique())
        joined = inputs.join(per_tx.filter(per_tx.owners >= 2), "tx").join(txs.filter(txs.chain == chain), "tx")
        expr = joined.select("tx", "address", "coinjoin").distinct().order_by(["tx", "address"])
        return self.fetch(expr).to_pylist()

    def two_output_spends(self, chain: str) -> list[dict[str, Any]]:
        """Outputs of non-CoinJoin, non-coinbase transactions with exactly two outputs (change candidates)."""
        outputs = self.table("utxo_outputs")
        txs = self.table("utxo_txs")
        pick = txs.filter((txs.chain == chain) & (txs.output_count == 2) & ~txs.coinjoin & ~txs.is_coinbase)
        expr = outputs.filter(outputs.chain == chain).semi_join(pick, "tx")
        expr = expr.select("tx", "idx", "address", "value", "block").order_by(["tx", "idx"])
        return self.fetch(expr).to_pylist()

    def first_seen_outputs(self, chain: str, addresses: Iterable[str]) -> dict[str, int]:
        """The first block in which each address was paid."""
        wanted = sorted(set(addresses))
        if not wanted:
            return {}
        outputs = self.table("utxo_outputs")
        keys = ibis.memtable(pa.table({"address": pa.array(wanted, pa.string())}))
        expr = outputs.filter(outputs.chain == chain).semi_join(keys, "address")
        expr = expr.group_by("address").aggregate(first=expr.block.min()).order_by("address")
        return {r["address"]: int(r["first"]) for r in self.fetch(expr).to_pylist()}

    def materialize(self, expr: Any, name: str) -> Any:
        """Compute an intermediate result once and keep it in the engine (a temporary table on DuckDB, a cached
        view on Spark), so an iterative algorithm does not rebuild an ever deeper query."""
        if self.name == "duckdb":
            return self.con.create_table(name, expr, temp=True)
        self.con.create_view(name, expr, overwrite=True)
        self.con.raw_sql(f"CACHE TABLE {name}")
        return self.con.table(name)

    def common_input_clusters(
        self, chain: str, include_coinjoin: bool = False, max_rounds: int = 200
    ) -> dict[str, str]:
        """address -> cluster name (the smallest address of its cluster), computed inside the engine by
        min-label propagation over multi-input spends: each round, a transaction takes the smallest label of
        its input addresses and each address the smallest label of its transactions, until nothing changes.
        CoinJoin-shaped transactions and multisig inputs are left out (several owners, not one)."""
        inputs = self.table("utxo_inputs")
        txs = self.table("utxo_txs")
        spends = inputs.filter(
            (inputs.chain == chain) & inputs.address.notnull() & ~inputs.address.startswith("multisig(")
        )
        if not include_coinjoin:
            spends = spends.semi_join(txs.filter((txs.chain == chain) & ~txs.coinjoin), "tx")
        spends = spends.select("tx", "address").distinct()
        owners = spends.group_by("tx").aggregate(owners=spends.address.nunique())
        spends = spends.semi_join(owners.filter(owners.owners >= 2), "tx")
        run = uuid.uuid4().hex[:8]
        spends = self.materialize(spends, f"hg_spends_{run}")
        labels = self.materialize(spends.select("address").distinct().mutate(label=ibis._.address), f"hg_l0_{run}")
        for round_no in range(1, max_rounds + 1):
            joined = spends.join(labels, "address")
            per_tx = joined.group_by("tx").aggregate(label=joined.label.min())
            back = spends.join(per_tx, "tx")
            new = self.materialize(back.group_by("address").aggregate(label=back.label.min()), f"hg_l{round_no}_{run}")
            both = new.join(labels, "address", rname="{name}_old")
            changed = self.fetch(both.filter(both.label != both.label_old).count().as_table()).column(0)[0].as_py()
            labels = new
            if not changed:
                break
        return {r["address"]: r["label"] for r in self.fetch(labels).to_pylist()}

    def tokens(self) -> list[dict[str, Any]]:
        t = self.table("tokens")
        return self.fetch(t.order_by(["chain", "address"])).to_pylist()

    def has_transfers(self) -> bool:
        """Whether any chain data is there at all (one row, not a count: cheap on Spark too)."""
        return self.fetch(self.table("transfers").select("chain").limit(1)).num_rows > 0


def duckdb_engine(store: IntelStore) -> Engine:
    """The store itself, through Ibis's DuckDB backend on the store's own connection."""
    if not has_chain_tables(store):
        if store.read_only:
            raise StoreError("no chain data in the store", str(store.path), "run `heistguard chain ingest` first")
        ensure_chain_schema(store)
    return Engine("duckdb", ibis.duckdb.from_connection(store.conn))


def export_parquet(store: IntelStore, folder: Path) -> Path:
    """Write the chain tables as Parquet (one file per table) for Spark or any other engine to read."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            target = str(folder / f"{table}.parquet").replace("'", "''")
            store.conn.execute(f"COPY chain.{table} TO '{target}' (FORMAT PARQUET)").fetchall()
    except OSError as exc:
        raise BadInput("cannot write the Parquet tables", str(folder), exc.strerror or str(exc)) from None
    except duckdb.Error as exc:
        raise BadInput("cannot write the Parquet tables", str(folder), str(exc).splitlines()[0]) from None
    return folder


_SPARK_SESSIONS: dict[str, Any] = {}


def spark_session(master: str = "local[*]") -> Any:
    """One Spark session per master for the life of the process (starting one takes seconds)."""
    if master not in _SPARK_SESSIONS:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise BadInput("Spark is not installed", "--engine spark", "pip install 'heistguard[spark]'") from None
        builder = (
            SparkSession.builder.master(master)
            .appName("heistguard-chain")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.adaptive.enabled", "true")
        )
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        _SPARK_SESSIONS[master] = session
    return _SPARK_SESSIONS[master]


def spark_engine(parquet: Path | str, master: str = "local[*]", session: Any = None) -> Engine:
    """Spark reading the Parquet chain tables under `parquet`: a local folder written by `export_parquet`, or
    the same layout at a URL Spark reads (hdfs://, s3a://, ...) on a cluster."""
    location = str(parquet)
    paths = {table: f"{location.rstrip('/')}/{table}.parquet" for table in TABLES}
    if "://" not in location:  # a local folder can be checked before a Spark session is started
        for path in paths.values():
            if not Path(path).exists():
                raise BadInput("missing Parquet table", path, "write it with `heistguard chain export`")
    spark = session or spark_session(master)
    for table, path in paths.items():
        try:
            spark.read.parquet(path).createOrReplaceTempView(table)
        except Exception as exc:  # Spark raises its own (Py4J/Analysis) errors: still one line for the user
            raise BadInput("cannot read the Parquet table", path, str(exc).splitlines()[0][:200]) from None
    return Engine("spark", ibis.pyspark.connect(spark))
