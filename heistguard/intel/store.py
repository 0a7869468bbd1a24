"""The intelligence store: indicators, their sources and the actors behind them, in one DuckDB file.

The file carries a schema version. Opening an older store migrates it in one transaction; a store
written by a newer HeistGuard is refused rather than half-understood. DuckDB allows one writing
process per file, so a second writer gets a clear "busy" error instead of DuckDB's traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import platformdirs
import pyarrow as pa

from heistguard.errors import StoreError

DB_ENV = "HEISTGUARD_DB"
SCHEMA_VERSION = 2

# Each entry moves a store from version i to i+1; never edit one that has shipped, add a new one.
_MIGRATIONS: list[tuple[str, str]] = [
    (
        "create sources, indicators and actors",
        """
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
        CREATE TABLE sources (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            url VARCHAR,
            as_of DATE,
            licence VARCHAR,
            bundled BOOLEAN NOT NULL DEFAULT FALSE,
            imported_at TIMESTAMP NOT NULL,
            records INTEGER NOT NULL DEFAULT 0,
            notes VARCHAR
        );
        CREATE TABLE indicators (
            record_id VARCHAR PRIMARY KEY,
            type VARCHAR NOT NULL,
            value VARCHAR NOT NULL,
            display VARCHAR NOT NULL,
            chain VARCHAR,
            category VARCHAR NOT NULL,
            actor VARCHAR,
            incident VARCHAR,
            description VARCHAR,
            confidence INTEGER NOT NULL,
            source_id VARCHAR NOT NULL,
            source_ref VARCHAR,
            first_seen DATE,
            last_seen DATE
        );
        CREATE INDEX indicators_value ON indicators (value);
        CREATE TABLE actors (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            attack_id VARCHAR,
            aliases VARCHAR[],
            description VARCHAR,
            parent VARCHAR,
            refs VARCHAR[]
        );
        """,
    ),
    (
        # OFAC delisted the Tornado Cash contracts on 2025-03-21: a record must say when it stopped being current.
        "add status and status date to indicators",
        """
        ALTER TABLE indicators ADD COLUMN status VARCHAR DEFAULT 'active';
        UPDATE indicators SET status = 'active' WHERE status IS NULL;
        ALTER TABLE indicators ADD COLUMN status_date DATE;
        """,
    ),
]
assert len(_MIGRATIONS) == SCHEMA_VERSION

STATUSES = ("active", "delisted", "withdrawn")
INDICATOR_COLUMNS = (
    "record_id",
    "type",
    "value",
    "display",
    "chain",
    "category",
    "actor",
    "incident",
    "description",
    "confidence",
    "source_id",
    "source_ref",
    "first_seen",
    "last_seen",
    "status",
    "status_date",
)
_ARROW_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("type", pa.string()),
        ("value", pa.string()),
        ("display", pa.string()),
        ("chain", pa.string()),
        ("category", pa.string()),
        ("actor", pa.string()),
        ("incident", pa.string()),
        ("description", pa.string()),
        ("confidence", pa.int32()),
        ("source_id", pa.string()),
        ("source_ref", pa.string()),
        ("first_seen", pa.date32()),
        ("last_seen", pa.date32()),
        ("status", pa.string()),
        ("status_date", pa.date32()),
    ]
)
assert tuple(_ARROW_SCHEMA.names) == INDICATOR_COLUMNS


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    url: str | None
    as_of: dt.date | None
    licence: str | None = None
    bundled: bool = False
    notes: str | None = None
    records: int = 0
    imported_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One source's statement about one indicator."""

    type: str
    value: str
    display: str
    category: str
    source_id: str
    confidence: int
    chain: str | None = None
    actor: str | None = None
    incident: str | None = None
    description: str | None = None
    source_ref: str | None = None
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    status: str = "active"
    status_date: dt.date | None = None
    record_id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.record_id:
            key = "\x00".join(
                (
                    self.source_id,
                    self.type,
                    self.value,
                    self.chain or "",
                    self.category,
                    self.incident or "",
                    self.description or "",
                )
            )
            object.__setattr__(self, "record_id", hashlib.sha256(key.encode()).hexdigest()[:32])

    @property
    def current(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Actor:
    """An intrusion set (or a cluster of one) that indicators are attributed to."""

    id: str
    name: str
    kind: str
    attack_id: str | None
    aliases: tuple[str, ...]
    description: str
    parent: str | None = None
    refs: tuple[str, ...] = ()


def default_db_path() -> Path:
    """`$HEISTGUARD_DB`, else the user's data directory (XDG on Linux)."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("heistguard", appauthor=False)) / "heistguard.duckdb"


_LOCK_PID = re.compile(r"PID (\d+)")


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    where = str(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError("cannot create the store's directory", where, exc.strerror or str(exc)) from None
    try:
        return duckdb.connect(where, read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = _LOCK_PID.search(text)
            holder = f"process {pid.group(1)}" if pid else "another process"
            raise StoreError(
                "intel store is busy", where, f"{holder} holds it for writing; try again when it has finished"
            ) from None
        raise StoreError("cannot open the intel store", where, text.splitlines()[0]) from None
    except duckdb.Error as exc:
        raise StoreError("cannot open the intel store", where, str(exc).splitlines()[0]) from None


class IntelStore:
    """A connection to the store; use `IntelStore.open()` and close it (or use it as a context manager)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, read_only: bool = False) -> IntelStore:
        """Open (and create or migrate when writable) the store at `path` or the default place."""
        db = Path(path) if path is not None else default_db_path()
        if read_only and not db.exists():
            read_only = False  # nothing to read yet: create it
        conn = _connect(db, read_only)
        store = cls(conn, db, read_only)
        try:
            version = store.schema_version()
            if version > SCHEMA_VERSION:
                raise StoreError(
                    "intel store is from a newer HeistGuard",
                    str(db),
                    f"schema v{version}, this version reads up to v{SCHEMA_VERSION}; upgrade heistguard",
                )
            if version < SCHEMA_VERSION:
                if read_only:
                    conn.close()
                    return cls.open(db, read_only=False)
                store._migrate(version)
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> IntelStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def one(self, query: str, params: list[object] | None = None) -> tuple[object, ...] | None:
        """The first row of a query, reading the result to its end: DuckDB 2 keeps a half-read result
        open on the connection, and the next `register` on it would fail."""
        rows = self.conn.execute(query, params or []).fetchall()
        return rows[0] if rows else None

    def schema_version(self) -> int:
        try:
            has_meta = self.one("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'")
        except duckdb.Error as exc:
            raise StoreError("cannot read the intel store", str(self.path), str(exc).splitlines()[0]) from None
        if not has_meta or not has_meta[0]:
            return 0
        row = self.one("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(str(row[0])) if row else 0

    def _migrate(self, version: int) -> None:
        with self.transaction():
            for _, ddl in _MIGRATIONS[version:]:
                self.conn.execute(ddl)
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: an import that fails half way leaves the store as it was."""
        self.conn.execute("BEGIN TRANSACTION")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- meta ----------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", [key])
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    # --- writing (callers wrap these in `transaction()`) ---------------------------------------

    def replace_source(self, source: Source, records: Iterable[IndicatorRecord]) -> int:
        """Swap in a source's records: what the source said before is replaced, not merged."""
        self.conn.execute("DELETE FROM indicators WHERE source_id = ?", [source.id])
        return self.add_records(source, records)

    def add_records(self, source: Source, records: Iterable[IndicatorRecord]) -> int:
        unique = list({r.record_id: r for r in records}.values())
        if unique:
            # One Arrow batch instead of row-by-row inserts: DuckDB takes it in a single vectorised step.
            batch = pa.table(
                {name: [getattr(r, name) for r in unique] for name in INDICATOR_COLUMNS}, schema=_ARROW_SCHEMA
            )
            self.conn.register("hg_new_records", batch)
            try:
                columns = ", ".join(INDICATOR_COLUMNS)
                self.conn.execute("DELETE FROM indicators WHERE record_id IN (SELECT record_id FROM hg_new_records)")
                self.conn.execute(f"INSERT INTO indicators ({columns}) SELECT {columns} FROM hg_new_records")
            finally:
                self.conn.unregister("hg_new_records")
        count_row = self.one("SELECT count(*) FROM indicators WHERE source_id = ?", [source.id])
        count = int(str(count_row[0])) if count_row else 0
        self.conn.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source.id,
                source.name,
                source.url,
                source.as_of,
                source.licence,
                source.bundled,
                dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
                count,
                source.notes,
            ],
        )
        return len(unique)

    def put_actors(self, actors: Iterable[Actor]) -> None:
        for a in actors:
            self.conn.execute(
                "INSERT OR REPLACE INTO actors VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [a.id, a.name, a.kind, a.attack_id, list(a.aliases), a.description, a.parent, list(a.refs)],
            )

    # --- reading -------------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        rows = self.conn.execute(
            "SELECT id, name, url, as_of, licence, bundled, notes, records, imported_at FROM sources ORDER BY id"
        ).fetchall()
        return [Source(*row) for row in rows]

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources() if s.id == source_id), None)

    def actors(self) -> list[Actor]:
        rows = self.conn.execute(
            "SELECT id, name, kind, attack_id, aliases, description, parent, refs FROM actors ORDER BY id"
        ).fetchall()
        return [Actor(r[0], r[1], r[2], r[3], tuple(r[4] or ()), r[5] or "", r[6], tuple(r[7] or ())) for r in rows]

    def records_for(self, values: Iterable[str]) -> list[IndicatorRecord]:
        keys = sorted(set(values))
        if not keys:
            return []
        rows = self.conn.execute(
            f"SELECT {', '.join(INDICATOR_COLUMNS)} FROM indicators WHERE value IN (SELECT unnest(?))", [keys]
        ).fetchall()
        return [record_from_row(row) for row in rows]

    def all_records(self, source_ids: Iterable[str] | None = None) -> Iterator[IndicatorRecord]:
        query = f"SELECT {', '.join(INDICATOR_COLUMNS)} FROM indicators"
        params: list[object] = []
        if source_ids is not None:
            query += " WHERE source_id IN (SELECT unnest(?))"
            params.append(sorted(source_ids))
        cursor = self.conn.execute(query + " ORDER BY type, value, source_id, record_id", params)
        while batch := cursor.fetchmany(10_000):
            yield from (record_from_row(row) for row in batch)

    def count(self) -> int:
        row = self.one("SELECT count(*) FROM indicators")
        return int(str(row[0])) if row else 0


def record_from_row(row: tuple[object, ...]) -> IndicatorRecord:
    return IndicatorRecord(**dict(zip(INDICATOR_COLUMNS, row, strict=True)))  # type: ignore[arg-type]
