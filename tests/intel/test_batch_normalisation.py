"""A big batch normalises plain values inside DuckDB; every value must get exactly the key, type,
display and error that `normalise()` gives it one at a time."""

from __future__ import annotations

import pytest

from heistguard.errors import BadInput
from heistguard.intel import IntelLookup
from heistguard.intel.indicators import evm_checksum, normalise
from heistguard.intel.matching import _SQL_BATCH
from heistguard.intel.store import IntelStore

EIP55_SPEC_VECTORS = (  # from the EIP-55 text
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
)

TRICKY = [
    *EIP55_SPEC_VECTORS,
    "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # broken checksum
    "0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae",
    "0xdeadbeef.com",
    "d41d8cd98f00b204e9800998ecf8427e",
    "D41D8CD98F00B204E9800998ECF8427E",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
    "Example.COM",
    "example.com.",
    "a_b.example.com",
    "-bad.example.com",
    "bad-.example.com",
    "x" * 63 + ".example",
    "x" * 64 + ".example",
    ".".join(["abcdefghi"] * 26),
    "evil.123",
    "1.2.3",
    "xn--bcher-kva.de",
    "bücher.de",
    "evil[.]example",
    " padded.example ",
    "255.255.255.255",
    "256.1.1.1",
    "01.2.3.4",
    "10.0.0.1",
    "2001:DB8::1",
    "::ffff:192.0.2.1",
    "https://Login.Example.COM/a/b?x=1",
    "HTTPS://login.example.com",
    "http://login.example.com/?",
    "http://login.example.com?q=1",
    "http://login.example.com/a?",
    "http://1.2.3.4/x",
    "http://1.2.3.999/x",
    "http://evil.123/x",
    "https://login.example.com:443/a",
    "https://login.example.com:8443/a",
    "https://user@login.example.com/a",
    "https://login.example.com/a#frag",
    "https://login.example.com/a%7e",
    "https://login.example.com/a/./b/../c",
    "https://login.example.com/.well-known/x",
    "https://login.example.com//double//slash",
    "https://login.example.com/r?u=http://other.example/x",
    "hxxps://login[.]example.com/x",
    "ftp://files.example.com/x",
    "https://xn--bcher-kva.de/x",
    "Recruiter@Talent.EXAMPLE.com",
    "first.last+tag@example.com",
    "<hr@example.com>",
    "mailto:hr@example.com",
    "hr@bücher.de",
    "hr@evil.123",
    "a@b@example.com",
    "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd",
    "1JHdQHkBZiim1cb4hyUh2PbzEbbg6z2TrF",
    "TJDENsfBJs4RFETt1X1W8wMDc8M5XnJhCe",
    "domain:example.org",
    "url:https://example.org/x",
    "not an indicator",
    "",
    "localhost",
]


def _one_at_a_time(value: str) -> tuple[str, str, str] | str:
    try:
        ind = normalise(value)
    except BadInput as exc:
        return exc.one_line()
    return ind.type.value, ind.value, ind.display


def test_eip55_spec_vectors() -> None:
    for address in EIP55_SPEC_VECTORS:
        assert evm_checksum(address[2:].lower()) == address


@pytest.mark.parametrize("kind", [None, "domain", "address"])
def test_big_batch_agrees_with_one_at_a_time(store: IntelStore, kind: str | None) -> None:
    values = (TRICKY * (_SQL_BATCH // len(TRICKY) + 1))[: _SQL_BATCH + 7]
    batch = IntelLookup(store).lookup_many(values, kind)
    for value, result in zip(values, batch, strict=True):
        if kind is None:
            expected = _one_at_a_time(value)
        else:
            try:
                ind = normalise(value, kind)
                expected = (ind.type.value, ind.value, ind.display)
            except BadInput as exc:
                expected = exc.one_line()
        if result.error is not None:
            assert result.error == expected, value
        else:
            assert result.indicator is not None
            got = (result.indicator.type.value, result.indicator.value, result.indicator.display)
            assert got == expected, value


def test_big_batch_matches_like_small_batch(store: IntelStore) -> None:
    values = ["0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "https://www.tornado.example/x", *TRICKY]
    big = (values * (_SQL_BATCH // len(values) + 1))[: _SQL_BATCH + 1]
    intel = IntelLookup(store)
    small = intel.lookup_many(values)
    batch = intel.lookup_many(big)
    for i in range(len(values)):
        assert batch[i].matches == small[i].matches
