"""Encrypted archive members: real ZipCrypto, WinZip AES, 7z and RAR archives (tests/fixtures/artifacts/encrypted)
are reported by name and size as `artifacts.encrypted-member`; plain archives are opened and scanned as before.
Also the walk's listing mode (`Limits.member_head`) that the mail guard uses."""

from __future__ import annotations

import io
import os
import zipfile

from hypothesis import example, given, settings
from hypothesis import strategies as st

from heistguard.artifacts.filetype import FileType, Kind, identify
from heistguard.artifacts.rar import RAR5_SIGNATURE, read_rar
from heistguard.artifacts.scanner import Scanner
from heistguard.artifacts.walk import ENCRYPTED, Limits, Member, Problem, walk_bytes
from heistguard.findings import Severity
from tests.artifacts.bombs import MiB, zeros_zip
from tests.artifacts.build import vint, zip_of
from tests.conftest import FIXTURES

ENCRYPTED_DIR = FIXTURES / "artifacts" / "encrypted"
LOADER = b"const s = Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString();\neval(s);\n"
HEAD = Limits(member_head=4096)


def _encrypted(items: list[Member | Problem]) -> dict[str, Problem]:
    return {i.path: i for i in items if isinstance(i, Problem) and i.kind == ENCRYPTED}


def _fixture(name: str) -> bytes:
    return (ENCRYPTED_DIR / name).read_bytes()


def test_zipcrypto_members_are_named_with_size_and_what_the_name_claims(scanner: Scanner) -> None:
    data = _fixture("zipcrypto.zip")
    # A real archive: the password opens it.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"inert test file" in archive.read("task/setup.js", pwd=b"Tokyo2025")
    found = _encrypted(list(walk_bytes("task.zip", data)))
    assert set(found) == {"task.zip!task/README.md", "task.zip!task/setup.js"}
    script = found["task.zip!task/setup.js"]
    assert script.size == 70 and "ZipCrypto" in script.detail and "a script" in script.detail
    assert "the name says" not in found["task.zip!task/README.md"].detail
    findings = scanner.scan_bytes("task.zip", data).findings
    by_path = {f.evidence[0].location.path: f for f in findings if f.rule_id == "artifacts.encrypted-member"}
    assert by_path["task.zip!task/setup.js"].severity is Severity.MEDIUM
    assert by_path["task.zip!task/README.md"].severity is Severity.LOW
    assert not any(f.rule_id == "artifacts.unreadable-file" for f in findings)


def test_winzip_aes_members_are_encrypted_members() -> None:
    found = _encrypted(list(walk_bytes("invoice.zip", _fixture("aes256.zip"))))
    assert set(found) == {"invoice.zip!Invoice.pdf.exe", "invoice.zip!figures.txt"}
    exe = found["invoice.zip!Invoice.pdf.exe"].detail
    assert "WinZip AES-256" in exe and "an executable" in exe


def test_plain_archive_has_no_encrypted_member_and_is_scanned(scanner: Scanner) -> None:
    data = zip_of({"task/README.md": b"# Coding task\n", "task/setup.js": LOADER})
    assert _encrypted(list(walk_bytes("task.zip", data))) == {}
    ids = {f.rule_id for f in scanner.scan_bytes("task.zip", data).findings}
    assert "artifacts.js-decoded-exec" in ids and "artifacts.encrypted-member" not in ids


def test_encrypted_member_of_a_nested_archive_keeps_its_place() -> None:
    outer = zip_of({"deliver/task.zip": _fixture("zipcrypto.zip")}, zipfile.ZIP_STORED)
    assert "mail.zip!deliver/task.zip!task/setup.js" in _encrypted(list(walk_bytes("mail.zip", outer)))


def test_7z_encryption_is_read_from_its_end_header(scanner: Scanner) -> None:
    hidden = _fixture("headers-encrypted.7z")
    assert identify(hidden).detail == "encrypted, names hidden"
    # Only the head and the last 512 bytes, as the walk reads a large file.
    assert identify(hidden[:64], len(hidden), hidden[-512:]).detail == "encrypted, names hidden"
    assert identify(_fixture("content-encrypted.7z")).detail == "encrypted"
    plain = identify(_fixture("plain.7z"))
    assert plain.kind is Kind.SEVENZIP and plain.detail == ""
    assert set(_encrypted(list(walk_bytes("x.7z", hidden)))) == {"x.7z"}
    assert _encrypted(list(walk_bytes("x.7z", _fixture("plain.7z")))) == {}
    ids = {f.rule_id for f in scanner.scan_bytes("plain.7z", _fixture("plain.7z")).findings}
    assert "artifacts.encrypted-member" not in ids


def test_7z_with_a_packed_file_list_is_unpacked_to_find_the_aes_coder() -> None:
    encrypted = _fixture("compressed-header-encrypted.7z")
    assert identify(encrypted).detail == "encrypted"
    assert identify(_fixture("compressed-header-plain.7z")).detail == ""
    assert set(_encrypted(list(walk_bytes("x.7z", encrypted)))) == {"x.7z"}
    # Inside a ZIP, in listing mode too (a 7z member is read whole to be typed).
    outer = zip_of({"task.7z": encrypted, "plain.7z": _fixture("compressed-header-plain.7z")})
    assert set(_encrypted(list(walk_bytes("a.zip", outer, HEAD)))) == {"a.zip!task.7z"}
    # A header claiming a 4 GiB dictionary does not make the reader allocate one.
    coder = encrypted.find(bytes.fromhex("030101055d"))  # the LZMA coder id, 5 property bytes, lc/lp/pb
    greedy = encrypted[: coder + 5] + b"\xff\xff\xff\xff" + encrypted[coder + 9 :]
    assert identify(greedy).detail == "encrypted"
    # A header that lies about its packed list is just an untold 7z.
    broken = encrypted[:40] + bytes(len(encrypted) - 80) + encrypted[-40:]
    assert identify(broken).kind is Kind.SEVENZIP and identify(broken).detail == ""


def _rar5_header(kind: int, fields: bytes, extra: bytes = b"", data: bytes = b"") -> bytes:
    """One RAR 5 header as the format describes it (CRC left zero: the reader does not need it), then its data."""
    flags = (1 if extra else 0) | (2 if data else 0)
    body = vint(kind) + vint(flags) + (vint(len(extra)) if extra else b"") + (vint(len(data)) if data else b"")
    body += fields + extra
    return bytes(4) + vint(len(body)) + body + data


def _rar5_file(name: str, data: bytes, encrypted: bool) -> bytes:
    # file flags, unpacked size, attributes, compression info (stored), host OS, name length, name
    raw = name.encode()
    fields = vint(0) + vint(len(data)) + vint(0x20) + vint(0) + vint(0) + vint(len(raw)) + raw
    # extra record 0x01, file encryption: version, flags, KDF count, salt, IV
    record = vint(0x01) + vint(0) + vint(0) + bytes([15]) + bytes(16) + bytes(16)
    return _rar5_header(2, fields, vint(len(record)) + record if encrypted else b"", data)


def test_rar_file_encryption_is_read_from_rar4_and_rar5_headers(scanner: Scanner) -> None:
    for name, version in (("rar3-comment-psw.rar", 4), ("rar5-psw.rar", 5)):
        data = _fixture(name)
        assert identify(data) == FileType(Kind.RAR, "RAR archive", "encrypted")
        found = _encrypted(list(walk_bytes(name, data)))
        members = ("file1.txt", "file2.txt") if version == 4 else ("stest1.txt", "stest2.txt")
        assert set(found) == {f"{name}!{member}" for member in members}
        assert all(f"password-protected RAR {version} member" in p.detail for p in found.values())
        findings = scanner.scan_bytes(name, data).findings
        assert sum(f.rule_id == "artifacts.encrypted-member" for f in findings) == 2
    assert found["rar5-psw.rar!stest1.txt"].size == 2048


def test_rar_with_encrypted_headers_is_one_encrypted_archive() -> None:
    for name, version in (("rar3-comment-hpsw.rar", 4), ("rar5-hpsw.rar", 5)):
        data = _fixture(name)
        assert identify(data).detail == "encrypted, names hidden"
        (problem,) = _encrypted(list(walk_bytes(name, data))).values()
        assert problem.path == name and f"RAR {version} archive with encrypted headers" in problem.detail


def test_plain_rar_is_not_encrypted(scanner: Scanner) -> None:
    for name in ("rar3-comment-plain.rar", "rar5-solid.rar"):
        data = _fixture(name)
        assert identify(data) == FileType(Kind.RAR, "RAR archive", "")
        assert _encrypted(list(walk_bytes(name, data))) == {}
        assert not any(f.rule_id == "artifacts.encrypted-member" for f in scanner.scan_bytes(name, data).findings)


def test_rar_members_after_a_plain_one_and_inside_a_zip_are_read() -> None:
    # A plain member first, then an encrypted one named as a program.
    data = (
        RAR5_SIGNATURE
        + _rar5_file("photos/big.bin", os.urandom(30_000), encrypted=False)
        + _rar5_file("Invoice.pdf.exe", b"\x00" * 64, encrypted=True)
        + _rar5_header(5, vint(0))
    )
    assert identify(data).detail == "encrypted"
    (problem,) = _encrypted(list(walk_bytes("task.rar", data))).values()
    assert problem.path == "task.rar!Invoice.pdf.exe" and "an executable" in problem.detail
    assert identify(data[:-200]).kind is Kind.RAR  # cut short: still a RAR, what was read stands
    # Listing mode, inside a ZIP (how the mail guard reads an attachment).
    outer = zip_of({"task.rar": data, "hidden.rar": _fixture("rar5-hpsw.rar")})
    assert set(_encrypted(list(walk_bytes("a.zip", outer, HEAD)))) == {
        "a.zip!task.rar!Invoice.pdf.exe",
        "a.zip!hidden.rar",
    }


def test_rar_header_reading_is_bounded_by_the_member_limit() -> None:
    encrypted = _fixture("rar3-comment-psw.rar")
    # 100,000 empty 7-byte blocks (type 0x75, an old comment block) before the real headers.
    padded = encrypted[:7] + bytes([0, 0, 0x75, 0, 0, 7, 0]) * 100_000 + encrypted[7:]
    whole = read_rar(padded)
    assert whole is not None and whole.complete and whole.encryption == "encrypted"
    bounded = read_rar(padded, max_entries=1000)  # reads at most a few headers per allowed member
    assert bounded is not None and not bounded.complete and bounded.entries == ()


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["rar3-comment-psw.rar", "rar5-psw.rar", "rar5-solid.rar", "rar3-comment-hpsw.rar"]),
    st.lists(st.tuples(st.integers(0, 2500), st.binary(min_size=1, max_size=8)), max_size=6),
    st.integers(8, 2600),
)
def test_corrupted_rar_headers_never_raise(name: str, edits: list[tuple[int, bytes]], cut: int) -> None:
    data = bytearray(_fixture(name))
    for position, junk in edits:
        at = 8 + position % (len(data) - 8)  # past the signature: still a RAR
        data[at : at + len(junk)] = junk
    headers = read_rar(bytes(data[:cut]) if cut > 8 else bytes(data))
    assert headers is not None and headers.version in (4, 5)
    for item in walk_bytes("x.rar", bytes(data)):
        assert isinstance(item, Member | Problem)


def test_listing_mode_reads_heads_and_opens_nested_archives() -> None:
    big = os.urandom(300_000)  # incompressible: no bomb, but far more than a head
    data = zip_of({"photo.bin": b"\x89PNG\r\n\x1a\n" + big, "inner.zip": zip_of({"setup.exe": b"MZ" + b"\0" * 500})})
    members = {i.inner: i for i in walk_bytes("a.zip", data, HEAD) if isinstance(i, Member)}
    photo = members["a.zip!photo.bin"]
    assert len(photo.data) == 4096 and photo.size == len(big) + 8 and photo.filetype.kind is Kind.IMAGE
    assert members["a.zip!inner.zip!setup.exe"].filetype.kind is Kind.PE
    # Unidentified data also gets its last 512 bytes: a disk image is only known by its end.
    dmg = os.urandom(20_000) + b"koly" + b"\0" * 508
    (member,) = [i for i in walk_bytes("b.zip", zip_of({"x.dat": dmg}), HEAD) if isinstance(i, Member) and i.depth]
    assert member.filetype.kind is Kind.DMG and len(member.data) == 4096


def test_listing_mode_types_a_large_document_or_jar_inside_by_its_central_directory() -> None:
    padding = b"\x89PNG\r\n\x1a\n" + os.urandom(100_000)  # past the 4 KiB head and 64 KiB alike
    docx = zip_of(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", "word/media/a.png": padding}
    )
    jar = zip_of({"META-INF/MANIFEST.MF": b"Main-Class: a.Main\n", "a/res.png": padding})
    items = [i for i in walk_bytes("a.zip", zip_of({"r.docx": docx, "tool.jar": jar}), HEAD) if isinstance(i, Member)]
    kinds = {i.inner: i.filetype.kind for i in items if i.depth}
    assert kinds["a.zip!r.docx"] is Kind.OOXML and kinds["a.zip!tool.jar"] is Kind.JAR
    assert not any(name.startswith("a.zip!r.docx!") for name in kinds)  # a document is not unpacked
    assert "a.zip!tool.jar!META-INF/MANIFEST.MF" in kinds


def test_listing_mode_names_a_bomb_and_lists_what_follows_it() -> None:
    bomb = zeros_zip("zeros.bin", 150 * MiB, after={"setup.exe": b"MZ" + b"\0" * 500})
    items = list(walk_bytes("bomb.zip", bomb, HEAD))
    problems = [(i.kind, i.path, i.size) for i in items if isinstance(i, Problem)]
    assert problems == [("archive-bomb", "bomb.zip!zeros.bin", 150 * MiB)]
    assert [i.inner for i in items if isinstance(i, Member) and i.depth] == ["bomb.zip!setup.exe"]
    # A full walk stops at the bomb: reading past it is what a bomb is for.
    full = list(walk_bytes("bomb.zip", bomb))
    assert not any(isinstance(i, Member) and i.depth for i in full)


def test_listing_mode_does_not_call_a_large_honest_archive_a_bomb() -> None:
    # 12 photos of 1 MiB: over a 10 MiB total, but only heads are decompressed.
    data = zip_of({f"f{i}.png": b"\x89PNG\r\n\x1a\n" + os.urandom(1024 * 1024) for i in range(12)}, zipfile.ZIP_STORED)
    tight = Limits(max_total_bytes=10 * 1024 * 1024)
    assert any(isinstance(i, Problem) and i.kind == "archive-bomb" for i in walk_bytes("a.zip", data, tight))
    listing = list(walk_bytes("a.zip", data, Limits(max_total_bytes=10 * 1024 * 1024, member_head=4096)))
    assert not any(isinstance(i, Problem) for i in listing)
    assert sum(1 for i in listing if isinstance(i, Member) and i.depth) == 12


ARCHIVES = [
    _fixture(name)
    for name in (
        "zipcrypto.zip",
        "aes256.zip",
        "headers-encrypted.7z",
        "compressed-header-encrypted.7z",
        "compressed-header-plain.7z",
    )
]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(range(len(ARCHIVES))),
    st.lists(st.tuples(st.integers(0, 800), st.binary(min_size=1, max_size=8)), max_size=6),
)
@example(which=0, edits=[(316, b"\x00")])  # found by CI: a member whose name is corrupted to ""
def test_corrupted_encrypted_archives_never_raise(which: int, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(ARCHIVES[which])
    for position, junk in edits:
        at = position % len(data)
        data[at : at + len(junk)] = junk  # overwrite in place: headers, sizes and offsets go wrong
    for limits in (Limits(), HEAD):
        for item in walk_bytes("x", bytes(data), limits):
            assert isinstance(item, Member | Problem)
