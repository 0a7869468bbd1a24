"""Lookup: "is this value known, and who says so?" — the one way every guard asks the intel store.

A lookup matches the normalised value itself and what it contains (a URL's host, an e-mail
address's domain, a domain's parents). A sanctions record is only reported as current when no
source says the same indicator was delisted after that record was made.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import overload

import pyarrow as pa
import pyarrow.compute as pc

from heistguard.errors import BadInput
from heistguard.findings import (
    Evidence,
    Finding,
    IndicatorRef,
    Location,
    Rule,
    Severity,
    Verdict,
    error_verdict,
    verdict_of,
)
from heistguard.intel.actors import attack_ids
from heistguard.intel.indicators import (
    PLAIN_FORMS_SQL,
    Indicator,
    IndicatorType,
    evm_checksum,
    evm_checksum_ok,
    host_of,
    match_keys,
    normalise,
    normalise_domain,
    normalise_kind,
)
from heistguard.intel.rules import FORMERLY_SANCTIONED, RULE_FOR_CATEGORY, SERVICE
from heistguard.intel.store import INDICATOR_COLUMNS, IndicatorRecord, IntelStore, Source, record_from_row

GUARD = "intel"
_URL = re.compile(r"https?://[^\s;,)]+")
VERDICT_WORDS = ("malicious", "suspicious", "not-listed")
# Below this, an attribution is a lead to check, not a fact to block on.
_FIRM_CONFIDENCE = 60
# From this many values on, plain forms are normalised in DuckDB; below, per value in Python is quicker.
_SQL_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Match:
    """A store record that matched a looked-up indicator, directly or through `relation`."""

    queried: Indicator
    matched: Indicator
    record: IndicatorRecord
    relation: str | None = None
    superseded_by: IndicatorRecord | None = None

    @property
    def current(self) -> bool:
        return self.record.current and self.superseded_by is None


@dataclass(frozen=True, slots=True)
class LookupResult:
    input: str
    indicator: Indicator | None
    matches: tuple[Match, ...] = ()
    error: str | None = None


def _supersede(records: list[IndicatorRecord], sources: dict[str, Source]) -> dict[str, IndicatorRecord]:
    """record_id -> the delisting record that makes an older sanctions statement stale."""
    delistings = [r for r in records if r.category == "sanctioned" and not r.current and r.status_date]
    stale: dict[str, IndicatorRecord] = {}
    for record in records:
        if record.category != "sanctioned" or not record.current:
            continue
        made = record.first_seen or (sources[record.source_id].as_of if record.source_id in sources else None)
        for delisting in delistings:
            if delisting.value == record.value and (made is None or (delisting.status_date or dt.date.min) >= made):
                stale[record.record_id] = delisting
    return stale


class LookupBatch(Sequence[LookupResult]):
    """The results of one batch in input order. A `LookupResult` (and its matches) is built when it
    is read, so a million-value batch only pays for Python objects a caller looks at."""

    def __init__(
        self,
        values: Sequence[str | Indicator],
        plain: _PlainForms | None,
        parsed: dict[int, Indicator],
        errors: dict[int, str],
        rows: _MatchRows,
        sources: dict[str, Source],
    ) -> None:
        self._values = values
        self._plain = plain
        self._parsed = parsed
        self._errors = errors
        self._rows = rows
        self._sources = sources

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, index: int) -> LookupResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[LookupResult]: ...
    def __getitem__(self, index: int | slice) -> LookupResult | list[LookupResult]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]
        value = self._values[i]
        text = value.display if isinstance(value, Indicator) else value
        if i in self._errors:
            return LookupResult(text, None, error=self._errors[i])
        queried = self.indicator(i)
        return LookupResult(text, queried, self._matches(queried, self._rows.get(i)))

    def indicator(self, i: int) -> Indicator:
        if i in self._parsed:
            return self._parsed[i]
        assert self._plain is not None
        kind, key = self._plain.at(i)
        return Indicator(kind, key, evm_checksum(key[2:]) if kind is IndicatorType.ADDRESS else key)

    @property
    def matched(self) -> int:
        """How many values matched at least one record."""
        return len(self._rows.spans)

    @property
    def matched_indexes(self) -> frozenset[int]:
        return frozenset(self._rows.spans)

    @property
    def errors(self) -> int:
        return len(self._errors)

    def _matches(self, queried: Indicator, rows: list[tuple[int, IndicatorRecord]]) -> tuple[Match, ...]:
        host_key = host_of(queried.type, queried.value)
        host = normalise_domain(host_key) if host_key else None
        matches: list[Match] = []
        for depth in sorted({d for d, _ in rows}):
            records = [r for d, r in rows if d == depth]
            if depth < 0:
                matched, relation = queried, None
            else:
                assert host is not None
                matched = normalise_domain(records[0].value)
                relation = _relation(queried.type, depth, host)
            stale = _supersede(records, self._sources)
            matches.extend(Match(queried, matched, r, relation, stale.get(r.record_id)) for r in records)
        return tuple(matches)


class _PlainForms:
    """What DuckDB made of a big batch: one row per input, in the order DuckDB returned them; the
    row of input i is found through an index built on first use (see PLAIN_FORMS_SQL)."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._row_of: pa.Array | None = None

    def at(self, i: int) -> tuple[IndicatorType, str]:
        if self._row_of is None:
            self._row_of = pc.sort_indices(self.table.column("idx"))
        row = self._row_of[i].as_py()
        return IndicatorType(self.table.column("type")[row].as_py()), self.table.column("key")[row].as_py()


class _MatchRows:
    """The store rows a batch matched, as one Arrow table sorted by input index. They become
    `IndicatorRecord`s, all in one pass, the first time any result is read."""

    def __init__(self, table: pa.Table | None) -> None:
        self.table = table
        self.spans: dict[int, tuple[int, int]] = {}
        self._records: list[tuple[int, IndicatorRecord]] | None = None
        if table is not None:
            for row, idx in enumerate(table.column("idx").to_pylist()):
                start, _ = self.spans.get(idx, (row, row))
                self.spans[idx] = (start, row + 1)

    def get(self, i: int) -> list[tuple[int, IndicatorRecord]]:
        if i not in self.spans or self.table is None:
            return []
        if self._records is None:
            columns = [self.table.column(name).to_pylist() for name in INDICATOR_COLUMNS]
            depths = self.table.column("depth").to_pylist()
            self._records = [
                (d, record_from_row(row)) for d, row in zip(depths, zip(*columns, strict=True), strict=True)
            ]
        start, end = self.spans[i]
        return self._records[start:end]


class IntelLookup:
    """Lookups against one open store; cheap to make, reuse it for a batch."""

    def __init__(self, store: IntelStore) -> None:
        self.store = store
        self.sources = {s.id: s for s in store.sources()}
        self._keys: frozenset[str] | None = None

    def current_addresses(self, categories: Iterable[str]) -> tuple[set[str], set[str]]:
        """(addresses with a current statement in one of `categories`, every address the store holds), for
        screening a whole chain without a lookup per address. A sanctions statement superseded by a later
        delisting does not count, exactly as in a lookup."""
        wanted = set(categories)
        by_value: dict[str, list[IndicatorRecord]] = defaultdict(list)
        for record in self.store.all_records():
            if record.type == IndicatorType.ADDRESS.value:
                by_value[record.value].append(record)
        current: set[str] = set()
        for value, records in by_value.items():
            stale = _supersede(records, self.sources)
            if any(r.category in wanted and r.current and r.record_id not in stale for r in records):
                current.add(value)
        return current, set(by_value)

    def might_match(self, indicator: Indicator) -> bool:
        """A cheap pre-check for hot loops (every link of every message): False when the store holds no
        key the indicator could match through, so no query is needed. The key set is read once."""
        if self._keys is None:
            rows = self.store.conn.execute("SELECT DISTINCT value FROM indicators").fetchall()
            self._keys = frozenset(str(row[0]) for row in rows)
        return any(key in self._keys for key in match_keys(indicator))

    def lookup(self, value: str | Indicator, kind: IndicatorType | str | None = None) -> tuple[Match, ...]:
        """Every record matching one value; raises `BadInput` when the value is malformed."""
        result = self.lookup_many([value], kind)[0]
        if result.error is not None:
            raise BadInput(result.error)
        return result.matches

    def lookup_many(self, values: Sequence[str | Indicator], kind: IndicatorType | str | None = None) -> LookupBatch:
        """Batch form: one store query for all values; a bad value is reported in place."""
        forced = normalise_kind(kind)
        parsed: dict[int, Indicator] = {}
        errors: dict[int, str] = {}
        plain: _PlainForms | None = None
        left: Iterable[int] = range(len(values))
        if len(values) >= _SQL_BATCH and all(isinstance(v, str) for v in values):
            plain, left = self._normalise_plain(values, forced)
        for i in left:
            value = values[i]
            try:
                parsed[i] = value if isinstance(value, Indicator) else normalise(value, forced)
            except BadInput as exc:
                errors[i] = exc.one_line()
        keys = [
            pa.table(
                {
                    "idx": pa.array(list(parsed), type=pa.int64()),
                    "type": pa.array([ind.type.value for ind in parsed.values()], type=pa.string()),
                    "key": pa.array([ind.value for ind in parsed.values()], type=pa.string()),
                    "host": pa.array([host_of(ind.type, ind.value) for ind in parsed.values()], type=pa.string()),
                }
            )
        ]
        if plain is not None:
            keys.append(plain.table.filter(pc.field("settled")).select(["idx", "type", "key", "host"]))
        return LookupBatch(values, plain, parsed, errors, self._query(pa.concat_tables(keys)), self.sources)

    def _normalise_plain(
        self, values: Sequence[str | Indicator], forced: IndicatorType | None
    ) -> tuple[_PlainForms, list[int]]:
        """Normalise the plain values of a big batch in DuckDB; returns them and the indexes left for
        `normalise()`. Mixed-case EVM addresses get their EIP-55 check here: Keccak is not in SQL."""
        strings = pa.array(values, type=pa.string())
        # 0..n-1 without a Python loop: every value is a string, so every position is valid.
        raw = pa.table({"idx": pc.cast(pc.indices_nonzero(pc.is_valid(strings)), pa.int64()), "raw": strings})
        conn = self.store.conn
        conn.register("hg_raw", raw)
        try:
            table = conn.sql(PLAIN_FORMS_SQL).to_arrow_table()
        finally:
            conn.unregister("hg_raw")
        types, keys = table.column("type"), table.column("key")
        mixed = pc.indices_nonzero(pc.fill_null(pc.equal(types, "evm-mixed"), False))
        if forced in (None, IndicatorType.ADDRESS) and len(mixed):
            valid = [
                i
                for i, key in zip(mixed.to_pylist(), pc.take(keys, mixed).to_pylist(), strict=True)
                if evm_checksum_ok(key[2:])
            ]
            checked = pc.is_in(table.column("idx"), value_set=pa.array(valid, type=pa.int64()))
            types = pc.if_else(checked, "address", types)
            keys = pc.if_else(checked, pc.utf8_lower(keys), keys)
            table = table.set_column(1, "type", types).set_column(2, "key", keys)
        settled = pc.and_(pc.is_valid(types), pc.not_equal(types, "evm-mixed"))
        if forced is not None:
            settled = pc.and_(settled, pc.equal(types, forced.value))
        settled = pc.fill_null(settled, False)
        left = pc.indices_nonzero(pc.invert(settled)).to_pylist()
        return _PlainForms(table.append_column("settled", settled)), left

    def _query(self, keys: pa.Table) -> _MatchRows:
        """One DuckDB join of every key, and every domain a key contains, against the indicators:
        idx -> rows of (depth, record columns...), depth -1 for the key itself, 0.. for its host and parents."""
        if keys.num_rows == 0:
            return _MatchRows(None)
        columns = ", ".join("i." + c for c in INDICATOR_COLUMNS)
        conn = self.store.conn
        conn.register("hg_batch", keys)
        try:
            table = conn.sql(
                f"""
                WITH direct AS (
                    SELECT b.idx, -1 AS depth, {columns}
                    FROM hg_batch b JOIN indicators i ON i.value = b.key AND i.type = b.type
                ),
                labels AS (
                    SELECT idx, type, string_split(host, '.') AS parts FROM hg_batch WHERE host IS NOT NULL
                ),
                suffixes AS (
                    SELECT idx, depth, array_to_string(list_slice(parts, depth + 1, len(parts)), '.') AS suffix
                    FROM (
                        SELECT idx, parts,
                               unnest(range(CASE WHEN type = 'domain' THEN 1 ELSE 0 END, len(parts) - 1)) AS depth
                        FROM labels
                    )
                ),
                contained AS (
                    SELECT s.idx, s.depth, {columns}
                    FROM suffixes s JOIN indicators i ON i.value = s.suffix AND i.type = 'domain'
                )
                SELECT * FROM direct UNION ALL SELECT * FROM contained
                ORDER BY idx, depth, value, source_id, record_id
                """
            ).to_arrow_table()
        finally:
            conn.unregister("hg_batch")
        return _MatchRows(table)

    # --- findings ------------------------------------------------------------------------------

    def findings(self, matches: Iterable[Match], location: Location | None = None) -> list[Finding]:
        """Turn matches into findings: one per rule and actor, with each source's statement as evidence."""
        groups: dict[tuple[str, str | None, str], list[Match]] = defaultdict(list)
        for match in matches:
            rule = _rule_for(match)
            groups[(rule.id, match.record.actor, match.matched.value)].append(match)
        findings = []
        for (_, actor, _), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
            rule = _rule_for(group[0])
            severity = max((_severity_for(m, rule.severity) for m in group), key=lambda s: s.rank)
            first = group[0]
            title = _headline(group, actor)
            if first.relation:
                title = f"{first.matched.display} ({first.relation}): {title}"
            evidence = [
                Evidence(
                    location=location or Location(logical=f"intel:{m.record.source_id}"),
                    text=self._statement(m),
                )
                for m in group
            ]
            refs = [url.group(0) for m in group if (url := _URL.search(m.record.source_ref or ""))]
            indicators = {IndicatorRef(type=m.matched.type.value, value=m.matched.value) for m in group}
            indicators |= {IndicatorRef(type=m.queried.type.value, value=m.queried.value) for m in group}
            findings.append(
                rule.finding(
                    title=title,
                    evidence=evidence,
                    indicators=indicators,
                    severity=severity,
                    references=refs,
                    attack=attack_ids(actor),
                )
            )
        return findings

    def _statement(self, match: Match) -> str:
        r = match.record
        source = self.sources.get(r.source_id)
        name = source.name if source else r.source_id
        as_of = f", as of {source.as_of}" if source and source.as_of else ""
        parts = [f"{r.category}" + (f" [{r.chain}]" if r.chain else "")]
        if r.incident:
            parts.append(r.incident)
        if r.description:
            parts.append(r.description)
        text = ": ".join(parts[:1]) + (" — " + " — ".join(parts[1:]) if parts[1:] else "")
        if match.superseded_by is not None:
            text += f" — superseded: delisted {match.superseded_by.status_date}"
        elif not r.current:
            text += f" — {r.status} {r.status_date or ''}".rstrip()
        return f"{text} (source: {name}{as_of}; confidence {r.confidence}/100)"

    def verdict(self, result: LookupResult) -> Verdict:
        if result.error or result.indicator is None:
            return error_verdict(result.input, GUARD, result.error or "not looked up")
        findings = self.findings(result.matches)
        return verdict_of(result.indicator.display, GUARD, findings, VERDICT_WORDS)


def _relation(kind: IndicatorType, depth: int, host: Indicator) -> str:
    if depth == 0:
        return "host of the URL" if kind is IndicatorType.URL else "domain of the e-mail address"
    return f"parent domain of {host.display}"


def _rule_for(match: Match) -> Rule:
    if match.record.category == "sanctioned" and not match.current:
        return FORMERLY_SANCTIONED
    return RULE_FOR_CATEGORY.get(match.record.category, SERVICE)


def _severity_for(match: Match, default: Severity) -> Severity:
    if match.record.category == "attributed-theft" and match.record.confidence < _FIRM_CONFIDENCE:
        return Severity.HIGH
    return default


def _headline(group: list[Match], actor: str | None) -> str:
    record = group[0].record
    if record.category == "sanctioned":
        entity = (record.description or "").split(" (")[0]
        if group[0].current:
            return entity.replace("OFAC SDN", "sanctioned by OFAC:", 1) if entity else "sanctioned"
        return f"formerly sanctioned ({entity}), delisted"
    if record.category == "attributed-theft":
        incidents = sorted({m.record.incident for m in group if m.record.incident})
        shown = "; ".join(incidents[:2]) + (f"; +{len(incidents) - 2} more" if len(incidents) > 2 else "")
        return f"attributed to {actor or 'a state actor'}" + (f" — {shown}" if incidents else "")
    if record.category == "victim":
        return f"victim of {record.incident}" if record.incident else "incident victim"
    if not record.description:
        return record.category
    return f"{record.category} — {record.description.split(': ', 1)[-1]}"
