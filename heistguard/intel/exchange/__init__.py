"""Intel in and out of the store: STIX 2.1 bundles, MISP events and feeds, and our CSV, told apart by content."""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable
from pathlib import Path

from heistguard.errors import BadInput
from heistguard.intel.exchange.csv_format import export_csv, looks_like_csv, read_csv
from heistguard.intel.exchange.misp import (
    export_misp,
    export_misp_feed,
    looks_like_manifest,
    read_misp,
    read_misp_feed,
)
from heistguard.intel.exchange.model import ExportSet, IntelBatch, load_json
from heistguard.intel.exchange.stix import export_stix, read_stix
from heistguard.intel.feeds import sniff_feed_format
from heistguard.intel.store import IndicatorRecord, IntelStore

__all__ = [
    "ExportFormat",
    "ExportSet",
    "IntelBatch",
    "export_data",
    "export_feed",
    "export_text",
    "import_batch",
    "read_intel_file",
    "sniff",
]


class ExportFormat(enum.StrEnum):
    STIX = "stix"
    MISP = "misp"
    CSV = "csv"


_BUNDLE = re.compile(r'"type"\s*:\s*"bundle"')
_KNOWN = "a STIX 2.1 bundle, a MISP event, a MISP feed manifest or directory, or a HeistGuard CSV"
_MAX_BYTES = 512 * 1024 * 1024  # a bigger "intel file" is a mistake, not a feed


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise BadInput("file too large to import", str(path), f"over {_MAX_BYTES // 2**20} MiB")
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(
            "not UTF-8 text", str(path), f"byte {exc.start} is not UTF-8; intel files are UTF-8 text"
        ) from None
    except OSError as exc:
        raise BadInput("cannot read file", str(path), exc.strerror or str(exc)) from None


def sniff(path: Path, text: str) -> str:
    """Which format a file holds: stix, misp-event, misp-feed (a manifest) or csv, by content, not by name."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head in ("{", "["):
        if _BUNDLE.search(text[:4096]):
            return "stix"  # parsed (and a truncation reported) by the STIX reader
        doc = load_json(text, str(path))
        if isinstance(doc, dict) and doc.get("type") == "bundle":
            return "stix"
        if looks_like_manifest(doc):
            return "misp-feed"
        if isinstance(doc, dict) and ("Event" in doc or "response" in doc or "Attribute" in doc or "info" in doc):
            return "misp-event"
        if isinstance(doc, dict) and isinstance(doc.get("type"), str) and isinstance(doc.get("spec_version"), str):
            return "stix"
        raise BadInput("unknown format", str(path), f"JSON, but not {_KNOWN}")
    if looks_like_csv(text):
        return "csv"
    feed = sniff_feed_format(path, text)
    if feed is not None:
        raise BadInput("not an exchange format", str(path), f"a {feed} feed; load it with `heistguard intel update`")
    raise BadInput("unknown format", str(path), f"expected {_KNOWN}")


def read_intel_file(path: Path, store: IntelStore, source_override: str | None = None) -> tuple[str, IntelBatch]:
    """Read one file or feed directory completely (nothing is written); returns its format and contents."""
    actors = store.actors()
    if path.is_dir():
        manifest = path / "manifest.json"
        if not manifest.is_file():
            raise BadInput("not a MISP feed directory", str(path), "it has no manifest.json")
        return "misp-feed", read_misp_feed(path, _read_text(manifest), source_override, actors)
    text = _read_text(path)
    fmt = sniff(path, text)
    where = str(path)
    if fmt == "stix":
        return fmt, read_stix(text, where, source_override, actors)
    if fmt == "misp-feed":
        return fmt, read_misp_feed(path.parent, text, source_override, actors)
    if fmt == "misp-event":
        return fmt, read_misp(load_json(text, where), where, source_override, actors)
    return fmt, read_csv(text, where, source_override, actors)


def import_batch(store: IntelStore, batch: IntelBatch, replace: bool = False) -> int:
    """Write a batch in one transaction: its actors, then each source's records, merged by record id
    or, with `replace`, instead of what the store held for that source (a feed that dropped an indicator)."""
    with store.transaction():
        store.put_actors(batch.actors.values())
        count = 0
        by_source: dict[str, list[IndicatorRecord]] = {sid: [] for sid in batch.sources}
        for record in batch.records:
            by_source.setdefault(record.source_id, []).append(record)
        for source_id, records in sorted(by_source.items()):
            source = batch.sources[source_id]
            restricted = batch.restricted(source_id)
            if restricted:
                # The store has no per-record marking yet; the source's notes keep the restriction in sight.
                note = f"marked {', '.join(restricted)} by its source: check before sharing"
                source = dataclasses.replace(source, notes=f"{source.notes}; {note}" if source.notes else note)
            write = store.replace_source if replace else store.add_records
            count += write(source, records)
    return count


def export_data(
    store: IntelStore,
    source_ids: Iterable[str] | None = None,
    *,
    categories: Iterable[str] | None = None,
    current_only: bool = False,
) -> ExportSet:
    """The records, sources and actors of the chosen sources (all when None), optionally only some
    categories or only current records; an unknown source is bad input."""
    sources = {s.id: s for s in store.sources()}
    chosen = None
    if source_ids is not None:
        chosen = sorted(set(source_ids))
        missing = [sid for sid in chosen if sid not in sources]
        if missing:
            raise BadInput("unknown source", ", ".join(missing), "see `heistguard intel sources` for the ids")
        sources = {sid: sources[sid] for sid in chosen}
    wanted = set(categories) if categories else None
    records = [
        r
        for r in store.all_records(chosen)
        if (wanted is None or r.category in wanted) and (r.current or not current_only)
    ]
    return ExportSet(sources=sources, records=records, actors=store.actors())


def export_text(data: ExportSet, fmt: ExportFormat) -> str:
    if fmt is ExportFormat.STIX:
        return export_stix(data)
    if fmt is ExportFormat.MISP:
        return export_misp(data)
    return export_csv(data)


def export_feed(data: ExportSet, directory: Path) -> int:
    return export_misp_feed(data, directory)
