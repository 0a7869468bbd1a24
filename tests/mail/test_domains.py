"""Lookalike domains: dnstwist permutations, homoglyphs, edit distance, TLD swaps, embedded brands, and no false
alarms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.config import MailConfig
from heistguard.mail.context import MailContext
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


def _full_distance(a: str, b: str) -> int:
    """Optimal string alignment distance with no cut-off, the plain textbook table."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="abinces-", max_size=10), st.text(alphabet="abinces-", max_size=10))
def test_edit_distance_cut_off_agrees_with_the_full_distance(a: str, b: str) -> None:
    assert min(edit_distance(a, b, 2), 3) == min(_full_distance(a, b), 3)


_SHIPPED = MailContext(MailConfig()).lookalikes  # the shipped protected list: exchanges, wallets, VCs
_LABEL_BITS = ["binance", "bіnance", "coinbase", "kraken", "krakken", "ledger", "metamask", "acme", "capital",
               "-", "support", "secure", "rn", "m", "0", "o", "xn--bnance-bwa", "a", "ledgerwallet"]  # fmt: skip
_SUFFIXES = ["com", "io", "net", "co.uk", "com.evil.io", "us", "xyz", "binance.com.verify.io", "kraken.com.x.net"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_LABEL_BITS), min_size=1, max_size=3).map("".join), min_size=1, max_size=3),
    st.sampled_from(_SUFFIXES),
)
def test_the_indexes_give_the_answer_every_protected_domain_gives(labels: list[str], suffix: str) -> None:
    domain = ".".join([*labels, suffix])
    for finder in (FINDER, _SHIPPED):
        assert finder.check(domain) == finder.against(domain, finder.protected), domain


@pytest.mark.parametrize(
    ("domain", "protected"),
    [
        ("atomicwallet-restore.com", "atomicwallet.io"),  # wallets and exchanges robbed by DPRK operators
        ("wazirx-recovery.com", "wazirx.com"),
        ("bithumb.io", "bithumb.com"),
        ("skymavis-careers.com", "skymavis.com"),
        ("electrumteamnews.online", "electrum.org"),
    ],
)
def test_the_shipped_list_covers_heist_victims_and_wallets(domain: str, protected: str) -> None:
    hit = _SHIPPED.check(domain)
    assert hit is not None and hit.protected == protected


@pytest.mark.parametrize("domain", ["state.gov", "harmony.com", "rabbit.tech", "radiantlogistics.com", "dmm.com"])
def test_common_words_of_robbed_firms_are_not_on_the_shipped_list(domain: str) -> None:
    assert _SHIPPED.check(domain) is None
