"""Bundled public intel: the manifest of files shipped in `intel/data/`, loaded on first use.

A digest of the shipped files is kept in the store, so a new HeistGuard release refreshes its
bundled sources on first use, while a source the user has since updated with newer data wins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from heistguard.errors import BadInput
from heistguard.intel.actors import ACTORS
from heistguard.intel.feeds import READERS, FeedResult, sniff_feed_format
from heistguard.intel.store import IntelStore, Source

DIGEST_KEY = "bundled_digest"


@dataclass(frozen=True)
class BundledSource:
    source: Source
    file: str
    format: str


def _data_dir() -> Path:
    return Path(str(resources.files("heistguard.intel") / "data"))


@cache
def manifest() -> tuple[BundledSource, ...]:
    data = tomllib.loads((_data_dir() / "sources.toml").read_text("utf-8"))
    out = []
    for entry in data["source"]:
        source = Source(
            id=entry["id"],
            name=entry["name"],
            url=entry.get("url"),
            as_of=entry["as_of"],
            licence=entry.get("licence"),
            bundled=True,
            notes=entry.get("notes"),
        )
        out.append(BundledSource(source, entry["file"], entry["format"]))
    return tuple(out)


@cache
def bundled_digest() -> str:
    digest = hashlib.sha256((_data_dir() / "sources.toml").read_bytes())
    for item in manifest():
        digest.update((_data_dir() / item.file).read_bytes())
    return digest.hexdigest()


def read_feed(path: Path, text: str, source_id: str, fmt: str | None = None) -> FeedResult:
    fmt = fmt or sniff_feed_format(path, text)
    if fmt is None:
        raise BadInput(
            "unknown feed format",
            str(path),
            "expected an OFAC SDN, DPRK attribution or Etherscan label CSV, or a GraphSense tag pack",
        )
    return READERS[fmt](text, str(path), source_id)


def needs_loading(store: IntelStore) -> bool:
    return store.get_meta(DIGEST_KEY) != bundled_digest()


def load_bundled(store: IntelStore) -> dict[str, int]:
    """(Re)load every bundled source in one transaction; returns records per source."""
    loaded: dict[str, int] = {}
    with store.transaction():
        store.put_actors(ACTORS)
        current = {s.id: s for s in store.sources()}
        for item in manifest():
            existing = current.get(item.source.id)
            if existing and not existing.bundled and _newer(existing.as_of, item.source.as_of):
                continue  # the user imported a newer edition of this source
            path = _data_dir() / item.file
            result = read_feed(path, path.read_text("utf-8"), item.source.id, item.format)
            loaded[item.source.id] = store.replace_source(item.source, result.records)
        store.set_meta(DIGEST_KEY, bundled_digest())
    return loaded


def _newer(a: dt.date | None, b: dt.date | None) -> bool:
    return a is not None and (b is None or a >= b)


def ensure_bundled(store: IntelStore) -> IntelStore:
    """Make sure the store holds this release's bundled intel; reopens read-write when it must."""
    if not needs_loading(store):
        return store
    if store.read_only:
        path = store.path
        store.close()
        store = IntelStore.open(path, read_only=False)
        if not needs_loading(store):
            return store
    load_bundled(store)
    return store
