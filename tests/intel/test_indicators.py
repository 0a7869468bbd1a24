"""Normalisation: the forms an analyst meets for one indicator meet in one key."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.errors import BadInput
from heistguard.intel.indicators import (
    Indicator,
    IndicatorType,
    detect,
    normalise,
    normalise_domain,
    normalise_ip,
    url_host,
)

RONIN = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # Ronin bridge exploiter, OFAC SDN 2022-04-14


def test_evm_address_any_case_one_key_checksum_display() -> None:
    for form in (RONIN, RONIN.lower(), "0x" + RONIN[2:].upper()):
        ind = detect(form)
        assert ind.type is IndicatorType.ADDRESS
        assert ind.value == RONIN.lower()
        assert ind.display == RONIN


def test_wrong_checksum_is_bad_input() -> None:
    tampered = RONIN[:-1] + "7"
    with pytest.raises(BadInput, match="EIP-55"):
        detect(tampered)
    with pytest.raises(BadInput, match="40 hex"):
        detect("0x098b716b8aaf")


def test_bitcoin_addresses() -> None:
    # Sinbad.io (OFAC 2023-11-29), bech32 P2WSH: any case in, lower case key.
    sinbad = "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd"
    assert detect(sinbad.upper()).value == sinbad
    # Taproot (bech32m, BIP-350 test vector) is an address too.
    assert detect("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0").type is IndicatorType.ADDRESS
    # base58check stays exactly as written; a broken checksum is refused.
    legacy = "1JHdQHkBZiim1cb4hyUh2PbzEbbg6z2TrF"
    assert detect(legacy).value == legacy
    with pytest.raises(BadInput):
        detect(legacy[:-1] + "G")
    with pytest.raises(BadInput):
        detect(sinbad[:-1] + "q")


def test_other_chains() -> None:
    tron = "TJDENsfBJs4RFETt1X1W8wMDc8M5XnJhCe"
    assert detect(tron).value == tron
    assert detect("bitcoincash:qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq").value == (
        "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq"
    )


def test_domains_idna_and_case() -> None:
    assert detect("Example.COM.").value == "example.com"
    ind = detect("bücher.de")
    assert ind.value == "xn--bcher-kva.de"
    assert ind.display == "bücher.de"
    assert detect("xn--bcher-kva.de").display == "bücher.de"
    with pytest.raises(BadInput):
        normalise("-bad-.com", "domain")


def test_urls_are_canonicalised() -> None:
    url = detect("HTTPS://User:pw@Login.Example.COM:443/a/./b/../c%7e?q=%2f#frag").value
    assert url == "https://login.example.com/a/c~?q=%2F"
    assert detect("hxxps://evil[.]example/x").value == "https://evil.example/x"
    with pytest.raises(BadInput):
        detect("http://")


def test_ip_email_hash() -> None:
    assert detect("::ffff:192.0.2.1").value == "192.0.2.1"
    assert detect("2001:DB8::1").value == "2001:db8::1"
    assert detect("Recruiter@Example.COM").value == "recruiter@example.com"
    assert detect("D41D8CD98F00B204E9800998ECF8427E").type is IndicatorType.MD5
    assert detect("da39a3ee5e6b4b0d3255bfef95601890afd80709").type is IndicatorType.SHA1
    sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert detect(sha).type is IndicatorType.SHA256
    with pytest.raises(BadInput, match="sha1"):
        normalise(sha[:40], "md5")


def test_forced_type_and_garbage() -> None:
    assert detect("domain:example.org").type is IndicatorType.DOMAIN
    with pytest.raises(BadInput, match="unrecognised"):
        detect("hello")
    with pytest.raises(BadInput, match="unknown indicator type"):
        normalise("x", "colour")


def _host_by_trying_ip_first(host: str) -> Indicator | str:
    """What a URL's host is by definition: an IP when ipaddress reads it, else a domain (or the error)."""
    try:
        return normalise_ip(host)
    except BadInput:
        try:
            return normalise_domain(host)
        except BadInput as exc:
            return exc.one_line()


@settings(max_examples=400, deadline=None)
@given(st.text("0123456789.abcdefx-:%١", min_size=1, max_size=20))
def test_a_url_host_is_an_ip_exactly_when_ipaddress_reads_it(host: str) -> None:
    url = f"http://[{host}]/x" if ":" in host else f"http://{host}/x"
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return  # not a URL urlsplit reads: normalise_url reports it before any host is looked at
    if not hostname:
        return
    try:
        found: Indicator | str = url_host(parts, url)
    except BadInput as exc:
        found = exc.one_line()
    assert found == _host_by_trying_ip_first(hostname)


def test_url_hosts_that_are_addresses() -> None:
    assert normalise("http://192.168.0.1/login", IndicatorType.URL).value == "http://192.168.0.1/login"
    assert normalise("http://[::ffff:1.2.3.4]/", IndicatorType.URL).value == "http://1.2.3.4/"
    assert normalise("http://1.2.3.4.example/", IndicatorType.URL).value == "http://1.2.3.4.example/"
