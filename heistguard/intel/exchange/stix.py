"""STIX 2.1 bundles in and out: Indicator SDOs with patterns, an Identity per source, Intrusion Sets and
Campaigns for actors and incidents, and a property extension that carries what STIX has no field for.

Choices, so a peer can read what we emit:
- Crypto addresses are patterns on `cryptocurrency-wallet:value`, the object type OpenCTI uses; the type is
  declared by our extension definition (`new-sco`), because STIX 2.1 has no standard SCO for it.
- Ids are uuid5 under one fixed namespace: re-exporting the same store gives the same bundle byte for byte.
- A delisted or withdrawn record is `revoked` (and `valid_until` its status date where that can be ordered),
  so no consumer takes it for current; the extension keeps the exact status for our own re-import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import stix2
from stix2.base import STIXJSONEncoder
from stix2.pattern_visitor import create_pattern_object
from stix2.patterns import (
    EqualityComparisonExpression,
    ObservationExpression,
    ParentheticalExpression,
    QualifiedObservationExpression,
    _BooleanExpression,
    _CompoundObservationExpression,
)

from heistguard.errors import BadInput
from heistguard.intel.actors import actor_id
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

# Objects we create ourselves carry this date, so they never change between exports.
_MODEL_DATE = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
_EPOCH_DAY = dt.date(1970, 1, 1)
HEISTGUARD_IDENTITY = f"identity--{stable_uuid('identity', 'heistguard')}"
EXTENSION_ID = f"extension-definition--{stable_uuid('extension', 'heistguard-intel-record', '1')}"
# STIX 2.1 allows the schema to be plain text; ours is documented with the project, not at a URL of its own.
EXTENSION_SCHEMA = (
    "HeistGuard docs/intel.md, section 'STIX extension': string properties category, chain, actor, incident, "
    "description, source_ref, status, status_date, first_seen, last_seen (indicator); source_id, url, as_of, "
    "licence, notes (identity); kind, parent_ref (intrusion-set); SCO cryptocurrency-wallet with property value."
)
WALLET = "cryptocurrency-wallet"
# Object types other tools use for a crypto address in patterns; all of them are read back.
_WALLET_TYPES = {WALLET, "x-opencti-cryptocurrency-wallet", "x-cryptocurrency-wallet", "x-crypto", "x-defi-address"}

# Our category -> STIX indicator-type-ov (open vocabulary); a label keeps the exact category as well.
_INDICATOR_TYPES = {
    "sanctioned": ["attribution"],
    "attributed-theft": ["malicious-activity", "attribution"],
    "theft": ["malicious-activity"],
    "phishing": ["malicious-activity"],
    "malware": ["malicious-activity"],
    "scam": ["malicious-activity"],
    "ransomware": ["malicious-activity"],
    "c2": ["malicious-activity"],
    "mixer": ["anonymization"],
    "victim": ["compromised"],
    "frozen": ["anomalous-activity"],
    "darknet-market": ["anomalous-activity"],
    "gambling": ["anomalous-activity"],
}
# The TLP 1.0 marking definitions STIX 2.1 predefines; TLP 2.0 ones travel as objects with a name.
_TLP_BY_ID = {
    m.id: str(m.name) for m in (stix2.v21.TLP_WHITE, stix2.v21.TLP_GREEN, stix2.v21.TLP_AMBER, stix2.v21.TLP_RED)
}
_HASH_KEYS = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256"}
_HASH_TYPE = {"MD5": IndicatorType.MD5, "SHA-1": IndicatorType.SHA1, "SHA1": IndicatorType.SHA1}
_HASH_TYPE |= {"SHA-256": IndicatorType.SHA256, "SHA256": IndicatorType.SHA256}


# --- export ---------------------------------------------------------------------------------------


def _pattern(record: IndicatorRecord) -> str:
    value = record.value.replace("\\", "\\\\").replace("'", "\\'")
    if record.type == IndicatorType.ADDRESS:
        return f"[{WALLET}:value = '{value}']"
    if record.type == IndicatorType.DOMAIN:
        return f"[domain-name:value = '{value}']"
    if record.type == IndicatorType.URL:
        return f"[url:value = '{value}']"
    if record.type == IndicatorType.IP:
        return f"[{'ipv6-addr' if ':' in value else 'ipv4-addr'}:value = '{value}']"
    if record.type == IndicatorType.EMAIL:
        return f"[email-addr:value = '{value}']"
    if record.type in _HASH_KEYS:
        return f"[file:hashes.'{_HASH_KEYS[record.type]}' = '{value}']"
    raise BadInput("cannot export indicator type", record.record_id, f"unknown type {record.type!r}")


def source_identity_id(source_id: str) -> str:
    return f"identity--{stable_uuid('source', source_id)}"


def _campaign_id(incident: str) -> str:
    return f"campaign--{stable_uuid('incident', incident)}"


def _relationship(kind: str, source_ref: str, target_ref: str, created: dt.datetime, **extra: Any) -> Any:
    return stix2.v21.Relationship(
        id=f"relationship--{stable_uuid('relationship', kind, source_ref, target_ref)}",
        relationship_type=kind,
        source_ref=source_ref,
        target_ref=target_ref,
        created=created,
        modified=created,
        created_by_ref=HEISTGUARD_IDENTITY,
        **extra,
    )


def _actor_references(actor: Actor) -> list[dict[str, str]]:
    refs: list[dict[str, str]] = []
    attack_url = f"https://attack.mitre.org/groups/{actor.attack_id}/" if actor.attack_id else None
    if actor.attack_id:
        entry = {"source_name": "mitre-attack", "external_id": actor.attack_id}
        if attack_url in actor.refs:
            entry["url"] = attack_url
        refs.append(entry)
    for url in actor.refs:
        if url != attack_url:
            refs.append({"source_name": url.split("/")[2] if "://" in url else "reference", "url": url})
    return refs


def _intrusion_set(actor: Actor) -> Any:
    ext: dict[str, Any] = {"extension_type": "property-extension", "kind": actor.kind}
    if actor.parent:
        ext["parent_ref"] = actor.parent
    return stix2.v21.IntrusionSet(
        id=actor.id if actor.id.startswith("intrusion-set--") else actor_id(actor.name),
        name=actor.name,
        description=actor.description or actor.name,
        aliases=list(actor.aliases) or None,
        external_references=_actor_references(actor) or None,
        created=_MODEL_DATE,
        modified=_MODEL_DATE,
        created_by_ref=HEISTGUARD_IDENTITY,
        extensions={EXTENSION_ID: ext},
        allow_custom=True,
    )


def _identity(source: Source) -> Any:
    ext: dict[str, Any] = {"extension_type": "property-extension", "source_id": source.id}
    for key in ("url", "licence", "notes"):
        if getattr(source, key):
            ext[key] = getattr(source, key)
    if source.as_of:
        ext["as_of"] = source.as_of.isoformat()
    created = day_time(source.as_of) if source.as_of else _MODEL_DATE
    return stix2.v21.Identity(
        id=source_identity_id(source.id),
        name=source.name,
        description=source.notes,
        external_references=[{"source_name": source.id, "url": source.url}] if source.url else None,
        created=created,
        modified=created,
        extensions={EXTENSION_ID: ext},
        allow_custom=True,
    )


def _indicator(record: IndicatorRecord, source: Source | None) -> Any:
    day = record.first_seen or (source.as_of if source else None) or _EPOCH_DAY
    created = day_time(day)
    current = record.current
    modified = created
    valid_until = None
    if not current and record.status_date:
        ended = day_time(record.status_date)
        modified = max(created, ended)
        if ended > created:
            valid_until = ended
    ext: dict[str, Any] = {"extension_type": "property-extension", "category": record.category}
    # The exact description travels in the extension: the STIX one gets a filler when the record has none.
    for key in ("chain", "actor", "incident", "description", "source_ref", "status_date", "first_seen", "last_seen"):
        value = getattr(record, key)
        if value is not None:
            ext[key] = value.isoformat() if isinstance(value, dt.date) else value
    ext["status"] = record.status
    refs = None
    if record.source_ref and record.source_ref.startswith(("http://", "https://")):
        refs = [{"source_name": record.source_id, "url": record.source_ref.split()[0]}]
    return stix2.v21.Indicator(
        id=f"indicator--{stable_uuid('record', record.record_id)}",
        name=f"{record.category}: {record.display}" + (f" ({record.chain})" if record.chain else ""),
        description=record.description or f"{record.category} {record.type} from {record.source_id}",
        indicator_types=_INDICATOR_TYPES.get(record.category, ["benign"]),
        labels=[record.category],
        pattern=_pattern(record),
        pattern_type="stix",
        valid_from=created,
        valid_until=valid_until,
        revoked=not current,
        confidence=record.confidence,
        created=created,
        modified=modified,
        created_by_ref=source_identity_id(record.source_id),
        external_references=refs,
        # Only the bundled public intel is known to be shareable; an imported source keeps its own terms.
        object_marking_refs=[stix2.v21.TLP_WHITE.id] if source is not None and source.bundled else None,
        extensions={EXTENSION_ID: ext},
        allow_custom=True,
    )


def _extension_definition() -> Any:
    return stix2.v21.ExtensionDefinition(
        id=EXTENSION_ID,
        created_by_ref=HEISTGUARD_IDENTITY,
        created=_MODEL_DATE,
        modified=_MODEL_DATE,
        name="HeistGuard intel record",
        description=(
            "Property extension on indicator, identity and intrusion-set objects carrying the HeistGuard store's "
            "fields STIX has no place for (category, chain, incident, status and its date, the source's id, "
            "as-of date and licence); and the cryptocurrency-wallet SCO (one property, value: the address) "
            "used in indicator patterns."
        ),
        schema=EXTENSION_SCHEMA,
        version="1.0.0",
        extension_types=["property-extension", "new-sco"],
    )


def export_stix(data: ExportSet) -> str:
    """The records, their sources and actors as one STIX 2.1 bundle (JSON text, deterministic)."""
    objects: list[Any] = [
        stix2.v21.Identity(
            id=HEISTGUARD_IDENTITY,
            name="HeistGuard",
            identity_class="system",
            description="HeistGuard intel store export",
            created=_MODEL_DATE,
            modified=_MODEL_DATE,
        ),
        _extension_definition(),
    ]
    objects += [_identity(data.sources[sid]) for sid in sorted(data.sources)]
    if any(source.bundled for source in data.sources.values()):
        objects.append(stix2.v21.TLP_WHITE)
    relationships: dict[str, Any] = {}
    actors = _actor_objects(data, objects, relationships)
    _campaign_objects(data.records, actors, objects, relationships)
    for record in data.records:
        indicator = _indicator(record, data.sources.get(record.source_id))
        objects.append(indicator)
        if record.actor and record.category != "victim":
            rel = _relationship("indicates", indicator.id, _intrusion_set_id(actors[record.actor]), indicator.created)
            relationships[rel.id] = rel
        if record.incident:
            kind = "related-to" if record.category == "victim" else "indicates"
            rel = _relationship(kind, indicator.id, _campaign_id(record.incident), indicator.created)
            relationships[rel.id] = rel
    objects += [relationships[key] for key in sorted(relationships)]
    ids = ",".join(sorted(data.sources))
    bundle = {"type": "bundle", "id": f"bundle--{stable_uuid('bundle', ids)}", "objects": objects}
    # stix2's own pretty printer re-sorts every property and takes minutes on a large bundle; the
    # objects are already in spec order, so the plain encoder gives the same text far faster.
    return json.dumps(bundle, cls=STIXJSONEncoder, indent=1, ensure_ascii=False) + "\n"


def _actor_objects(data: ExportSet, objects: list[Any], relationships: dict[str, Any]) -> dict[str, Actor]:
    """Every actor of the store as an intrusion set (and any a record names that the store lacks)."""
    actors = {a.name: a for a in data.actors}
    for name in sorted({r.actor for r in data.records if r.actor and r.actor not in actors}):
        actors[name] = Actor(actor_id(name), name, "intrusion-set", None, (), name)
    by_id = {a.id: a for a in actors.values()}
    for name in sorted(actors):
        actor = actors[name]
        objects.append(_intrusion_set(actor))
        parent = by_id.get(actor.parent or "")
        if parent is not None:
            rel = _relationship(
                "related-to", _intrusion_set_id(actor), _intrusion_set_id(parent), _MODEL_DATE,
                description=f"{actor.name} is a cluster within {parent.name}",
            )  # fmt: skip
            relationships[rel.id] = rel
    return actors


def _campaign_objects(
    records: list[IndicatorRecord], actors: dict[str, Actor], objects: list[Any], relationships: dict[str, Any]
) -> None:
    """A campaign per incident, attributed to the actor most of its records name."""
    campaigns, campaign_actor = _campaigns(records)
    for incident, first in sorted(campaigns.items()):
        created = day_time(first) if first else _MODEL_DATE
        objects.append(
            stix2.v21.Campaign(
                id=_campaign_id(incident),
                name=incident,
                description=f"Incident: {incident}",
                first_seen=created if first else None,
                created=created,
                modified=created,
                created_by_ref=HEISTGUARD_IDENTITY,
            )
        )
        actor_name = campaign_actor.get(incident)
        if actor_name:
            rel = _relationship("attributed-to", _campaign_id(incident), _intrusion_set_id(actors[actor_name]), created)
            relationships[rel.id] = rel


def _intrusion_set_id(actor: Actor) -> str:
    return actor.id if actor.id.startswith("intrusion-set--") else actor_id(actor.name)


def _campaigns(records: Iterable[IndicatorRecord]) -> tuple[dict[str, dt.date | None], dict[str, str]]:
    first: dict[str, dt.date | None] = {}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        if not r.incident:
            continue
        seen = first.get(r.incident)
        if r.incident not in first or (r.first_seen and (seen is None or r.first_seen < seen)):
            first[r.incident] = r.first_seen
        if r.actor and r.category != "victim":
            votes[r.incident][r.actor] += 1
    # Most records of an incident name its actor; ties go to the alphabetically first, for stable output.
    actor = {inc: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for inc, c in votes.items()}
    return first, actor


# --- import ---------------------------------------------------------------------------------------


def read_stix(text: str, where: str, source_override: str | None, known_actors: Iterable[Actor]) -> IntelBatch:
    """A STIX 2.0/2.1 bundle (or a single object) into a batch; our extension restores records exactly."""
    doc = load_json(text, where)
    objects = _objects(doc, where)
    by_id: dict[str, dict[str, Any]] = {}
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) or not isinstance(obj.get("id"), str):
            raise BadInput("malformed STIX object", f"{where}: object {index}", "each object needs a type and an id")
        by_id[obj["id"]] = obj
    batch = IntelBatch()
    actors = ActorIndex(known_actors)
    actor_names = _read_actors(by_id, actors, batch)
    sources = _read_sources(by_id, source_override, where, batch)
    graph = _Graph(by_id, actor_names)
    for obj in by_id.values():
        if obj["type"] == "indicator":
            _read_indicator(obj, graph, sources, source_override, where, batch)
    used = {r.source_id for r in batch.records}
    batch.sources = {sid: _dated(src, batch.records) for sid, src in batch.sources.items() if sid in used}
    return batch


def _dated(source: Source, records: list[IndicatorRecord]) -> Source:
    """A peer's identity carries no as-of date: the newest date its records carry stands for one."""
    if source.as_of is not None:
        return source
    days = [d for r in records if r.source_id == source.id for d in (r.first_seen, r.last_seen, r.status_date) if d]
    return replace(source, as_of=max(days)) if days else source


def _objects(doc: Any, where: str) -> list[Any]:
    if not isinstance(doc, dict):
        raise BadInput("not a STIX bundle", where, "expected a JSON object with type 'bundle'")
    if doc.get("type") == "bundle":
        objects = doc.get("objects", [])
        if not isinstance(objects, list):
            raise BadInput("malformed STIX bundle", where, "'objects' is not a list")
        return objects
    if isinstance(doc.get("type"), str) and "id" in doc:
        return [doc]
    raise BadInput("not a STIX bundle", where, "expected a JSON object with type 'bundle'")


def _ext(obj: dict[str, Any]) -> dict[str, str]:
    """Our extension's properties; every one we write is a string, so anything else is dropped."""
    extensions = obj.get("extensions")
    found = extensions.get(EXTENSION_ID) if isinstance(extensions, dict) else None
    if not isinstance(found, dict):
        return {}
    return {key: value for key, value in found.items() if isinstance(value, str)}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _read_actors(by_id: dict[str, dict[str, Any]], index: ActorIndex, batch: IntelBatch) -> dict[str, str]:
    """Intrusion sets and threat actors -> our actor names, by STIX id."""
    names: dict[str, str] = {}
    for obj in by_id.values():
        if obj["type"] not in ("intrusion-set", "threat-actor") or not isinstance(obj.get("name"), str):
            continue
        refs = [r for r in obj.get("external_references") or [] if isinstance(r, dict)]
        attack_id = next(
            (str(r["external_id"]) for r in refs if r.get("source_name") == "mitre-attack" and r.get("external_id")),
            None,
        )
        known = index.by_key.get(obj["name"].lower()) or (index.by_key.get(attack_id.lower()) if attack_id else None)
        if known is not None:
            names[obj["id"]] = known.name
            continue
        ext = _ext(obj)
        actor = Actor(
            id=obj["id"] if obj["type"] == "intrusion-set" else actor_id(obj["name"]),
            name=obj["name"],
            kind=str(ext.get("kind") or "intrusion-set"),
            attack_id=attack_id,
            aliases=tuple(str(a) for a in obj.get("aliases") or () if a != obj["name"]),
            description=_str(obj.get("description")) or "",
            parent=ext.get("parent_ref"),
            refs=tuple(str(r["url"]) for r in refs if r.get("url")),
        )
        index.add(actor)
        batch.actors[actor.name] = actor
        names[obj["id"]] = actor.name
    return names


def _read_sources(
    by_id: dict[str, dict[str, Any]], override: str | None, where: str, batch: IntelBatch
) -> dict[str, str]:
    """Identities -> source ids (ours carry their id; a peer's gets one from its name)."""
    ids: dict[str, str] = {}
    for obj in by_id.values():
        if obj["type"] != "identity" or obj["id"] == HEISTGUARD_IDENTITY:
            continue
        ext = _ext(obj)
        name = str(obj.get("name") or obj["id"])
        sid = override or str(ext.get("source_id") or f"stix-{slug(name)}")
        ids[obj["id"]] = sid
        refs = [r for r in obj.get("external_references") or [] if isinstance(r, dict) and r.get("url")]
        batch.sources.setdefault(
            sid,
            Source(
                id=sid,
                name=name,
                url=ext.get("url") or (str(refs[0]["url"]) if refs else None),
                as_of=parse_day(ext.get("as_of")),
                licence=ext.get("licence"),
                notes=ext.get("notes") if ext else f"imported from STIX {where}",
            ),
        )
    return ids


class _Graph:
    """The relationships of a bundle, to find an indicator's actor, incident and report."""

    def __init__(self, by_id: dict[str, dict[str, Any]], actor_names: dict[str, str]) -> None:
        self.by_id = by_id
        self.actor_names = actor_names
        self.links: dict[tuple[str, str], list[str]] = defaultdict(list)  # (kind, from) -> to
        self.reports: dict[str, dict[str, Any]] = {}
        for obj in by_id.values():
            if obj["type"] == "relationship":
                kind, source, target = obj.get("relationship_type"), obj.get("source_ref"), obj.get("target_ref")
                if isinstance(kind, str) and isinstance(source, str) and isinstance(target, str):
                    self.links[(kind, source)].append(target)
                    if kind == "uses":  # an intrusion set uses a malware: the malware points back at it
                        self.links[("used-by", target)].append(source)
            elif obj["type"] == "report" and isinstance(obj.get("object_refs"), list):
                for ref in obj["object_refs"]:
                    if isinstance(ref, str):
                        self.reports.setdefault(ref, obj)

    def _objects(self, kind: str, source: str) -> list[dict[str, Any]]:
        return [self.by_id[t] for t in self.links.get((kind, source), ()) if t in self.by_id]

    def actor(self, indicator_id: str) -> str | None:
        """The actor an indicator indicates, directly or through its campaign or malware."""
        targets = self._objects("indicates", indicator_id) + self._objects("related-to", indicator_id)
        for target in targets:
            if target["id"] in self.actor_names:
                return self.actor_names[target["id"]]
        for target in targets:
            for kind in ("attributed-to", "used-by"):
                for hop in self._objects(kind, target["id"]):
                    if hop["id"] in self.actor_names:
                        return self.actor_names[hop["id"]]
        return None

    def incident(self, indicator_id: str) -> str | None:
        """The campaign or incident an indicator belongs to, else the report that lists it."""
        for target in self._objects("indicates", indicator_id) + self._objects("related-to", indicator_id):
            if target["type"] in ("campaign", "incident") and _str(target.get("name")):
                return _str(target.get("name"))
        return _str(self.reports.get(indicator_id, {}).get("name"))

    def report_url(self, indicator_id: str) -> str | None:
        refs = self.reports.get(indicator_id, {}).get("external_references")
        return next((r["url"] for r in refs if isinstance(r, dict) and _str(r.get("url"))), None) if refs else None


def _read_indicator(
    obj: dict[str, Any], graph: _Graph, sources: dict[str, str], override: str | None, where: str, batch: IntelBatch
) -> None:
    here = f"{where}: {obj['id']}"
    pattern = obj.get("pattern")
    if obj.get("pattern_type", "stix") != "stix" or not isinstance(pattern, str):
        batch.skipped.append(f"{here}: not a STIX pattern ({obj.get('pattern_type')})")
        return
    try:
        values = _pattern_values(pattern)
    except Exception as exc:  # the pattern grammar raises its own error types
        batch.skipped.append(f"{here}: unreadable pattern: {str(exc).splitlines()[0]}")
        return
    if not values:
        batch.skipped.append(f"{here}: no address, domain, URL, IP, e-mail or hash equality in {pattern!r}")
        return
    creator = str(obj.get("created_by_ref") or "")
    source_id = sources.get(creator) or override or "stix-import"
    if source_id not in batch.sources:
        batch.sources[source_id] = Source(id=source_id, name=f"STIX import {where}", url=None, as_of=None)
    ext = _ext(obj)
    actor = ext.get("actor") if ext else graph.actor(obj["id"])
    incident = ext.get("incident") if ext else graph.incident(obj["id"])
    status, status_date = _status(obj, ext)
    for ref in obj.get("object_marking_refs") or ():
        marking = graph.by_id.get(ref) if isinstance(ref, str) else None
        batch.mark(source_id, _TLP_BY_ID.get(str(ref)) or str((marking or {}).get("name") or ""))
    refs = [r for r in obj.get("external_references") or [] if isinstance(r, dict)]
    for kind, value in values:
        category = ext.get("category") or _category_of(obj, kind, actor)
        make_record(
            kind,
            value,
            category=category,
            source_id=source_id,
            where=here,
            batch=batch,
            chain=ext.get("chain"),
            actor=actor,
            incident=incident,
            description=ext.get("description") if ext else (_str(obj.get("description")) or _str(obj.get("name"))),
            confidence=obj.get("confidence"),
            source_ref=ext.get("source_ref")
            if ext
            else next((r["url"] for r in refs if _str(r.get("url"))), None) or graph.report_url(obj["id"]),
            first_seen=parse_day(ext.get("first_seen")) if ext else parse_day(obj.get("valid_from")),
            last_seen=parse_day(ext.get("last_seen")),
            status=status,
            status_date=status_date,
        )


def _status(obj: dict[str, Any], ext: dict[str, Any]) -> tuple[str, dt.date | None]:
    if ext.get("status"):
        return str(ext["status"]), parse_day(ext.get("status_date"))
    if obj.get("revoked"):
        return "withdrawn", parse_day(obj.get("modified"))
    until = parse_day(obj.get("valid_until"))
    if until and until <= dt.datetime.now(dt.UTC).date():
        return "withdrawn", until  # expired: never current again
    return "active", None


def _category_of(obj: dict[str, Any], kind: IndicatorType, actor: str | None) -> str:
    """A peer's indicator in our categories: its labels first, then its indicator types."""
    labels = {str(x).lower() for x in obj.get("labels") or ()}
    known = labels & set(_INDICATOR_TYPES) | labels & {"exchange", "bridge", "service"}
    if known:
        return sorted(known)[0]
    # STIX 2.0 put the indicator types in `labels`.
    types = {str(x).lower() for x in obj.get("indicator_types") or ()} or labels
    if "compromised" in types:
        return "victim"
    if "anonymization" in types:
        return "mixer"
    if types and types <= {"benign"}:
        return "service"
    text = f"{obj.get('name', '')} {obj.get('description', '')}".lower()
    if kind is IndicatorType.ADDRESS:
        return "attributed-theft" if actor else "theft"
    return "phishing" if "phish" in text or kind is IndicatorType.EMAIL else "malware"


# The one-comparison shape nearly every feed uses, `[domain-name:value = 'x']`: read directly, since the
# full grammar's parser costs about a millisecond a pattern. Anything else goes to stix2's parser.
_SIMPLE_PATTERN = re.compile(
    r"^\[\s*([a-z0-9-]+):(value|hashes\.'[A-Za-z0-9-]+'|hashes\.[A-Za-z0-9-]+)\s*=\s*'((?:[^'\\]|\\['\\])*)'\s*\]$"
)
_ESCAPE = re.compile(r"\\(['\\])")


def _pattern_values(pattern: str) -> list[tuple[IndicatorType, str]]:
    """Every `object:property = 'value'` in a pattern that names an indicator we keep."""
    simple = _SIMPLE_PATTERN.match(pattern)
    if simple:
        object_type, path, raw = simple.groups()
        item = _classify(object_type, [step.strip("'") for step in path.split(".", 1)], _ESCAPE.sub(r"\1", raw))
        return [item] if item else []
    tree = create_pattern_object(pattern, version="2.1")
    found: list[tuple[IndicatorType, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, _CompoundObservationExpression):
            for operand in node.operands:
                walk(operand)
        elif isinstance(node, ObservationExpression):
            walk(node.operand)
        elif isinstance(node, _BooleanExpression):
            for operand in node.operands:
                walk(operand)
        elif isinstance(node, EqualityComparisonExpression) and not node.negated:
            item = _comparison(node)
            if item is not None:
                found.append(item)
        elif isinstance(node, ParentheticalExpression):
            walk(node.expression)
        elif isinstance(node, QualifiedObservationExpression):  # WITHIN, REPEATS, START/STOP
            walk(node.observation_expression)

    walk(tree)
    return list(dict.fromkeys(found))


def _comparison(node: EqualityComparisonExpression) -> tuple[IndicatorType, str] | None:
    lhs = node.lhs
    steps = [str(getattr(c, "property_name", c)).strip("'") for c in lhs.property_path]
    value = getattr(node.rhs, "value", None)
    if not isinstance(value, str):
        return None
    if not getattr(node.rhs, "needs_to_be_quoted", True):
        value = _ESCAPE.sub(r"\1", value)  # the parser hands string literals over still escaped
    return _classify(str(lhs.object_type_name), steps, value)


def _classify(object_type: str, steps: list[str], value: str) -> tuple[IndicatorType, str] | None:
    if object_type in _WALLET_TYPES and steps[:1] in (["value"], ["address"]):
        return IndicatorType.ADDRESS, value
    simple = {
        "domain-name": IndicatorType.DOMAIN,
        "url": IndicatorType.URL,
        "ipv4-addr": IndicatorType.IP,
        "ipv6-addr": IndicatorType.IP,
        "email-addr": IndicatorType.EMAIL,
    }
    if object_type in simple and steps == ["value"]:
        if simple[object_type] is IndicatorType.IP and "/" in value:
            return None  # a network range is not one address
        return simple[object_type], value
    if object_type == "email-message" and steps[:2] == ["from_ref", "value"]:
        return IndicatorType.EMAIL, value
    if object_type in ("file", "artifact") and len(steps) == 2 and steps[0] == "hashes":
        kind = _HASH_TYPE.get(steps[1].upper())
        return (kind, value) if kind else None
    return None
