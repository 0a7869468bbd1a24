"""HeistGuard's own CSV: one row per indicator record, every store field a column (see docs/intel.md).

Only `value` is required on import: a missing `type` is detected from the value, a missing
`category` defaults to `malware` for network indicators and hashes and `theft` for addresses,
and `source_id` defaults to `--source` or the file's name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from heistguard.errors import BadInput
from heistguard.intel.exchange.model import ActorIndex, ExportSet, IntelBatch, make_record, parse_day, slug
from heistguard.intel.indicators import IndicatorType, normalise
from heistguard.intel.store import Actor, Source

COLUMNS = (
    "type",
    "value",
    "chain",
    "category",
    "actor",
    "incident",
    "description",
    "confidence",
    "status",
    "status_date",
    "first_seen",
    "last_seen",
    "source_id",
    "source_ref",
    "source_name",
    "source_url",
    "source_as_of",
    "source_licence",
    "source_notes",
)
REQUIRED = {"value"}
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a feed's description
# must not run in the analyst's Excel. Such cells get a leading apostrophe, removed again on import.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DELIMITERS = (",", ";", "\t")


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _delimiter(first_line: str) -> str:
    """Comma, or the semicolon or tab a spreadsheet in another locale saved the file with."""
    return max(_DELIMITERS, key=lambda d: (first_line.count(d), d == ","))


def export_csv(data: ExportSet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in data.records:
        source = data.sources.get(r.source_id)
        row: list[object] = [
            r.type,
            r.display if r.type == IndicatorType.ADDRESS else r.value,
            r.chain,
            r.category,
            r.actor,
            r.incident,
            r.description,
            r.confidence,
            r.status,
            r.status_date,
            r.first_seen,
            r.last_seen,
            r.source_id,
            r.source_ref,
            source.name if source else None,
            source.url if source else None,
            source.as_of if source else None,
            source.licence if source else None,
            source.notes if source else None,
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def looks_like_csv(text: str) -> bool:
    """A header line naming a `value` column (and only columns of ours, checked on reading)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return "value" in {c.strip().strip('"') for c in first.split(_delimiter(first))}


def read_csv(text: str, where: str, source_override: str | None, known_actors: Iterable[Actor]) -> IntelBatch:
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text.split("\n", 1)[0]))
    header = [h.strip() for h in reader.fieldnames or ()]
    if not set(header) >= REQUIRED:
        raise BadInput("CSV lacks required columns", where, ", ".join(sorted(REQUIRED - set(header))))
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise BadInput("unknown CSV columns", f"{where}:1", f"{', '.join(unknown)}; known: {', '.join(COLUMNS)}")
    batch = IntelBatch()
    index = ActorIndex(known_actors)
    default_source = source_override or slug(Path(where).stem)
    try:
        for row in reader:
            here = f"{where}:{reader.line_num}"
            if None in row:
                raise BadInput("malformed CSV", here, "more fields than the header names")
            cell = {k.strip(): _uncell((v or "").strip()) for k, v in row.items() if k is not None}
            if not cell.get("value"):
                continue
            source_id = source_override or cell.get("source_id") or default_source
            if source_id not in batch.sources or cell.get("source_name"):
                batch.sources[source_id] = Source(
                    id=source_id,
                    name=cell.get("source_name") or f"CSV import {where}",
                    url=cell.get("source_url") or None,
                    as_of=parse_day(cell.get("source_as_of")),
                    licence=cell.get("source_licence") or None,
                    notes=cell.get("source_notes") or None,
                )
            kind = cell.get("type") or None
            try:
                kind_type = IndicatorType(kind) if kind else None
            except ValueError:
                batch.skipped.append(f"{here}: unknown indicator type {kind!r}")
                continue
            if kind_type is None:
                try:
                    kind_type = normalise(cell["value"]).type
                except BadInput as exc:
                    batch.skipped.append(f"{here}: {exc.one_line()}")
                    continue
            actor = index.resolve(cell["actor"], batch, f"imported from {where}") if cell.get("actor") else None
            make_record(
                kind_type,
                cell["value"],
                category=cell.get("category") or ("theft" if kind_type is IndicatorType.ADDRESS else "malware"),
                source_id=source_id,
                where=here,
                batch=batch,
                chain=cell.get("chain") or None,
                actor=actor,
                incident=cell.get("incident") or None,
                description=cell.get("description") or None,
                confidence=cell.get("confidence"),
                source_ref=cell.get("source_ref") or None,
                first_seen=parse_day(cell.get("first_seen")),
                last_seen=parse_day(cell.get("last_seen")),
                status=cell.get("status") or None,
                status_date=parse_day(cell.get("status_date")),
            )
    except csv.Error as exc:
        raise BadInput("malformed CSV", f"{where}:{reader.line_num}", str(exc)) from None
    return batch
