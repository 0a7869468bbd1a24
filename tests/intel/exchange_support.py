"""Helpers the exchange tests share: comparing two stores field by field."""

from __future__ import annotations

import datetime as dt

from heistguard.intel.store import IndicatorRecord, IntelStore, Source


def source_facts(source: Source) -> tuple[object, ...]:
    """What a source says about itself; `bundled` and `imported_at` describe this store, not the source."""
    return (source.id, source.name, source.url, source.as_of, source.licence, source.notes, source.records)


def assert_same_intel(left: IntelStore, right: IntelStore, source_ids: list[str] | None = None) -> None:
    wanted = None if source_ids is None else set(source_ids)
    records_left = set(left.all_records(wanted))
    records_right = set(right.all_records(wanted))
    assert records_left, "nothing to compare"
    assert records_left == records_right
    sources_left = {s.id: source_facts(s) for s in left.sources() if wanted is None or s.id in wanted}
    sources_right = {s.id: source_facts(s) for s in right.sources() if wanted is None or s.id in wanted}
    assert sources_left == sources_right


def record(value: str, kind: str, category: str = "malware", **fields: object) -> IndicatorRecord:
    """A record as the store holds it (value already in its normal form)."""
    from heistguard.intel.indicators import normalise

    indicator = normalise(value, kind)
    base: dict[str, object] = {"source_id": "test-source", "confidence": 80}
    base.update(fields)
    return IndicatorRecord(
        type=indicator.type.value,
        value=indicator.value,
        display=indicator.display,
        category=category,
        **base,  # type: ignore[arg-type]
    )


TEST_SOURCE = Source(
    id="test-source",
    name="Exchange test source",
    url="https://example.org/report",
    as_of=dt.date(2025, 3, 1),
    licence="CC0",
    notes="built in the test",
)
