"""Sender authentication: recorded results are read from the right header, and dkimpy verifies real signatures
against a key served by an injected DNS lookup (no network)."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import dkim
import pytest

from heistguard.config import MailConfig
from heistguard.mail.authentication import aligned_pass, recorded_results, verify_dkim
from heistguard.mail.context import MailContext
from heistguard.mail.rules import auth_failure, dkim_invalid
from tests.mail.build import mail, parsed


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """A fresh 2048-bit RSA key pair (PEM private key, DNS TXT record) made with openssl."""
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "key.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    der = subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    return Path(private).read_bytes(), b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def _signed(private: bytes, body: str = "Hi,\n\nthe term sheet is attached.\n") -> bytes:
    raw = mail(sender="Jane Doe <jane@acme-capital.com>", text=body)
    signature = dkim.sign(raw, b"s1", b"acme-capital.com", private, include_headers=[b"from", b"subject", b"to"])
    return signature + raw


def _dns(record: bytes) -> object:
    def lookup(name: bytes | str, timeout: int = 5) -> bytes | None:
        wanted = name.decode() if isinstance(name, bytes) else name
        return record if wanted.rstrip(".") == "s1._domainkey.acme-capital.com" else None

    return lookup


def test_valid_signature_verifies_and_rule_is_silent(signing_key: tuple[bytes, bytes]) -> None:
    private, record = signing_key
    raw = _signed(private)
    result = verify_dkim(raw, _dns(record))  # type: ignore[arg-type]
    assert result.signed and result.valid and result.domain == "acme-capital.com"
    ctx = MailContext(MailConfig(protected_domains=("acme-capital.com",)), dns=_dns(record))  # type: ignore[arg-type]
    assert dkim_invalid.check(parsed(raw), ctx) == []


def test_altered_body_fails_verification_and_rule_fires_high(signing_key: tuple[bytes, bytes]) -> None:
    private, record = signing_key
    raw = _signed(private).replace(b"term sheet", b"new wallet")
    ctx = MailContext(MailConfig(protected_domains=("acme-capital.com",)), dns=_dns(record))  # type: ignore[arg-type]
    (finding,) = dkim_invalid.check(parsed(raw), ctx)
    assert finding.rule_id == "mail.dkim-invalid"
    assert finding.severity.value == "high"  # a protected domain's signature that does not verify
    assert finding.evidence[0].location.logical == "header DKIM-Signature"


def test_dkim_is_not_checked_offline(signing_key: tuple[bytes, bytes]) -> None:
    private, _ = signing_key
    raw = _signed(private).replace(b"term sheet", b"new wallet")
    assert dkim_invalid.check(parsed(raw), MailContext(MailConfig())) == []


def test_only_the_topmost_receiver_is_believed() -> None:
    # A forged "pass" written by the sender sits below the receiving server's own header.
    raw = mail(
        headers=(
            ("Authentication-Results", "mx.acme-capital.com; dmarc=fail header.from=binance.com"),
            ("Authentication-Results", "forged.example; dmarc=pass header.from=binance.com"),
        )
    )
    recorded = recorded_results(parsed(raw))
    assert recorded is not None and [r.result for r in recorded.of("dmarc")] == ["fail"]
    (finding,) = auth_failure.check(parsed(raw), MailContext(MailConfig()))
    assert finding.severity.value == "high"


def test_trusted_authserv_id_picks_the_firms_own_header() -> None:
    raw = mail(
        headers=(
            ("Authentication-Results", "relay.example; dmarc=pass header.from=partner.example.org"),
            ("Authentication-Results", "mx.acme-capital.com; spf=fail smtp.mailfrom=partner.example.org"),
        )
    )
    recorded = recorded_results(parsed(raw), ("mx.acme-capital.com",))
    assert recorded is not None and [(r.method, r.result) for r in recorded.results] == [("spf", "fail")]


def test_list_forwarding_with_arc_pass_is_only_low() -> None:
    raw = mail(
        headers=(
            ("Authentication-Results", "mx.acme-capital.com; dmarc=fail header.from=gmail.com; arc=pass"),
            ("List-Id", "<dev.lists.example.org>"),
        )
    )
    (finding,) = auth_failure.check(parsed(raw), MailContext(MailConfig()))
    assert finding.severity.value == "low" and "ARC" in finding.title


@pytest.mark.parametrize(
    ("results", "vouched"),
    [
        ("mx.acme.com; dmarc=pass header.from=coinbase.com", True),
        # relaxed alignment: a signature of a sub-domain or the envelope of the same organisation vouches
        ("mx.acme.com; dkim=pass header.d=mail.coinbase.com; dmarc=none", True),
        ("mx.acme.com; spf=pass smtp.mailfrom=bounces@em.coinbase.com; dmarc=none", True),
        # a bulk mailer's own signature and envelope say nothing about the From domain
        ("mx.acme.com; dkim=pass header.d=sendgrid.net; spf=pass smtp.mailfrom=sendgrid.net; dmarc=none", False),
        ("mx.acme.com; dkim=fail header.d=coinbase.com; spf=none", False),
    ],
)
def test_aligned_pass_follows_dmarc_relaxed_alignment(results: str, vouched: bool) -> None:
    message = parsed(mail(sender="Coinbase <no-reply@coinbase.com>", headers=(("Authentication-Results", results),)))
    recorded = recorded_results(message)
    assert recorded is not None
    assert aligned_pass(recorded, "coinbase.com") is vouched
