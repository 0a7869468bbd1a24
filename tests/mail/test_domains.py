"""Lookalike domains: dnstwist permutations, homoglyphs, edit distance, TLD swaps, embedded brands, and no false
alarms."""

from __future__ import annotations

import pytest

from heistguard.mail.domains import LookalikeFinder, edit_distance, registrable, skeleton

FINDER = LookalikeFinder(
    protected=["binance.com", "coinbase.com"], allowed=["binance.us"], permuted=["acme-capital.com"]
)


@pytest.mark.parametrize(
    ("domain", "protected", "how"),
    [
        ("acme-capitol.com", "acme-capital.com", "permutation"),
        ("acmecapital.com", "acme-capital.com", "permutation"),
        ("xn--bnance-bwa.com", "binance.com", "homoglyph"),  # bīnance.com
        ("bіnance.com", "binance.com", "homoglyph"),  # Cyrillic і
        ("binance.io", "binance.com", "tld swap"),
        ("coinbasse.com", "coinbase.com", "edit distance"),
        ("binance-support.com", "binance.com", "embedded brand"),
        ("secure.binance.com.verify-account.example", "binance.com", "protected domain as a subdomain"),
    ],
)
def test_lookalikes_are_found(domain: str, protected: str, how: str) -> None:
    hit = FINDER.check(domain)
    assert hit is not None and hit.protected == protected and hit.how.startswith(how)


@pytest.mark.parametrize(
    "domain", ["binance.com", "www.binance.com", "binance.us", "example.org", "github.com", "cryptolab.net", "bin.com"]
)
def test_real_and_unrelated_domains_are_not(domain: str) -> None:
    assert FINDER.check(domain) is None


def test_helpers() -> None:
    assert registrable("mail.example.co.uk") == "example.co.uk"
    assert skeleton("rnetamask") == skeleton("metamask")
    assert edit_distance("coinbase", "conbase") == 1
    assert edit_distance("binance", "biannce") == 1  # a transposition is one edit
