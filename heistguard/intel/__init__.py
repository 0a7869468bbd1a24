"""The intelligence store every guard looks indicators up in: `lookup()` for one value,
`lookup_many()` for a batch, `open_store()` for the DuckDB file with its bundled public intel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from heistguard.intel.bundled import ensure_bundled
from heistguard.intel.indicators import Indicator, IndicatorType, normalise
from heistguard.intel.matching import IntelLookup, LookupBatch, LookupResult, Match
from heistguard.intel.store import IntelStore

__all__ = [
    "Indicator",
    "IndicatorType",
    "IntelLookup",
    "IntelStore",
    "LookupBatch",
    "LookupResult",
    "Match",
    "lookup",
    "lookup_many",
    "normalise",
    "open_store",
]


def open_store(path: Path | str | None = None, read_only: bool = True) -> IntelStore:
    """Open the store (default place unless `path`), loading this release's bundled intel if needed."""
    return ensure_bundled(IntelStore.open(path, read_only=read_only))


def lookup(value: str | Indicator, kind: IndicatorType | str | None = None, *, store: IntelStore) -> tuple[Match, ...]:
    """Every record that matches `value` (raises `BadInput` for a malformed value)."""
    return IntelLookup(store).lookup(value, kind)


def lookup_many(values: Sequence[str], kind: IndicatorType | str | None = None, *, store: IntelStore) -> LookupBatch:
    """Batch lookup; a malformed value gives a result with `error` set, the rest carry on."""
    return IntelLookup(store).lookup_many(values, kind)
