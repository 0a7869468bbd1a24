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

import pyarrow as pa

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
from heistguard.intel.indicators import Indicator, IndicatorType, normalise, related_keys
from heistguard.intel.rules import FORMERLY_SANCTIONED, RULE_FOR_CATEGORY, SERVICE
from heistguard.intel.store import INDICATOR_COLUMNS, IndicatorRecord, IntelStore, Source, record_from_row

GUARD = "intel"
_URL = re.compile(r"https?://[^\s;,)]+")
VERDICT_WORDS = ("malicious", "suspicious", "not-listed")
# Below this, an attribution is a lead to check, not a fact to block on.
_FIRM_CONFIDENCE = 60


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


class IntelLookup:
    """Lookups against one open store; cheap to make, reuse it for a batch."""

    def __init__(self, store: IntelStore) -> None:
        self.store = store
        self.sources = {s.id: s for s in store.sources()}

    def _records(self, keys: Iterable[str]) -> dict[str, list[IndicatorRecord]]:
        keys = list(set(keys))
        if not keys:
            return {}
        # Arrow hands the keys to DuckDB without a Python loop, so a million-key batch is one join.
        wanted = pa.table({"key": pa.array(keys, type=pa.string())})
        self.store.conn.register("hg_wanted_keys", wanted)
        try:
            rows = self.store.conn.execute(
                f"SELECT {', '.join('i.' + c for c in INDICATOR_COLUMNS)} FROM indicators i "
                "SEMI JOIN hg_wanted_keys w ON i.value = w.key ORDER BY i.value, i.source_id, i.record_id"
            ).fetchall()
        finally:
            self.store.conn.unregister("hg_wanted_keys")
        found: dict[str, list[IndicatorRecord]] = defaultdict(list)
        for row in rows:
            record = record_from_row(row)
            found[record.value].append(record)
        return found

    def _matches(self, indicator: Indicator, found: dict[str, list[IndicatorRecord]]) -> tuple[Match, ...]:
        candidates = [(indicator, None), *related_keys(indicator)]
        out: list[Match] = []
        for key, relation in candidates:
            records = [r for r in found.get(key.value, ()) if r.type == key.type.value]
            stale = _supersede(records, self.sources)
            out.extend(Match(indicator, key, r, relation, stale.get(r.record_id)) for r in records)
        return tuple(out)

    def lookup(self, value: str | Indicator, kind: IndicatorType | str | None = None) -> tuple[Match, ...]:
        indicator = value if isinstance(value, Indicator) else normalise(value, kind)
        keys = [indicator.value, *(k.value for k, _ in related_keys(indicator))]
        return self._matches(indicator, self._records(keys))

    def lookup_many(self, values: Sequence[str], kind: IndicatorType | str | None = None) -> list[LookupResult]:
        """Batch form: one store query for all values; a bad value is reported in place."""
        parsed: list[Indicator | BadInput] = []
        keys: set[str] = set()
        for value in values:
            try:
                indicator = normalise(value, kind)
            except BadInput as exc:
                parsed.append(exc)
                continue
            parsed.append(indicator)
            keys.add(indicator.value)
            if indicator.type in (IndicatorType.URL, IndicatorType.EMAIL, IndicatorType.DOMAIN):
                keys.update(k.value for k, _ in related_keys(indicator))
        found = self._records(keys)
        results = []
        for value, item in zip(values, parsed, strict=True):
            if isinstance(item, BadInput):
                results.append(LookupResult(value, None, error=item.one_line()))
            else:
                matches = self._matches(item, found) if found else ()
                results.append(LookupResult(value, item, matches))
        return results

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
