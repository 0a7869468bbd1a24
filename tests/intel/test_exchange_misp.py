"""MISP: a real-shaped OSINT event and feed import with the right types; our events and feeds round-trip."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from heistguard.intel.exchange import ExportFormat, export_data, export_feed, export_text, import_batch, read_intel_file
from heistguard.intel.store import IntelStore
from tests.conftest import FIXTURES
from tests.intel.exchange_support import assert_same_intel

FEED = FIXTURES / "intel" / "misp_feed"
EVENT_3CX = FEED / "7b1e4a52-0c3d-4d7e-9f1a-3c5e2b8d4a61.json"
SENTINELONE = "https://www.sentinelone.com/blog/smoothoperator-ongoing-campaign-trojanizes-3cx-software-in-software-supply-chain-attack/"


def test_osint_event_imports_with_the_right_types(store: IntelStore) -> None:
    fmt, batch = read_intel_file(EVENT_3CX, store)
    assert fmt == "misp-event"
    got = {(r.type, r.value) for r in batch.records}
    assert got == {
        ("domain", "akamaicontainer.com"),
        ("domain", "msstorageboxes.com"),
        ("domain", "glcloudservice.com"),
        ("url", "https://raw.githubusercontent.com/IconStorages/images/main/icon13.ico"),
        ("sha256", "59e1edf4d82fae4978e97512b0331b7eb21dd4b838b850ba46794d9c7a2c0983"),
    }  # the deleted domain, the link, the text and the file name are context, not indicators
    for r in batch.records:
        assert r.category == "malware"
        assert r.actor == "Lazarus Group"
        assert r.source_id == "misp-circl"
        assert r.source_ref == SENTINELONE
        assert r.incident and r.incident.startswith("OSINT - 3CXDesktopApp")
        assert r.first_seen == dt.date(2023, 3, 29)
    (source,) = batch.sources.values()
    assert (source.name, source.as_of) == ("MISP: CIRCL", dt.date(2023, 3, 29))
    before = store.count()
    import_batch(store, batch)
    assert store.count() == before + 5


def test_feed_directory_reads_every_event_with_chains_and_actors(store: IntelStore) -> None:
    fmt, batch = read_intel_file(FEED, store, source_override="circl-osint")
    assert fmt == "misp-feed"
    by_value = {r.value: r for r in batch.records}
    assert len(by_value) == 8
    btc = by_value["1BK769SseNefb6fe9QuFEi8W4KGbtP8gi3"]
    assert (btc.type, btc.chain, btc.category, btc.actor) == ("address", "BTC", "attributed-theft", "APT38")
    eth = by_value["0x0d043128146654c7683fbf30ac98d7b2285ded00"]
    assert (eth.chain, eth.display) == ("ETH", "0x0d043128146654C7683Fbf30ac98D7B2285DeD00")
    assert {r.source_id for r in batch.records} == {"circl-osint"}
    # the manifest file itself names the feed as well as its directory does
    assert read_intel_file(FEED / "manifest.json", store)[0] == "misp-feed"


def test_our_events_carry_misp_types_and_galaxy_tags(store: IntelStore) -> None:
    doc = json.loads(export_text(export_data(store, ["dprk-attribution", "ofac-sdn"]), ExportFormat.MISP))
    events = [e["Event"] for e in doc["response"]]
    attributes = [a for e in events for a in e["Attribute"]]
    btc = next(a for a in attributes if a["value"] == "1BK769SseNefb6fe9QuFEi8W4KGbtP8gi3")
    assert (btc["type"], btc["category"], btc["to_ids"]) == ("btc", "Financial fraud", True)
    eth = next(a for a in attributes if a["value"] == "0x098B716B8Aaf21512996dC57EB0615e2383E2f96")
    assert (eth["type"], eth["category"]) == ("text", "Financial fraud")
    assert {'heistguard:chain="ETH"', 'misp-galaxy:threat-actor="Lazarus Group"'} <= {t["name"] for t in eth["Tag"]}
    bybit = next(e for e in events if e["info"].startswith("Bybit hack 2025-02-21"))
    tags = {t["name"] for t in bybit["Tag"]}
    assert 'misp-galaxy:threat-actor="TraderTraitor"' in tags
    assert bybit["Orgc"]["name"].startswith("DPRK-attributed")
    ronin = next(e for e in events if e["info"].startswith("Ronin"))
    assert 'misp-galaxy:mitre-intrusion-set="Lazarus Group - G0032"' in {t["name"] for t in ronin["Tag"]}
    delisted = [
        a for a in attributes if {"name": 'heistguard:status="delisted"', "exportable": True} in a.get("Tag", [])
    ]
    assert len(delisted) == 90 and not any(a["to_ids"] for a in delisted)


def test_feed_round_trips_with_nothing_lost(store: IntelStore, tmp_path: Path) -> None:
    chosen = ["dprk-attribution", "ofac-sdn", "graphsense-tornado-cash"]
    events = export_feed(export_data(store, chosen), tmp_path / "feed")
    manifest = json.loads((tmp_path / "feed" / "manifest.json").read_text())
    assert len(manifest) == events
    assert {p.stem for p in (tmp_path / "feed").glob("*-*-*-*-*.json")} == set(manifest)
    with (tmp_path / "feed" / "hashes.csv").open() as handle:
        assert {row[1] for row in csv.reader(handle)} == set(manifest)
    with IntelStore.open(tmp_path / "fresh.duckdb") as fresh:
        _, batch = read_intel_file(tmp_path / "feed", fresh)
        import_batch(fresh, batch)
        assert_same_intel(store, fresh, chosen)


def test_event_list_round_trips_with_nothing_lost(store: IntelStore, tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(export_text(export_data(store, ["dprk-attribution"]), ExportFormat.MISP))
    with IntelStore.open(tmp_path / "fresh.duckdb") as fresh:
        fmt, batch = read_intel_file(path, fresh)
        assert fmt == "misp-event"
        import_batch(fresh, batch)
        assert_same_intel(store, fresh, ["dprk-attribution"])
        victims = [r for r in fresh.all_records() if r.category == "victim"]
        assert victims and all(r.actor is None for r in victims)  # an event's actor is not pinned on its victims


def test_peer_attributes_not_for_detection_stay_out_and_confidence_tags_count(
    store: IntelStore, tmp_path: Path
) -> None:
    event = json.loads(EVENT_3CX.read_text())
    attributes = event["Event"]["Attribute"]
    attributes.append(
        {"type": "domain", "category": "Network activity", "value": "raw.githubusercontent.com", "to_ids": False,
         "comment": "legitimate host the ICO files were fetched from"}
    )  # fmt: skip
    attributes.append({"type": "domain|ip", "category": "Network activity", "value": "glcloudservice.com|198.51.100.9"})
    event["Event"]["Tag"].append({"name": 'estimative-language:confidence-in-analytic-judgment="high"'})
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    _, batch = read_intel_file(path, store)
    assert "raw.githubusercontent.com" not in {r.value for r in batch.records}
    assert {("ip", "198.51.100.9"), ("domain", "glcloudservice.com")} <= {(r.type, r.value) for r in batch.records}
    assert batch.skipped == [f"{path}: 1 attributes marked not for detection (to_ids false)"]
    assert {r.confidence for r in batch.records} == {85}


def test_a_peers_tlp_restriction_stays_in_sight(store: IntelStore, tmp_path: Path) -> None:
    event = json.loads(EVENT_3CX.read_text())
    event["Event"]["Tag"] = [t for t in event["Event"]["Tag"] if t["name"] != "tlp:white"] + [{"name": "tlp:amber"}]
    path = tmp_path / "amber.json"
    path.write_text(json.dumps(event))
    _, batch = read_intel_file(path, store)
    import_batch(store, batch)
    source = store.source("misp-circl")
    assert source is not None and source.notes
    assert source.notes.endswith("marked TLP:AMBER by its source: check before sharing")
    exported = json.loads(export_text(export_data(store, ["misp-circl", "ofac-sdn"]), ExportFormat.MISP))
    tlp = {e["Event"]["Orgc"]["name"]: [t["name"] for t in e["Event"]["Tag"] if t["name"].startswith("tlp:")]
           for e in exported["response"]}  # fmt: skip
    assert tlp["MISP: CIRCL"] == []  # not relabelled as shareable
    assert tlp["OFAC SDN list: digital currency addresses (all chains)"] == ["tlp:clear"]  # bundled public data


def test_actor_from_a_galaxy_cluster_without_a_tag(store: IntelStore, tmp_path: Path) -> None:
    event = json.loads(EVENT_3CX.read_text())
    event["Event"]["Tag"] = [t for t in event["Event"]["Tag"] if "threat-actor" not in t["name"]]
    cluster = {"value": "Labyrinth Chollima", "tag_name": 'misp-galaxy:threat-actor="Labyrinth Chollima"'}
    event["Event"]["Galaxy"] = [{"name": "Threat Actor", "type": "threat-actor", "GalaxyCluster": [cluster]}]
    path = tmp_path / "galaxy.json"
    path.write_text(json.dumps(event))
    _, batch = read_intel_file(path, store)
    assert {r.actor for r in batch.records} == {"Lazarus Group"}  # Labyrinth Chollima is its alias
