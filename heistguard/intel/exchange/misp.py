"""MISP events and feeds in and out, in MISP's documented core format (draft-dulaunoy-misp-core-format).

An event is a report or incident: its attributes are the indicators, `Orgc` the organisation that wrote it,
its tags the context (TLP, `misp-galaxy:threat-actor`, MITRE intrusion sets). A feed is a directory holding
`manifest.json` (event uuid -> summary), one `<uuid>.json` per event and `hashes.csv`.

MISP has attribute types for Bitcoin (`btc`), Monero (`xmr`) and Dash (`dash`) addresses only; any other
chain's address is a `text` attribute in the `Financial fraud` category with a `heistguard:chain` tag, which
is how MISP's own coin-address object treats "address-crypto". What MISP has no field for travels as
`heistguard:` machine tags (category, chain, status, confidence), so our own exports re-import exactly.

PyMISP is not used: it is an API client with a large dependency tree, and reading and writing the event
document needs only the JSON structure below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heistguard.errors import BadInput
from heistguard.intel.exchange.model import (
    ActorIndex,
    ExportSet,
    IntelBatch,
    day_time,
    load_json,
    make_record,
    parse_day,
    slug,
    stable_uuid,
)
from heistguard.intel.indicators import IndicatorType
from heistguard.intel.store import Actor, IndicatorRecord, Source

TAG_NS = "heistguard"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_COIN_TYPES = {"btc": "BTC", "xmr": "XMR", "dash": "DASH"}
_CHAIN_TO_COIN = {"BTC": "btc", "XBT": "btc", "BITCOIN": "btc", "XMR": "xmr", "MONERO": "xmr", "DASH": "dash"}
_ATTRIBUTE_TYPE = {
    "domain": ("domain", "Network activity"),
    "url": ("url", "Network activity"),
    "ip": ("ip-dst", "Network activity"),
    "email": ("email-src", "Payload delivery"),
    "md5": ("md5", "Payload delivery"),
    "sha1": ("sha1", "Payload delivery"),
    "sha256": ("sha256", "Payload delivery"),
}
# MISP attribute type -> our indicator type; the rest (link, text outside Financial fraud, filename...) is context.
_IMPORT_TYPE: dict[str, IndicatorType] = {
    "btc": IndicatorType.ADDRESS,
    "xmr": IndicatorType.ADDRESS,
    "dash": IndicatorType.ADDRESS,
    "domain": IndicatorType.DOMAIN,
    "hostname": IndicatorType.DOMAIN,
    "url": IndicatorType.URL,
    "ip-dst": IndicatorType.IP,
    "ip-src": IndicatorType.IP,
    "email": IndicatorType.EMAIL,
    "email-src": IndicatorType.EMAIL,
    "whois-registrant-email": IndicatorType.EMAIL,
    "md5": IndicatorType.MD5,
    "sha1": IndicatorType.SHA1,
    "sha256": IndicatorType.SHA256,
}
# Composite types "a|b": the indicator each part is (None: not one we keep, such as a file name or port).
_COMPOSITE: dict[str, tuple[IndicatorType | None, IndicatorType | None]] = {
    "filename|md5": (None, IndicatorType.MD5),
    "filename|sha1": (None, IndicatorType.SHA1),
    "filename|sha256": (None, IndicatorType.SHA256),
    "domain|ip": (IndicatorType.DOMAIN, IndicatorType.IP),
    "ip-dst|port": (IndicatorType.IP, None),
    "ip-src|port": (IndicatorType.IP, None),
    "hostname|port": (IndicatorType.DOMAIN, None),
}
# Categories whose indicators block, for the event's threat level (1 high ... 4 undefined).
_BLOCKING = {"sanctioned", "attributed-theft", "theft", "phishing", "malware", "scam", "ransomware", "c2"}


# --- export ---------------------------------------------------------------------------------------


def _tag(predicate: str, value: object) -> dict[str, Any]:
    return {"name": f'{TAG_NS}:{predicate}="{value}"', "exportable": True}


def _timestamp(day: dt.date | None) -> str:
    return str(int(day_time(day or dt.date(1970, 1, 1)).timestamp()))


def _attribute(record: IndicatorRecord, event_day: dt.date | None) -> dict[str, Any]:
    if record.type == IndicatorType.ADDRESS:
        kind = _CHAIN_TO_COIN.get((record.chain or "").upper(), "text")
        category = "Financial fraud"
    else:
        kind, category = _ATTRIBUTE_TYPE[record.type]
    tags = [_tag("category", record.category), _tag("confidence", record.confidence)]
    if record.chain:
        tags.append(_tag("chain", record.chain))
    if record.actor:
        tags.append({"name": f'misp-galaxy:threat-actor="{record.actor}"', "exportable": True})
    if not record.current:
        tags.append(_tag("status", record.status))
        if record.status_date:
            tags.append(_tag("status-date", record.status_date.isoformat()))
    if record.source_ref:
        tags.append(_tag("source-ref", record.source_ref))
    attribute: dict[str, Any] = {
        "uuid": stable_uuid("record", record.record_id),
        "type": kind,
        "category": category,
        "value": record.display if kind in ("btc", "text") else record.value,
        "to_ids": record.current and record.category in _BLOCKING,
        "comment": record.description or "",
        "timestamp": _timestamp(record.status_date or record.first_seen or event_day),
        "deleted": False,
        "disable_correlation": False,
        "Tag": tags,
    }
    if record.first_seen:
        attribute["first_seen"] = day_time(record.first_seen).isoformat()
    if record.last_seen:
        attribute["last_seen"] = day_time(record.last_seen).isoformat()
    return attribute


def _events(data: ExportSet) -> Iterator[dict[str, Any]]:
    """One event per source and incident: MISP's unit is the report, and each incident is one."""
    groups: dict[tuple[str, str], list[IndicatorRecord]] = defaultdict(list)
    for record in data.records:
        groups[(record.source_id, record.incident or "")].append(record)
    actors = {a.name: a for a in data.actors}
    for (source_id, incident), records in sorted(groups.items()):
        source = data.sources.get(source_id) or Source(source_id, source_id, None, None)
        days = [r.first_seen for r in records if r.first_seen]
        day = source.as_of or (max(days) if days else None)
        tags = [_tag("source-id", source.id)]
        if source.bundled:
            # Only the bundled public intel is known to be shareable; an imported source keeps its own terms.
            tags.insert(0, {"name": "tlp:clear", "exportable": True})
        if source.as_of:
            tags.append(_tag("source-as-of", source.as_of.isoformat()))
        if source.licence:
            tags.append(_tag("source-licence", source.licence))
        if source.notes:
            tags.append(_tag("source-notes", source.notes))
        if incident:
            tags.append(_tag("incident", incident))
        for name in sorted({r.actor for r in records if r.actor}):
            tags.append({"name": f'misp-galaxy:threat-actor="{name}"', "exportable": True})
            actor = actors.get(name)
            if actor and actor.attack_id:
                tags.append(
                    {"name": f'misp-galaxy:mitre-intrusion-set="{name} - {actor.attack_id}"', "exportable": True}
                )
        attributes = [_attribute(r, day) for r in records]
        if source.url:
            attributes.insert(
                0,
                {
                    "uuid": stable_uuid("source-link", source.id, incident),
                    "type": "link",
                    "category": "External analysis",
                    "value": source.url,
                    "to_ids": False,
                    "comment": "source",
                    "timestamp": _timestamp(day),
                    "deleted": False,
                    "disable_correlation": True,
                },
            )
        event_uuid = stable_uuid("event", source.id, incident)
        yield {
            "Event": {
                "uuid": event_uuid,
                "info": f"{incident} ({source.name})" if incident else source.name,
                "date": (day or dt.date(1970, 1, 1)).isoformat(),
                "threat_level_id": "1" if any(r.category in _BLOCKING and r.current for r in records) else "3",
                "analysis": "2",
                "distribution": "3",
                "published": True,
                "timestamp": _timestamp(day),
                "publish_timestamp": _timestamp(day),
                "Orgc": {"name": source.name, "uuid": stable_uuid("org", source.id)},
                "Tag": tags,
                "Attribute": attributes,
            }
        }


def export_misp(data: ExportSet) -> str:
    """All events as one JSON document, in the shape MISP's REST search returns: {"response": [events]}."""
    return json.dumps({"response": list(_events(data))}, indent=1, ensure_ascii=False) + "\n"


def export_misp_feed(data: ExportSet, directory: Path) -> int:
    """Write a MISP feed (manifest.json, one <uuid>.json per event, hashes.csv) into `directory`."""
    manifest: dict[str, Any] = {}
    hashes: list[str] = []
    directory.mkdir(parents=True, exist_ok=True)
    for doc in _events(data):
        event = doc["Event"]
        (directory / f"{event['uuid']}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        manifest[event["uuid"]] = {
            "Orgc": event["Orgc"],
            "Tag": [{"name": t["name"]} for t in event["Tag"]],
            "info": event["info"],
            "date": event["date"],
            "analysis": event["analysis"],
            "threat_level_id": event["threat_level_id"],
            "timestamp": event["timestamp"],
        }
        # hashes.csv lets a MISP instance correlate a feed without fetching it: md5 of each value, event uuid.
        hashes += [f"{hashlib.md5(a['value'].encode()).hexdigest()},{event['uuid']}" for a in event["Attribute"]]
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    (directory / "hashes.csv").write_text("".join(f"{line}\n" for line in hashes))
    return len(manifest)


# --- import ---------------------------------------------------------------------------------------


def looks_like_manifest(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and bool(doc)
        and all(isinstance(v, dict) and "info" in v for v in doc.values())
        and not {"Event", "response", "type"} & set(doc)
    )


def events_of(doc: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    """The events in a MISP document: one {"Event": ...}, a bare event, or a {"response": [...]} list."""
    if isinstance(doc, dict) and isinstance(doc.get("response"), list):
        return [(f"{where}: event {i}", _event_body(e, f"{where}: event {i}")) for i, e in enumerate(doc["response"])]
    if isinstance(doc, list):
        return [(f"{where}: event {i}", _event_body(e, f"{where}: event {i}")) for i, e in enumerate(doc)]
    return [(where, _event_body(doc, where))]


def _event_body(doc: Any, where: str) -> dict[str, Any]:
    event = doc.get("Event", doc) if isinstance(doc, dict) else None
    if not isinstance(event, dict) or "info" not in event:
        raise BadInput("not a MISP event", where, "expected an object with an 'Event' holding 'info'")
    attributes = event.get("Attribute")
    if not isinstance(attributes, list) and not isinstance(event.get("Object"), list):
        raise BadInput("malformed MISP event", where, "no 'Attribute' list")
    return event


def _tag_names(holder: dict[str, Any]) -> list[str]:
    """The tags of an event or attribute, with the tag names of its galaxy clusters (MISP's REST form)."""
    tags = holder.get("Tag")
    names = [str(t["name"]) for t in tags if isinstance(t, dict) and t.get("name")] if isinstance(tags, list) else []
    galaxies = holder.get("Galaxy")
    for galaxy in galaxies if isinstance(galaxies, list) else ():
        clusters = galaxy.get("GalaxyCluster") if isinstance(galaxy, dict) else None
        for cluster in clusters if isinstance(clusters, list) else ():
            if isinstance(cluster, dict) and cluster.get("tag_name") and cluster["tag_name"] not in names:
                names.append(str(cluster["tag_name"]))
    return names


def _machine_tags(names: Iterable[str]) -> dict[str, str]:
    """`ns:predicate="value"` tags as {"ns:predicate": value}."""
    out: dict[str, str] = {}
    for name in names:
        head, sep, rest = name.partition("=")
        if sep and rest.startswith('"') and rest.endswith('"'):
            out.setdefault(head, rest[1:-1])
    return out


def _actor_from_tags(tags: dict[str, str], index: ActorIndex, batch: IntelBatch) -> str | None:
    for key in ("misp-galaxy:threat-actor", "misp-galaxy:mitre-intrusion-set", "misp-galaxy:360net-threat-actor"):
        value = tags.get(key)
        if value:
            # MITRE galaxy values read "Lazarus Group - G0032": the ATT&CK id resolves best.
            name, _, attack = value.rpartition(" - ")
            found = index.by_key.get(attack.lower()) if name and attack.startswith("G") else None
            return found.name if found else index.resolve(name or value, batch, "imported from a MISP galaxy tag")
    return None


def _category(kind: IndicatorType, attribute: dict[str, Any], tags: dict[str, str], all_tags: list[str]) -> str:
    if tags.get(f"{TAG_NS}:category"):
        return tags[f"{TAG_NS}:category"]
    text = " ".join(all_tags).lower() + " " + str(attribute.get("comment") or "").lower()
    for word, category in (("ransomware", "ransomware"), ("phishing", "phishing"), ("scam", "scam")):
        if word in text:
            return category
    if kind is IndicatorType.ADDRESS:
        return "attributed-theft" if "threat-actor" in text or "intrusion-set" in text else "theft"
    if kind is IndicatorType.EMAIL:
        return "phishing"
    return "malware"


def read_misp(
    doc: Any, where: str, source_override: str | None, known_actors: Iterable[Actor], batch: IntelBatch | None = None
) -> IntelBatch:
    """Every event in a MISP document into a batch."""
    batch = batch or IntelBatch()
    index = ActorIndex(known_actors)
    for here, event in events_of(doc, where):
        _read_event(event, here, source_override, index, batch)
    return batch


@dataclass(frozen=True)
class _Event:
    """What an event says about all its attributes."""

    tags: list[str]
    machine: dict[str, str]
    ours: bool
    source_id: str
    incident: str | None
    actor: str | None
    day: dt.date | None
    uuid: str
    link: str | None


def _read_event(event: dict[str, Any], where: str, override: str | None, index: ActorIndex, batch: IntelBatch) -> None:
    event_tags = _tag_names(event)
    machine = _machine_tags(event_tags)
    org = event.get("Orgc")
    org_name = str((org.get("name") if isinstance(org, dict) else None) or "unknown organisation")
    ours = f"{TAG_NS}:source-id" in machine
    source_id = override or machine.get(f"{TAG_NS}:source-id") or f"misp-{slug(org_name)}"
    attributes = _attributes(event)
    link = next((str(a.get("value")) for a in attributes if a.get("type") == "link" and a.get("value")), None)
    event_day = parse_day(event.get("date"))
    as_of = parse_day(machine.get(f"{TAG_NS}:source-as-of")) or event_day
    previous = batch.sources.get(source_id)
    if previous is None or (as_of and (previous.as_of is None or as_of > previous.as_of)):
        batch.sources[source_id] = Source(
            id=source_id,
            name=org_name if ours else f"MISP: {org_name}",
            url=link if ours else (link or (previous.url if previous else None)),
            as_of=as_of,
            licence=machine.get(f"{TAG_NS}:source-licence"),
            notes=machine.get(f"{TAG_NS}:source-notes") if ours else f"imported from MISP events of {org_name}",
        )
    context = _Event(
        tags=event_tags,
        machine=machine,
        ours=ours,
        source_id=source_id,
        incident=machine.get(f"{TAG_NS}:incident") if ours else str(event.get("info") or "") or None,
        actor=_actor_from_tags(machine, index, batch),
        day=event_day,
        uuid=str(event.get("uuid") or ""),
        link=link,
    )
    for name in event_tags:
        batch.mark(source_id, name)  # tlp:amber -> TLP:AMBER; other tags are ignored by mark()
    not_for_detection = 0
    for position, attribute in enumerate(attributes):
        if not ours and attribute.get("to_ids") in (False, "0", 0) and _indicators(attribute):
            # A peer marks what is not for detection (a legitimate host named in a report, a victim's
            # address) with to_ids false; importing it as bad would raise false alarms.
            not_for_detection += 1
            continue
        _read_attribute(attribute, f"{where}: attribute {position}", context, index, batch)
    if not_for_detection:
        batch.skipped.append(f"{where}: {not_for_detection} attributes marked not for detection (to_ids false)")


def _attributes(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The event's attributes and those inside its objects."""
    attributes = [a for a in event.get("Attribute") or [] if isinstance(a, dict)]
    for obj in event.get("Object") or []:
        if isinstance(obj, dict):
            members = [a for a in obj.get("Attribute") or [] if isinstance(a, dict)]
            if obj.get("name") == "coin-address":
                # MISP's coin-address object names the chain in its `symbol` attribute.
                symbol = next((str(a.get("value")) for a in members if a.get("object_relation") == "symbol"), None)
                members = [{**a, "x_chain": symbol} for a in members if a.get("object_relation") != "symbol"]
            attributes += members
    return attributes


def _indicators(attribute: dict[str, Any]) -> list[tuple[IndicatorType, str]]:
    """The indicators an attribute carries; none for context (links, text, file names, deleted ones)."""
    if attribute.get("deleted") in (True, "1", 1):
        return []
    kind_name = str(attribute.get("type") or "")
    value = str(attribute.get("value") or "")
    if kind_name in _COMPOSITE:
        pieces = value.split("|")
        if len(pieces) != 2:
            return []
        return [(kind, piece) for kind, piece in zip(_COMPOSITE[kind_name], pieces, strict=True) if kind and piece]
    kind = _IMPORT_TYPE.get(kind_name)
    if kind is None and kind_name == "text" and attribute.get("category") == "Financial fraud":
        kind = IndicatorType.ADDRESS
    return [(kind, value)] if kind is not None and value else []


def _read_attribute(attribute: dict[str, Any], where: str, event: _Event, index: ActorIndex, batch: IntelBatch) -> None:
    found = _indicators(attribute)
    if not found:
        return
    names = _tag_names(attribute)
    tags = _machine_tags(names)
    for name in names:
        batch.mark(event.source_id, name)
    # Our own events tag each attribute with its actor; a peer's event usually tags only the event.
    actor = _actor_from_tags(tags, index, batch) or (None if event.ours else event.actor)
    chain = tags.get(f"{TAG_NS}:chain") or _COIN_TYPES.get(str(attribute.get("type"))) or attribute.get("x_chain")
    if event.ours:
        source_ref = tags.get(f"{TAG_NS}:source-ref")
    else:
        source_ref = event.link or (f"misp-event:{event.uuid}" if event.uuid else None)
    for kind, value in found:
        make_record(
            kind,
            value,
            category=_category(kind, attribute, tags, event.tags + names),
            source_id=event.source_id,
            where=where,
            batch=batch,
            chain=chain,
            actor=actor,
            incident=event.incident,
            description=str(attribute.get("comment") or "") or None,
            confidence=tags.get(f"{TAG_NS}:confidence") or _confidence({**event.machine, **tags}),
            source_ref=source_ref,
            first_seen=parse_day(attribute.get("first_seen")) or (None if event.ours else event.day),
            last_seen=parse_day(attribute.get("last_seen")),
            status=tags.get(f"{TAG_NS}:status"),
            status_date=parse_day(tags.get(f"{TAG_NS}:status-date")),
        )


# Confidence from the taxonomies peers tag with (MISP taxonomies `misp`, `estimative-language`,
# `admiralty-scale`), when no `heistguard:confidence` tag gives it exactly.
_CONFIDENCE_TAGS: dict[str, dict[str, int]] = {
    "misp:confidence-level": {
        "completely-confident": 100,
        "usually-confident": 75,
        "fairly-confident": 50,
        "rarely-confident": 25,
        "unconfident": 0,
    },
    "estimative-language:confidence-in-analytic-judgment": {"high": 85, "moderate": 60, "low": 30},
    "admiralty-scale:information-credibility": {"1": 90, "2": 75, "3": 55, "4": 30, "5": 10},
}


def _confidence(tags: dict[str, str]) -> int | None:
    for key, scale in _CONFIDENCE_TAGS.items():
        if tags.get(key) in scale:
            return scale[tags[key]]
    return None


def read_misp_feed(
    directory: Path, manifest_text: str, source_override: str | None, known_actors: Iterable[Actor]
) -> IntelBatch:
    """A feed directory: every event the manifest lists, each read from `<uuid>.json` beside it."""
    where = str(directory / "manifest.json")
    manifest = load_json(manifest_text, where)
    if not looks_like_manifest(manifest):
        raise BadInput("not a MISP feed manifest", where, "expected {event uuid: {info, Orgc, ...}}")
    batch = IntelBatch()
    for event_uuid in sorted(manifest):
        if not _UUID.match(event_uuid):
            # The key becomes a file name: anything but a uuid could point outside the feed directory.
            raise BadInput("malformed MISP feed manifest", where, f"event key {event_uuid[:60]!r} is not a uuid")
        path = directory / f"{event_uuid}.json"
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise BadInput("cannot read feed event", str(path), exc.strerror or str(exc)) from None
        except UnicodeDecodeError as exc:
            raise BadInput("not UTF-8 text", str(path), f"byte {exc.start}") from None
        read_misp(load_json(text, str(path)), str(path), source_override, known_actors, batch)
    return batch
