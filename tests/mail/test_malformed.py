"""Hostile and broken input never stops a batch: each bad message gets a verdict (or a clear error) and the rest
is triaged."""

from __future__ import annotations

import base64
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heistguard.config import MailConfig
from heistguard.mail.context import MailContext
from heistguard.mail.sources import MailItem, iter_paths
from heistguard.mail.triage import triage
from tests.conftest import FIXTURES
from tests.mail.build import mail

CONTEXT = MailContext(MailConfig())
SEED = (FIXTURES / "mail" / "real" / "phishing-mailgun-api-key.eml").read_bytes()


def _verdict(raw: bytes, name: str = "m.eml") -> str:
    verdict = triage(MailItem(name, raw), CONTEXT)
    assert verdict.verdict in ("phishing", "suspicious", "clean", "error")
    return verdict.verdict


def test_truncated_mime() -> None:
    raw = mail(html="<p>x</p>", attachments=(("a.pdf", b"%PDF-1.4" * 100),))
    assert _verdict(raw[: len(raw) // 2]) != "error"


def test_bad_charset_and_bad_base64() -> None:
    raw = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: =?x-unknown-charset?B?@@@?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64 at all===\r\n"
    )
    assert _verdict(raw) != "error"


def test_fifty_megabyte_attachment() -> None:
    big = base64.encodebytes(b"\x00" * (50 * 1024 * 1024))
    raw = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n'
        b'Content-Type: application/octet-stream; name="disk.img"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + big
        + b"\r\n--b--\r\n"
    )
    assert _verdict(raw) != "error"


def test_message_rfc822_nested_100_deep() -> None:
    raw = mail(subject="innermost")
    for depth in range(100):
        head = (
            f"From: a{depth}@example.org\r\nTo: b@example.org\r\nSubject: fwd {depth}\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="n{depth}"\r\n\r\n'
            f"--n{depth}\r\nContent-Type: message/rfc822\r\n\r\n"
        )
        raw = head.encode() + raw + f"\r\n--n{depth}--\r\n".encode()
    assert _verdict(raw) != "error"


def test_batch_carries_on_past_a_non_mail_file(tmp_path: Path) -> None:
    (tmp_path / "1.eml").write_bytes(mail(subject="first"))
    (tmp_path / "2.bin").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "3.eml").write_bytes(mail(subject="third"))
    verdicts = [triage(item, CONTEXT) for item in iter_paths([tmp_path])]
    assert [v.verdict for v in verdicts] == ["clean", "error", "clean"]
    assert verdicts[1].error is not None and "2.bin" in verdicts[1].error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(SEED)), st.binary(max_size=40)), max_size=6),
    truncate=st.integers(1, len(SEED)),
)
def test_mutated_messages_never_raise(cuts: list[tuple[int, bytes]], truncate: int) -> None:
    raw = bytearray(SEED[:truncate])
    for position, junk in cuts:
        raw[position:position] = junk
    _verdict(bytes(raw))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _verdict(b"From: a@example.org\r\nSubject: x\r\n" + data)
