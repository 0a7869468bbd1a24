"""Lookups on the bundled public intel, with the values the issue and public incidents name."""

from __future__ import annotations

import datetime as dt

from heistguard.findings import Severity
from heistguard.intel import IntelLookup, lookup, lookup_many, normalise
from heistguard.intel.store import IndicatorRecord, IntelStore, Source

RONIN_EXPLOITER = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # OFAC SDN LAZARUS GROUP, 2022-04-14
BYBIT_FBI = "0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D"  # FBI PSA250226, first address of its list
TORNADO_01_ETH = "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc"  # Tornado Cash 0.1 ETH pool, delisted 2025-03-21
BYBIT_COLD_WALLET = "0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4"  # the victim Safe
CLEAN = "0x00000000219ab540356cBB839Cbe05303d7705Fa"  # Ethereum beacon deposit contract


def _state(store: IntelStore, source_id: str, value: str, category: str, as_of: dt.date | None = None) -> None:
    """One source stating one thing about one value, stored in its normal form."""
    indicator = normalise(value)
    source = Source(id=source_id, name=f"source {source_id}", url=None, as_of=as_of)
    with store.transaction():
        store.add_records(
            source,
            [
                IndicatorRecord(
                    type=indicator.type.value,
                    value=indicator.value,
                    display=indicator.display,
                    category=category,
                    source_id=source_id,
                    confidence=70,
                )
            ],
        )


def _rules(store: IntelStore, value: str) -> dict[str, Severity]:
    intel = IntelLookup(store)
    return {f.rule_id: f.severity for f in intel.findings(intel.lookup(value))}


def test_ronin_exploiter_names_ofac_and_lazarus(store: IntelStore) -> None:
    intel = IntelLookup(store)
    (result,) = intel.lookup_many([RONIN_EXPLOITER])
    verdict = intel.verdict(result)
    assert verdict.verdict == "malicious" and verdict.blocks
    rules = {f.rule_id: f for f in verdict.findings}
    assert rules["intel.sanctioned"].severity is Severity.CRITICAL
    assert "LAZARUS GROUP" in rules["intel.sanctioned"].title
    assert "G0032" in rules["intel.attributed-theft"].attack
    assert any("Ronin" in e.text for e in rules["intel.attributed-theft"].evidence)


def test_bybit_fbi_address_with_its_source(store: IntelStore) -> None:
    matches = lookup(BYBIT_FBI.lower(), store=store)
    assert matches
    record = matches[0].record
    assert record.actor == "TraderTraitor"
    assert record.incident is not None and "Bybit" in record.incident
    assert record.source_ref is not None and "ic3.gov/PSA/2025/PSA250226" in record.source_ref


def test_delisted_tornado_pool_is_a_mixer_not_sanctioned(store: IntelStore) -> None:
    rules = _rules(store, TORNADO_01_ETH)
    assert rules["intel.mixer"] is Severity.HIGH
    assert rules["intel.formerly-sanctioned"] is Severity.INFO
    assert "intel.sanctioned" not in rules


def test_stale_sanction_from_another_source_is_superseded_by_delisting(store: IntelStore) -> None:
    _state(store, "old-list", TORNADO_01_ETH, "sanctioned", as_of=dt.date(2024, 1, 1))
    assert "intel.sanctioned" not in _rules(store, TORNADO_01_ETH)


def test_victim_is_context_not_an_alarm(store: IntelStore) -> None:
    rules = _rules(store, BYBIT_COLD_WALLET)
    assert rules.get("intel.incident-victim") is Severity.INFO
    assert "intel.attributed-theft" not in rules


def test_clean_and_bad_values_in_one_batch(store: IntelStore) -> None:
    results = lookup_many([CLEAN, "not an indicator", RONIN_EXPLOITER.lower()], store=store)
    assert results[0].matches == () and results[0].error is None
    assert results[1].error is not None and "unrecognised" in results[1].error
    assert results[2].matches


def test_url_and_email_match_through_their_domain(store: IntelStore) -> None:
    _state(store, "case-42", "bybít.example", "phishing")
    intel = IntelLookup(store)
    for value in ("https://login.bybít.example/verify", "hr@xn--bybt-xpa.example", "www.bybít.example"):
        (finding,) = intel.findings(intel.lookup(value))
        assert finding.rule_id == "intel.known-malicious"
        assert "bybít.example" in finding.title


def test_might_match_agrees_with_the_store_join(store: IntelStore) -> None:
    _state(store, "case-43", "evil.example", "phishing")
    intel = IntelLookup(store)
    for value, listed in [
        ("https://a.b.evil.example/x", True),
        ("hr@evil.example", True),
        ("login.evil.example", True),
        ("https://evil.example.com/x", False),
        ("notevil.example", False),
    ]:
        indicator = normalise(value)
        assert intel.might_match(indicator) is listed, value
        assert bool(intel.lookup(indicator)) is listed, value


def test_current_addresses_for_screening_honour_delisting(store: IntelStore) -> None:
    _state(store, "old-sanctions", TORNADO_01_ETH, "sanctioned", as_of=dt.date(2024, 1, 1))
    current, known = IntelLookup(store).current_addresses(("sanctioned", "attributed-theft"))
    assert RONIN_EXPLOITER.lower() in current
    assert BYBIT_FBI.lower() in current
    assert TORNADO_01_ETH.lower() not in current  # delisted 2025-03-21, after the old list's statement
    assert TORNADO_01_ETH.lower() in known
    assert BYBIT_COLD_WALLET.lower() not in current  # a victim
