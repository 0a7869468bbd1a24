"""Outlook .msg files read from their MAPI properties: real files from Apache POI, files built property by
property, and broken ones that must each be one clear error."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heistguard.cli import main
from heistguard.mail.message import Address, parse_message
from heistguard.mail.outlook import (
    MAX_EMBEDDED_DEPTH,
    OutlookAttachment,
    OutlookMessage,
    OutlookMessageError,
    OutlookSender,
    as_rfc822,
    msg_to_rfc822,
)
from heistguard.mail.outlook_rtf import decompress_rtf, text_of_rtf
from heistguard.mail.sources import iter_paths, looks_like_mail, read_msg
from tests.conftest import FIXTURES
from tests.mail.build import mail
from tests.mail.cfb import Tree, build_cfb

QUICK = FIXTURES / "mail" / "quick.msg"  # Outlook 2003 via Exchange, no transport headers, sender stored as X.500
WITH_HEADERS = FIXTURES / "mail" / "attachment_msg_pdf.msg"
EXCHANGE_ONLY = FIXTURES / "mail" / "53784_fails.msg"  # internal Exchange mail: the sender has no SMTP address anywhere
DRAFT = FIXTURES / "mail" / "blank.msg"  # an unsent Outlook draft: no sender at all


def unicode(pid: str, text: str) -> dict[str, Tree | bytes]:
    return {f"__substg1.0_{pid}001F": text.encode("utf-16-le")}


def properties(header: int, integers: dict[int, int] | None = None, times: dict[int, int] | None = None) -> bytes:
    """A __properties_version1.0 stream: its header, then 16 bytes per fixed-size property."""
    rows = [struct.pack("<HHIq", 0x0003, pid, 2, value) for pid, value in (integers or {}).items()]
    rows += [struct.pack("<HHIQ", 0x0040, pid, 2, value) for pid, value in (times or {}).items()]
    return bytes(header) + b"".join(rows)


def message_tree(subject: str, body: str, header: int = 32, **more: Tree | bytes) -> Tree:
    tree: Tree = {
        "__properties_version1.0": properties(header),
        **unicode("001A", "IPM.Note"),
        **unicode("0037", subject),
        **unicode("0C1A", "Aiko Tanaka"),
        **unicode("5D01", "aiko.tanaka@partner.example.org"),
        **unicode("1000", body),
    }
    tree.update(more)
    return tree


def nested(depth: int) -> Tree:
    """A message at level `depth` whose attachment is a message whose attachment is a message ..., down to
    level MAX_EMBEDDED_DEPTH + 1."""
    tree = message_tree(f"level {depth}", f"text at level {depth}", header=24 if depth else 32)
    if depth < MAX_EMBEDDED_DEPTH + 1:
        inner = nested(depth + 1)
        tree["__attach_version1.0_#00000000"] = {
            "__properties_version1.0": properties(8, {0x3705: 5}),
            **unicode("3001", f"forwarded {depth + 1}"),
            "__substg1.0_3701000D": inner,
        }
    return tree


def test_msg_without_transport_headers_keeps_its_subject_and_sender() -> None:
    item = read_msg(QUICK)
    assert item.error is None and looks_like_mail(item.raw)
    message = parse_message(item.raw, item.name)
    assert message.subject == "Test the content transformer"
    # The sender is stored as an Exchange X.500 name; the same mailbox among the recipients gives its SMTP address.
    assert message.sender_from == Address("Kevin Roast", "kevin.roast@alfresco.org")
    assert message.header("To") == "Kevin Roast <kevin.roast@alfresco.org>"
    assert message.header("Message-ID") == "<B17B1CFF4282214AB8BAADDDC20711220E0C025E@THHS2EXBE1X.hostedservice2.net>"
    assert message.header("Date") == "Thu, 14 Jun 2007 09:42:53 +0000"
    assert "The quick brown fox jumps over the lazy dog" in message.text
    assert item.stored == QUICK.read_bytes()


def test_msg_without_transport_headers_is_not_called_phishing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quick.msg"
    shutil.copy(QUICK, path)
    assert main(["mail", "triage", "-f", "json", str(path)]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert row["verdict"] == "clean"
    assert not [f for f in row["findings"] if f["rule_id"] == "mail.invalid-sender"]


def triage_rows(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    main(["mail", "triage", "-f", "json", *map(str, paths)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return {Path(row["input"]).name: row for row in rows}


def rule_titles(row: dict[str, object], rule_id: str) -> list[str]:
    findings = row["findings"]
    assert isinstance(findings, list)
    return [f["title"] for f in findings if f["rule_id"] == rule_id]


def test_exchange_sender_is_shown_as_what_it_is() -> None:
    item = read_msg(EXCHANGE_ONLY)
    message = parse_message(item.raw, item.name, outlook_sender=item.outlook_sender)
    assert message.sender_from == Address("PA History Mailbox", "")  # the name kept, no SMTP address invented
    dn = "/O=GOV+DOS/OU=PUBAFFF/CN=RECIPIENTS/CN=PAHISTOFF"
    assert message.header("X-HeistGuard-Exchange-Sender") == dn
    assert item.outlook_sender == OutlookSender(exchange_dn=dn)
    assert message.header("X-HeistGuard-Unsent") is None


def test_an_unsent_draft_is_recognisable() -> None:
    item = read_msg(DRAFT)
    message = parse_message(item.raw, item.name)
    assert message.header("From") is None
    assert message.header("X-HeistGuard-Unsent") == "a draft (its message flags say unsent)"
    assert item.outlook_sender == OutlookSender(unsent="a draft (its message flags say unsent)")


def test_exchange_sender_and_draft_are_not_called_forged_but_the_same_bytes_as_eml_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for source in (EXCHANGE_ONLY, DRAFT):
        shutil.copy(source, tmp_path / source.name)
        # The rebuilt message, X-HeistGuard fields and all, handed in as an .eml: nothing vouches for it.
        (tmp_path / f"{source.stem}.eml").write_bytes(read_msg(source).raw)
    rows = triage_rows(sorted(tmp_path.iterdir()), capsys)
    assert rows["53784_fails.msg"]["verdict"] == "clean" and rows["blank.msg"]["verdict"] == "clean"
    assert not rule_titles(rows["53784_fails.msg"], "mail.invalid-sender")
    assert not rule_titles(rows["blank.msg"], "mail.invalid-sender")
    assert rule_titles(rows["53784_fails.eml"], "mail.invalid-sender") == ["From has no address"]
    assert rule_titles(rows["blank.eml"], "mail.invalid-sender") == ["the message has no From header"]


def test_a_protected_name_on_an_exchange_mailbox_is_not_impersonation_but_the_same_eml_is() -> None:
    from heistguard.config import MailConfig
    from heistguard.mail.context import MailContext
    from heistguard.mail.rules import display_name_impersonation

    # The firm protects the name its own Exchange directory gives the sender: internal mail, not a lookalike.
    context = MailContext(MailConfig(protected_names=("PA History Mailbox",)))
    item = read_msg(EXCHANGE_ONLY)
    internal = parse_message(item.raw, item.name, outlook_sender=item.outlook_sender)
    assert display_name_impersonation.check(internal, context) == []
    as_eml = parse_message(item.raw, "53784_fails.eml")  # the same bytes with nothing to vouch for the sender
    (finding,) = display_name_impersonation.check(as_eml, context)
    assert "there is no sender address" in finding.title


def sender_tree(**more: Tree | bytes) -> Tree:
    """A sent message (it has a submit time) whose sender is given by `more` alone."""
    tree = message_tree("Wire instructions", "Please confirm the new wallet address today.")
    for pid in ("0C1A", "5D01"):
        del tree[f"__substg1.0_{pid}001F"]
    tree["__properties_version1.0"] = properties(32, times={0x0039: 133_000_000_000_000_000})
    tree.update(more)
    return tree


def test_a_msg_sender_without_address_that_is_not_exchange_still_fires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exchange = {**unicode("0C1A", "Treasury"), **unicode("0C1E", "EX"), **unicode("0C1F", "/o=Acme/cn=Treasury")}
    cases: dict[str, Tree] = {
        "exchange.msg": sender_tree(**exchange),
        "name-only.msg": sender_tree(**unicode("0C1A", "Treasury")),
        # EX in name only: the stored address is not an X.500 name
        "fake-ex.msg": sender_tree(**{**exchange, **unicode("0C1F", "treasury")}),
        # An Exchange sender whose transport headers give a From under no public suffix is judged on that From.
        "ex-bad-domain.msg": sender_tree(**exchange, **unicode("007D", "From: Treasury <treasury@acme>\r\n")),
    }
    for name, tree in cases.items():
        (tmp_path / name).write_bytes(build_cfb(tree))
    rows = triage_rows(sorted(tmp_path.iterdir()), capsys)
    assert not rule_titles(rows["exchange.msg"], "mail.invalid-sender")
    # Transport headers cannot bring the reader's own fields: they are dropped, only the properties speak.
    forged = sender_tree(
        **unicode("0C1A", "Treasury"),
        **unicode("5D01", "treasury@acme-capital.com"),
        **unicode("007D", "X-HeistGuard-Exchange-Sender: /o=Acme/cn=Treasury\r\nX-HeistGuard-Unsent: a draft\r\n"),
    )
    assert b"X-HeistGuard" not in msg_to_rfc822(build_cfb(forged))
    assert rule_titles(rows["name-only.msg"], "mail.invalid-sender") == ["From has no address"]
    assert rule_titles(rows["fake-ex.msg"], "mail.invalid-sender") == ["From has no address"]
    assert rule_titles(rows["ex-bad-domain.msg"], "mail.invalid-sender") == [
        "the sender's domain 'acme' is under no public suffix"
    ]


def test_transport_headers_are_kept_and_the_old_body_structure_dropped() -> None:
    raw = msg_to_rfc822(WITH_HEADERS.read_bytes())
    head = raw.split(b"\n\n", 1)[0]
    assert head.startswith(b"Received: from Stitch.pof.com.au")
    assert b"Content-Transfer-Encoding: binary" not in head  # described the Exchange body, not the rebuilt one
    assert head.count(b"\nFrom: ") == 1 and head.count(b"\nContent-Type: ") == 1


def test_message_built_property_by_property() -> None:
    html = "<p>Пожалуйста, <a href='https://partner.example.org/q3'>отчёт</a></p>".encode("cp1251")
    tree = message_tree(
        "ignored",
        "Please find the Q3 report attached.",
        **{
            "__properties_version1.0": properties(32, {0x3FFD: 1251, 0x3FDE: 1251}, {0x0039: 133_000_000_000_000_000}),
            "__substg1.0_0037001E": "Отчёт за квартал".encode("cp1251"),  # an 8-bit string in the message's code page
            "__substg1.0_10130102": html,
            **unicode("0042", "Finance Team"),
            **unicode("5D02", "finance@partner.example.org"),
            **unicode("1035", "<q3.report@partner.example.org>"),
            "__recip_version1.0_#00000000": {
                "__properties_version1.0": properties(8, {0x0C15: 1}),
                **unicode("3001", "Ops"),
                **unicode("39FE", "ops@example.com"),
            },
            "__recip_version1.0_#00000001": {
                "__properties_version1.0": properties(8, {0x0C15: 2}),
                **unicode("3001", "Legal"),
                **unicode("3002", "SMTP"),
                **unicode("3003", "legal@example.com"),
            },
            "__attach_version1.0_#00000000": {
                "__properties_version1.0": properties(8, {0x3705: 1}),
                **unicode("3707", "Q3 report.pdf.lnk"),
                **unicode("370E", "application/octet-stream"),
                "__substg1.0_37010102": b"L\x00\x00\x00\x01\x14\x02\x00" + bytes(68),
            },
        },
    )
    del tree["__substg1.0_0037001F"]
    message = parse_message(msg_to_rfc822(build_cfb(tree)), "built.msg")
    assert message.subject == "Отчёт за квартал"
    # Sent by Aiko on behalf of the finance team: From is the team, Sender the mailbox that sent it.
    assert message.sender_from == Address("Finance Team", "finance@partner.example.org")
    assert message.sender == Address("Aiko Tanaka", "aiko.tanaka@partner.example.org")
    assert message.header("To") == "Ops <ops@example.com>" and message.header("Cc") == "Legal <legal@example.com>"
    assert message.header("Message-ID") == "<q3.report@partner.example.org>"
    assert message.header("Date") == "Sat, 18 Jun 2022 04:26:40 +0000"
    assert "Please find the Q3 report" in message.text and "отчёт" in message.html
    assert [(link.url, link.anchor) for link in message.links if link.where == "html body"] == [
        ("https://partner.example.org/q3", "отчёт")
    ]
    (lnk,) = message.attachments
    assert lnk.name == "Q3 report.pdf.lnk" and lnk.data.startswith(b"L\x00\x00\x00")


def test_8bit_strings_follow_the_locale_when_no_code_page_is_named() -> None:
    tree = message_tree("ignored", "", **{"__properties_version1.0": properties(32, {0x3FF1: 0x0404, 0x3FDE: 20127})})
    del tree["__substg1.0_0037001F"]
    tree["__substg1.0_0037001E"] = "季度報告".encode("cp950")  # Taiwan locale: Big5, although the bodies are ASCII
    assert parse_message(msg_to_rfc822(build_cfb(tree)), "big5.msg").subject == "季度報告"


def test_compressed_rtf_example_of_the_specification() -> None:
    # MS-OXRTFCP section 3.1.1.1.2, the compressed form of a one-line RTF document.
    compressed = bytes.fromhex(
        "2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0"
    )
    assert decompress_rtf(compressed) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"


def test_html_kept_only_inside_the_compressed_rtf_is_read() -> None:
    message = parse_message(msg_to_rfc822(WITH_HEADERS.read_bytes()), "x.msg")  # it has no PidTagHtml
    assert "<p class=MsoNormal>Test email with 1 msg attachment, 1 pdf<o:p></o:p></p>" in message.html


def test_encapsulated_html_keeps_its_links_and_drops_rtf_only_text() -> None:
    rtf = (
        b"{\\rtf1\\ansi\\ansicpg1251\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
        b"{\\*\\htmltag19 <html><body>}\\htmlrtf {\\b written for RTF readers only}\\htmlrtf0 "
        b"{\\*\\htmltag84 <a href=\"https://login.example-wallet.net/verify\">}\\'cf\\'f0\\'e8\\u8364?"
        b"{\\*\\htmltag92 </a>}\\par \\{ok\\}{\\*\\htmltag27 </body></html>}}"
    )
    stream = struct.pack("<IIII", len(rtf) + 12, len(rtf), 0x414C454D, 0) + rtf  # stored uncompressed ("MELA")
    tree = message_tree("x", "", **{"__substg1.0_10090102": stream})
    message = parse_message(msg_to_rfc822(build_cfb(tree)), "rtf.msg")
    assert [(link.url, link.anchor) for link in message.links] == [("https://login.example-wallet.net/verify", "При€")]
    assert "{ok}" in message.text and "RTF readers" not in message.text + message.html


def test_a_file_packaged_as_an_ole_object_is_an_attachment() -> None:
    script = b"var shell = new ActiveXObject('WScript.Shell');\r\n"
    # An OLE Packager object (MS-OLEDS OLENativeStream): size, flags, label, source path, temp path, data.
    body = b"\x02\x00invoice.pdf.js\x00C:\\tmp\\invoice.pdf.js\x00" + bytes(8) + b"C:\\tmp\\invoice.pdf.js\x00"
    body += struct.pack("<I", len(script)) + script
    tree = message_tree(
        "invoice",
        "Please open the attached invoice.",
        **{
            "__attach_version1.0_#00000000": {
                "__properties_version1.0": properties(8, {0x3705: 6}),  # afOLE
                **unicode("3001", "Package"),
                "__substg1.0_3701000D": {"\x01Ole10Native": struct.pack("<I", len(body)) + body, "\x01CompObj": b"x"},
            }
        },
    )
    (packaged,) = parse_message(msg_to_rfc822(build_cfb(tree)), "ole.msg").attachments
    assert packaged.name == "invoice.pdf.js" and packaged.data == script


def test_attached_messages_are_read_down_to_the_depth_limit_and_deeper_is_an_error() -> None:
    allowed = nested(1)  # the deepest attached message sits MAX_EMBEDDED_DEPTH levels down
    allowed["__properties_version1.0"] = properties(32)
    message = parse_message(msg_to_rfc822(build_cfb(allowed)), "nested.msg")
    assert f"text at level {MAX_EMBEDDED_DEPTH + 1}" in message.text
    with pytest.raises(OutlookMessageError, match=f"nested more than {MAX_EMBEDDED_DEPTH} deep"):
        msg_to_rfc822(build_cfb(nested(0)))


def test_streams_that_share_sectors_cannot_expand_a_small_file() -> None:
    payload = b"%PDF-1.4\n" + bytes(8000)
    attachments: Tree = {
        f"__attach_version1.0_#{n:08X}": {f"__substg1.0_3701{n:04X}": payload if n == 0 else b"x"} for n in range(8)
    }
    tree = message_tree("invoice", "see attached", **attachments)
    data = bytearray(build_cfb(tree))
    # Name every attachment's stream as data (PidTagAttachDataBinary) and start the n-th one n sectors into the
    # first one's chain, as a hostile file would (olefile itself refuses two streams with the same start).
    first = data.index("__substg1.0_37010000".encode("utf-16-le"))
    (start,) = struct.unpack_from("<I", data, first + 116)
    for n in range(8):
        at = data.index(f"__substg1.0_3701{n:04X}".encode("utf-16-le"))
        data[at + 32 : at + 40] = "0102".encode("utf-16-le")
        struct.pack_into("<IQ", data, at + 116, start + n, len(payload) - 512 * n)
    with pytest.raises(OutlookMessageError, match="past the file's size"):
        msg_to_rfc822(bytes(data))


def test_broken_outlook_files_are_each_one_clear_error_and_the_batch_carries_on(tmp_path: Path) -> None:
    data = WITH_HEADERS.read_bytes()
    (tmp_path / "truncated.msg").write_bytes(data[: len(data) // 3])
    (tmp_path / "magic-then-noise.msg").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(range(256)) * 8)
    (tmp_path / "presentation.msg").write_bytes(
        (FIXTURES / "artifacts" / "macros" / "sample_with_vba.ppt").read_bytes()
    )
    (tmp_path / "word.msg").write_bytes(build_cfb({"WordDocument": b"\xec\xa5" + bytes(600), "1Table": bytes(100)}))
    contact = message_tree("Jane Doe", "", **unicode("001A", "IPM.Contact"))
    (tmp_path / "contact.msg").write_bytes(build_cfb(contact))
    (tmp_path / "zz-good.eml").write_bytes(mail(subject="still triaged"))
    items = {Path(item.name).name: item for item in iter_paths([tmp_path])}
    assert items["zz-good.eml"].error is None
    why = {name: item.error or "" for name, item in items.items() if name.endswith(".msg")}
    for name, error in why.items():
        assert error.startswith(f"cannot read Outlook message {tmp_path / name}: "), error
        assert "\n" not in error
    assert "Compound File" in why["truncated.msg"] and "Compound File" in why["magic-then-noise.msg"]
    assert "not an Outlook message" in why["presentation.msg"] and "not an Outlook message" in why["word.msg"]
    assert "an Outlook contact (IPM.Contact), not a mail message" in why["contact.msg"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cuts=st.lists(st.tuples(st.integers(0, 17919), st.binary(min_size=1, max_size=8)), min_size=1, max_size=6),
    truncate=st.integers(512, 17920),
)
def test_mutated_msg_files_never_raise(tmp_path: Path, cuts: list[tuple[int, bytes]], truncate: int) -> None:
    data = bytearray(QUICK.read_bytes())
    for offset, patch in cuts:
        data[offset : offset + len(patch)] = patch
    path = tmp_path / "mutated.msg"
    path.write_bytes(bytes(data[:truncate]))
    item = read_msg(path)
    assert (item.error is None) == looks_like_mail(item.raw)


text = st.text(max_size=60)


@settings(max_examples=80, deadline=None)
@given(
    subject=text,
    name=text,
    address=text,
    body=st.text(max_size=300),
    html=st.text(max_size=300),
    filename=text,
    headers=st.text(max_size=200),
)
def test_any_property_values_are_written_as_mail(
    subject: str, name: str, address: str, body: str, html: str, filename: str, headers: str
) -> None:
    message = OutlookMessage(
        transport_headers=headers,
        subject=subject,
        sender=(name, address),
        to=((name, address),),
        message_id=address,
        text=body,
        html=html,
        attachments=(OutlookAttachment(filename, "text/plain", body.encode("utf-8")),),
    )
    parsed = parse_message(as_rfc822(message), "any.msg")
    assert len(parsed.attachments) == 1
    if "subject" not in headers.lower() and "=?" not in subject and subject.isprintable():
        assert parsed.subject == " ".join(subject.split())


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), rtf=st.text(alphabet="{}\\*'0123456789abcdefu htmltag rtfcp-?\r\n", max_size=300))
def test_any_rtf_stream_is_read_without_raising(data: bytes, rtf: str) -> None:
    for stream in (data, b"LZFu" + data, struct.pack("<IIII", len(data) + 12, 9999, 0x75465A4C, 0) + data):
        decompress_rtf(stream)
    text_of_rtf(b"{\\rtf1\\fromhtml1 " + rtf.encode() + data)
