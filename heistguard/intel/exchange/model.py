"""What every exchange format reads into and writes from: a batch of sources, records and actors."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from heistguard.errors import BadInput
from heistguard.intel.actors import actor_id
from heistguard.intel.indicators import IndicatorType, normalise
from heistguard.intel.store import Actor, IndicatorRecord, Source

# Fixed namespace for the uuid5 ids of everything we export, so a re-export of the same store diffs cleanly.
NAMESPACE = uuid.UUID("0b8f3c52-6a2e-4f1d-8c3a-7e9d51f04b26")
DEFAULT_CONFIDENCE = 50


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


@dataclass
class IntelBatch:
    """What one import file holds, ready for the store: nothing is written until all of it has been read."""

    sources: dict[str, Source] = field(default_factory=dict)
    records: list[IndicatorRecord] = field(default_factory=list)
    actors: dict[str, Actor] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    # source id -> the sharing restrictions (TLP labels) its statements came with
    markings: dict[str, set[str]] = field(default_factory=dict)

    def mark(self, source_id: str, label: str) -> None:
        label = label.strip().upper()
        if label.startswith("TLP:"):
            self.markings.setdefault(source_id, set()).add(label)

    def restricted(self, source_id: str) -> list[str]:
        """The TLP labels of a source that forbid passing its intel on freely."""
        return sorted(self.markings.get(source_id, set()) - {"TLP:CLEAR", "TLP:WHITE"})


@dataclass(frozen=True)
class ExportSet:
    """What an export writes: the chosen sources, their records in store order, and the actors."""

    sources: dict[str, Source]
    records: list[IndicatorRecord]
    actors: list[Actor]


def load_json(text: str, where: str) -> Any:
    """Parse JSON; a syntax error (a truncated file) is reported with its line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput("malformed JSON", f"{where}:{exc.lineno}:{exc.colno}", exc.msg) from None
    except RecursionError:
        raise BadInput("malformed JSON", where, "nested too deeply") from None


def parse_day(value: object) -> dt.date | None:
    """A date from an ISO date or timestamp string (or a date), else None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def day_time(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60] or "imported"


class ActorIndex:
    """Resolve the names peers use for an intrusion set (aliases, ATT&CK ids) to the store's actor."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.by_key: dict[str, Actor] = {}
        for actor in actors:
            self.add(actor)

    def add(self, actor: Actor) -> None:
        for key in (actor.name, *actor.aliases, actor.attack_id or ""):
            if key:
                self.by_key.setdefault(key.lower(), actor)

    def resolve(self, name: str, batch: IntelBatch, note: str) -> str:
        """The canonical actor name for `name`; an actor we do not know yet is added to the batch."""
        name = name.strip()
        found = self.by_key.get(name.lower())
        if found is not None:
            return found.name
        actor = Actor(id=actor_id(name), name=name, kind="intrusion-set", attack_id=None, aliases=(), description=note)
        self.add(actor)
        batch.actors[actor.name] = actor
        return actor.name


def make_record(
    kind: IndicatorType | str | None,
    value: str,
    *,
    category: str,
    source_id: str,
    where: str,
    batch: IntelBatch,
    **fields: Any,
) -> IndicatorRecord | None:
    """Normalise a value into a record; a malformed value is noted in `batch.skipped` and yields None."""
    try:
        indicator = normalise(value, kind)
    except BadInput as exc:
        batch.skipped.append(f"{where}: {exc.one_line()}")
        return None
    confidence = fields.pop("confidence", None)
    status = fields.pop("status", None) or "active"
    if status not in ("active", "delisted", "withdrawn"):
        batch.skipped.append(f"{where}: unknown status {status!r}")
        return None
    record = IndicatorRecord(
        type=indicator.type.value,
        value=indicator.value,
        display=indicator.display,
        category=category,
        source_id=source_id,
        confidence=_confidence(confidence),
        status=status,
        **fields,
    )
    batch.records.append(record)
    return record


def _confidence(value: object) -> int:
    if value is None or value == "":
        return DEFAULT_CONFIDENCE
    try:
        number = int(str(value))
    except ValueError:
        return DEFAULT_CONFIDENCE
    return max(0, min(100, number))
