"""Archive attachments through the artifact scanner's safe walk: encrypted ZIP, 7z and RAR archives made by real
archivers (tests/fixtures/artifacts/encrypted), nested archives, and a zip bomb that must end in a verdict."""

from __future__ import annotations

import io
import os
import zipfile

from heistguard.findings import Severity
from heistguard.mail.attachments import members
from heistguard.mail.model import load_model
from heistguard.mail.rules import archive_problems, deceptive_attachment_name, encrypted_archive
from heistguard.mail.rules import attachment_executable as executable
from heistguard.mail.sources import MailItem
from heistguard.mail.triage import triage
from tests.artifacts.bombs import MiB, zeros_zip
from tests.conftest import FIXTURES
from tests.mail.build import PDF, PE, context, mail, parsed, zipped

ENCRYPTED = FIXTURES / "artifacts" / "encrypted"
WITH_PASSWORD = "The coding task is attached. Password: Tokyo2025\n"
WITHOUT = "The coding task is attached.\n"


def _fixture(name: str) -> bytes:
    return (ENCRYPTED / name).read_bytes()


def _deflated(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_encrypted_zip_members_are_listed_by_name_and_size() -> None:
    (attachment,) = parsed(mail(attachments=(("task.zip", _fixture("zipcrypto.zip")),))).attachments
    listed = {m.name: m for m in members(attachment)}
    assert set(listed) == {"task/README.md", "task/setup.js"}
    assert all(m.encrypted and m.filetype is None for m in listed.values())
    assert listed["task/setup.js"].size == 70


def test_aes_zip_with_the_password_in_the_body_names_the_member() -> None:
    message = parsed(mail(text=WITH_PASSWORD, attachments=(("invoice.zip", _fixture("aes256.zip")),)))
    (finding,) = encrypted_archive.check(message, context())
    assert finding.severity is Severity.HIGH and "password is written" in finding.title
    assert "Invoice.pdf.exe" in finding.evidence[0].text and "executable" in finding.evidence[0].text
    assert "Password: Tokyo2025" in finding.evidence[1].text
    # The member's bytes are unknown, but its double extension is in the archive's directory.
    (deceptive,) = deceptive_attachment_name.check(message, context())
    assert "invoice.zip!Invoice.pdf.exe" in deceptive.title


def test_encrypted_zip_without_a_password_is_medium_unless_a_member_is_named_as_a_program() -> None:
    documents = zipped({"figures.xlsx": b"PK-ish", "notes.docx": b"x"}, password_flag=True)
    (finding,) = encrypted_archive.check(parsed(mail(text=WITHOUT, attachments=(("q3.zip", documents),))), context())
    assert finding.severity is Severity.MEDIUM
    script = parsed(mail(text=WITHOUT, attachments=(("task.zip", _fixture("zipcrypto.zip")),)))
    (finding,) = encrypted_archive.check(script, context())
    assert finding.severity is Severity.HIGH and "task/setup.js" in finding.evidence[0].text


def test_plain_zip_is_not_an_encrypted_archive_even_with_a_password_in_the_body() -> None:
    plain = _deflated({"task/README.md": b"# Coding task\n"})
    assert encrypted_archive.check(parsed(mail(text=WITH_PASSWORD, attachments=(("t.zip", plain),))), context()) == []


def test_7z_with_a_password_in_the_body_is_the_same_signal() -> None:
    for name in ("plain.7z", "content-encrypted.7z", "headers-encrypted.7z"):
        message = parsed(mail(text=WITH_PASSWORD, attachments=(("task.7z", _fixture(name)),)))
        (finding,) = encrypted_archive.check(message, context())
        assert finding.severity is Severity.HIGH, name
    # The password in the subject counts too.
    message = parsed(mail(subject="Task (pw: Tokyo2025)", text=WITHOUT, attachments=(("t.7z", _fixture("plain.7z")),)))
    assert encrypted_archive.check(message, context())


def test_7z_without_a_password_fires_only_when_its_header_says_encrypted() -> None:
    plain = parsed(mail(text=WITHOUT, attachments=(("task.7z", _fixture("plain.7z")),)))
    assert encrypted_archive.check(plain, context()) == []
    hidden = parsed(mail(text=WITHOUT, attachments=(("task.7z", _fixture("headers-encrypted.7z")),)))
    (finding,) = encrypted_archive.check(hidden, context())
    assert finding.severity is Severity.MEDIUM and "names hidden" in finding.evidence[0].text
    packed = parsed(mail(text=WITHOUT, attachments=(("task.7z", _fixture("compressed-header-encrypted.7z")),)))
    (finding,) = encrypted_archive.check(packed, context())
    assert finding.severity is Severity.MEDIUM and "is encrypted" in finding.title
    packed_plain = _fixture("compressed-header-plain.7z")
    assert encrypted_archive.check(parsed(mail(text=WITHOUT, attachments=(("t.7z", packed_plain),))), context()) == []


def test_7z_inside_a_zip_with_a_password_fires() -> None:
    outer = _deflated({"task.7z": _fixture("plain.7z")})
    message = parsed(mail(text=WITH_PASSWORD, attachments=(("task.zip", outer),)))
    (finding,) = encrypted_archive.check(message, context())
    assert "task.7z" in finding.evidence[0].text
    assert encrypted_archive.check(parsed(mail(text=WITHOUT, attachments=(("task.zip", outer),))), context()) == []


def test_encrypted_rar_is_named_like_an_encrypted_zip() -> None:
    message = parsed(mail(text=WITHOUT, attachments=(("task.rar", _fixture("rar5-psw.rar")),)))
    assert {m.name for m in members(message.attachments[0]) if m.encrypted} == {"stest1.txt", "stest2.txt"}
    (finding,) = encrypted_archive.check(message, context())
    assert finding.severity is Severity.MEDIUM and "stest1.txt (2,048 bytes)" in finding.evidence[0].text
    hidden = parsed(mail(text=WITHOUT, attachments=(("task.rar", _fixture("rar3-comment-hpsw.rar")),)))
    (finding,) = encrypted_archive.check(hidden, context())
    assert "is encrypted" in finding.title and "names hidden" in finding.evidence[0].text
    for plain in ("rar5-solid.rar", "rar3-comment-plain.rar"):
        assert (
            encrypted_archive.check(parsed(mail(text=WITHOUT, attachments=(("t.rar", _fixture(plain)),))), context())
            == []
        )


def test_executable_in_a_nested_zip_is_found() -> None:
    nested = zipped({"docs/inner.zip": zipped({"setup.exe": PE})})
    (finding,) = executable.check(parsed(mail(attachments=(("a.zip", nested),))), context())
    assert "a.zip!docs/inner.zip!setup.exe" in finding.title
    honest = zipped({"docs/inner.zip": zipped({"report.pdf": PDF})})
    assert executable.check(parsed(mail(attachments=(("a.zip", honest),))), context()) == []


def test_java_archive_inside_a_zip_is_an_executable_even_past_the_head() -> None:
    jar = _deflated({"META-INF/MANIFEST.MF": b"Main-Class: a.Main\n", "a/res.png": b"\x89PNG" + os.urandom(90_000)})
    (finding,) = executable.check(parsed(mail(attachments=(("tools.zip", _deflated({"viewer.jar": jar})),))), context())
    assert "tools.zip!viewer.jar" in finding.title and "Java archive" in finding.title


def test_zip_bomb_attachment_is_a_finding_and_the_message_still_gets_a_verdict() -> None:
    # 200 MiB of zeros in about 200 KB, behind an honest-looking first member and inside a stored outer zip.
    bomb = _deflated({"readme.txt": b"Invoice attached.\n", "invoice.bin": b"\0" * (200 * 1024 * 1024)})
    outer = _deflated({"invoice.zip": bomb}, zipfile.ZIP_STORED)
    raw = mail(text="Please see the invoice.\n", attachments=(("invoice.zip", outer),))
    verdict = triage(MailItem("bomb.eml", raw), context())
    assert verdict.verdict == "suspicious"
    (finding,) = [f for f in verdict.findings if f.rule_id == "artifacts.archive-bomb"]
    assert "invoice.zip!invoice.zip!invoice.bin" in finding.title and "ratio" in finding.title
    (attachment,) = parsed(raw).attachments
    assert [(m.name, m.filetype is None) for m in members(attachment)] == [
        ("invoice.zip", False),
        ("invoice.zip!readme.txt", False),
        ("invoice.zip!invoice.bin", True),
    ]


def test_a_bomb_placed_first_does_not_hide_the_program_behind_it() -> None:
    bomb = zeros_zip("padding.bin", 150 * MiB, after={"Invoice.exe": PE})
    message = parsed(mail(attachments=(("invoice.zip", bomb),)))
    assert [f.rule_id for f in archive_problems.check(message, context())] == ["artifacts.archive-bomb"]
    (finding,) = executable.check(message, context())
    assert "invoice.zip!Invoice.exe" in finding.title


def test_path_traversal_member_is_a_finding_and_an_honest_zip_is_not() -> None:
    hostile = _deflated({"../../AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/a.txt": b"x"})
    (finding,) = archive_problems.check(parsed(mail(attachments=(("a.zip", hostile),))), context())
    assert finding.rule_id == "artifacts.archive-path-traversal" and finding.evidence[0].location.logical
    honest = _deflated({"report/summary.txt": b"Q3 summary\n", "report/figures.csv": b"a,b\n1,2\n"})
    assert archive_problems.check(parsed(mail(attachments=(("r.zip", honest),))), context()) == []


def test_a_zipped_blank_disk_image_or_log_is_not_a_bomb_and_does_not_lift_the_verdict() -> None:
    log = b"".join(b"2025-11-04T09:%02d:00Z INFO sync ok\n" % (i % 60) for i in range(50_000))
    attachment = _deflated({"blank.img": bytes(2_000_000), "sync.log": log})
    raw = mail(text="Logs from last night's sync attached.\n", attachments=(("logs.zip", attachment),))
    assert archive_problems.check(parsed(raw), context()) == []
    # With the shipped model too: an archive-bomb finding here used to lift this message to phishing.
    verdict = triage(MailItem("logs.eml", raw), context(), load_model())
    assert verdict.verdict == "clean" and not [f for f in verdict.findings if f.rule_id == "artifacts.archive-bomb"]
