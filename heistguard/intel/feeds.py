"""Readers for the public feeds HeistGuard bundles and re-imports: OFAC's SDN digital-currency
addresses, DPRK heist attributions, Etherscan service labels and GraphSense tag packs.

Each reader turns one file into indicator records and a list of rows it could not use; a row
that cannot be read is reported by line, a file that cannot be read at all is an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from heistguard.errors import BadInput
from heistguard.intel.actors import LAZARUS, TRADERTRAITOR
from heistguard.intel.indicators import IndicatorType, normalise_address
from heistguard.intel.store import IndicatorRecord

# Confidence 0-100 for the words sources use (GraphSense's scale and our attribution file's).
CONFIDENCE = {
    "authority": 95,
    "authority_data": 95,
    "ledger_immanent": 90,
    "service_data": 85,
    "forensic": 75,
    "industry": 70,
    "label": 60,
    "web_crawl": 50,
    "community": 40,
}


@dataclass
class FeedResult:
    records: list[IndicatorRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    newest: dt.date | None = None

    def saw(self, day: dt.date | None) -> None:
        if day and (self.newest is None or day > self.newest):
            self.newest = day


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        return None


def _csv_rows(text: str, path: str, required: set[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = set(reader.fieldnames or ())
    if not required <= header:
        missing = ", ".join(sorted(required - header))
        raise BadInput("CSV lacks required columns", path, missing)
    rows = []
    for row in reader:
        if None in row:
            raise BadInput("malformed CSV", f"{path}:{reader.line_num}", "more fields than the header names")
        rows.append((reader.line_num, row))
    return rows


def _address_record(result: FeedResult, where: str, address: str, **fields: Any) -> None:
    try:
        ind = normalise_address(address)
    except BadInput as exc:
        result.skipped.append(f"{where}: {exc.one_line()}")
        return
    result.records.append(
        IndicatorRecord(type=IndicatorType.ADDRESS.value, value=ind.value, display=ind.display, **fields)
    )


# --- OFAC SDN ----------------------------------------------------------------------------------

OFAC_COLUMNS = {"currency", "address", "sdn_entity", "sdn_uid", "programs", "status", "status_date"}


def read_ofac_sdn(text: str, path: str, source_id: str) -> FeedResult:
    result = FeedResult()
    for line, row in _csv_rows(text, path, OFAC_COLUMNS):
        status = (row["status"] or "sanctioned").strip().lower()
        status = {"sanctioned": "active"}.get(status, status)
        if status not in ("active", "delisted", "withdrawn"):
            result.skipped.append(f"{path}:{line}: unknown status {row['status']!r}")
            continue
        status_date = _date(row.get("status_date"))
        result.saw(status_date)
        entity = row["sdn_entity"].strip()
        uid = row["sdn_uid"].strip()
        ref = f"https://sanctionssearch.ofac.treas.gov/Details.aspx?id={uid}" if uid else None
        description = f"OFAC SDN {entity}" + (f" (uid {uid}; {row['programs']})" if uid else f" ({row['programs']})")
        notes = (row.get("notes") or "").strip()
        if notes:
            description += f"; {notes}"
        _address_record(
            result,
            f"{path}:{line}",
            row["address"],
            category="sanctioned",
            chain=row["currency"].strip() or None,
            actor=LAZARUS if entity == "LAZARUS GROUP" else None,
            description=description,
            confidence=CONFIDENCE["authority"],
            source_id=source_id,
            source_ref=ref,
            first_seen=status_date if status == "active" else None,
            status=status,
            status_date=status_date if status != "active" else None,
        )
    return result


# --- DPRK heist attributions ------------------------------------------------------------------

ATTRIBUTION_COLUMNS = {"address", "chain", "incident", "role", "attribution", "confidence", "source"}
_INCIDENT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def attribution_actor(attribution: str) -> str | None:
    """Map the attribution wording of FBI, OFAC and industry statements to our actor objects."""
    text = attribution.lower()
    if "tradertraitor" in text:
        return TRADERTRAITOR
    if "lazarus" in text or "apt38" in text or "dprk" in text:
        return LAZARUS
    return None


def read_dprk_attribution(text: str, path: str, source_id: str) -> FeedResult:
    result = FeedResult()
    for line, row in _csv_rows(text, path, ATTRIBUTION_COLUMNS):
        attribution = row["attribution"].strip()
        victim = attribution.lower().startswith("victim")
        incident_date = _date(m.group(1)) if (m := _INCIDENT_DATE.search(row["incident"])) else None
        result.saw(incident_date)
        _address_record(
            result,
            f"{path}:{line}",
            row["address"],
            category="victim" if victim else "attributed-theft",
            chain=row["chain"].strip() or None,
            actor=None if victim else attribution_actor(attribution),
            incident=row["incident"].strip() or None,
            description=f"{row['role'].strip()} — attribution: {attribution}",
            confidence=CONFIDENCE.get(row["confidence"].strip(), 50),
            source_id=source_id,
            source_ref=row["source"].strip() or None,
            first_seen=incident_date,
        )
    return result


# --- Etherscan service labels -----------------------------------------------------------------

ETHERSCAN_COLUMNS = {"address", "chain", "category", "etherscan_label", "name_tag"}
# Only labels that name a service or a theft; Etherscan's "blocked"/"sanctions" buckets also hold the
# null address and delisted contracts, and sanctions come from OFAC itself.
_ETHERSCAN_CATEGORY = {"exchange": "exchange", "bridge": "bridge", "mixer": "mixer", "wallet_kind": "exchange"}
_THEFT_NAME = re.compile(r"exploiter|hacker|\bhack\b|drainer", re.I)
_PHISH_NAME = re.compile(r"phish|scam", re.I)


def read_etherscan_labels(text: str, path: str, source_id: str) -> FeedResult:
    result = FeedResult()
    for line, row in _csv_rows(text, path, ETHERSCAN_COLUMNS):
        name = row["name_tag"].strip()
        category = _ETHERSCAN_CATEGORY.get(row["category"].strip())
        if category is None and row["category"].strip() == "exploit_or_scam_nametag":
            category = "theft" if _THEFT_NAME.search(name) else "phishing" if _PHISH_NAME.search(name) else None
        if category is None:
            continue
        _address_record(
            result,
            f"{path}:{line}",
            row["address"],
            category=category,
            chain=row["chain"].strip() or None,
            description=f"Etherscan: {name or row['etherscan_label']}",
            confidence=CONFIDENCE["label"],
            source_id=source_id,
            source_ref=f"https://etherscan.io/address/{row['address'].strip()}",
        )
    return result


# --- GraphSense tag packs ---------------------------------------------------------------------

_TAGPACK_CATEGORY = {
    "exchange": "exchange",
    "mixing_service": "mixer",
    "coinjoin": "mixer",
    "bridge": "bridge",
    "black_list": "frozen",
    "market": "darknet-market",
    "gambling": "gambling",
    "miner": "mining-pool",
    "wallet_service": "wallet-service",
    "service": "service",
}
_TAGPACK_ABUSE = {
    "service_hack": "theft",
    "hack": "theft",
    "sanction": "sanctioned",
    "ransomware": "ransomware",
    "scam": "scam",
    "phishing": "phishing",
    "malware": "malware",
}
# Tag packs with no category of their own whose title says what they are.
_TAGPACK_TITLE_CATEGORY = {"etherhiding": "malware"}


def read_graphsense_tagpack(text: str, path: str, source_id: str) -> FeedResult:
    try:
        pack = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else path
        raise BadInput("malformed tag pack YAML", where, str(getattr(exc, "problem", exc))) from None
    if not isinstance(pack, dict) or not isinstance(pack.get("tags"), list):
        raise BadInput("not a GraphSense tag pack", path, "expected a mapping with a 'tags' list")
    result = FeedResult()
    result.saw(_date(pack.get("lastmod")))
    title = str(pack.get("title", ""))
    title_category = next((c for k, c in _TAGPACK_TITLE_CATEGORY.items() if k in title.lower()), None)
    for index, tag in enumerate(pack["tags"], 1):
        if not isinstance(tag, dict) or "address" not in tag:
            result.skipped.append(f"{path}: tag {index}: no address")
            continue
        merged = {**{k: v for k, v in pack.items() if k != "tags"}, **tag}
        abuse = _TAGPACK_ABUSE.get(str(merged.get("abuse") or ""))
        category = abuse or _TAGPACK_CATEGORY.get(str(merged.get("category") or "")) or title_category
        if category is None:
            continue  # a tag that says nothing we act on
        label = str(merged.get("label") or title)
        _address_record(
            result,
            f"{path}: tag {index}",
            str(tag["address"]),
            category=category,
            chain=str(merged.get("currency") or "") or None,
            actor=None,
            description=f"GraphSense: {label}" + (f" ({merged['actor']})" if merged.get("actor") else ""),
            confidence=CONFIDENCE.get(str(merged.get("confidence") or ""), 50),
            source_id=source_id,
            source_ref=str(merged.get("source") or "") or None,
            last_seen=_date(merged.get("lastmod")),
        )
    return result


Reader = Callable[[str, str, str], FeedResult]

READERS: dict[str, Reader] = {
    "ofac-sdn-csv": read_ofac_sdn,
    "dprk-attribution-csv": read_dprk_attribution,
    "etherscan-labels-csv": read_etherscan_labels,
    "graphsense-tagpack": read_graphsense_tagpack,
}


def sniff_feed_format(path: Path, text: str) -> str | None:
    """Which feed reader fits a file, by its content (the CSV header, the YAML shape)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    columns = {c.strip() for c in first.split(",")}
    if columns >= OFAC_COLUMNS:
        return "ofac-sdn-csv"
    if columns >= ATTRIBUTION_COLUMNS:
        return "dprk-attribution-csv"
    if columns >= ETHERSCAN_COLUMNS:
        return "etherscan-labels-csv"
    if path.suffix in (".yaml", ".yml") and re.search(r"^tags:\s*$", text, re.M):
        return "graphsense-tagpack"
    return None
