"""Attachments judged by their bytes: a real macro document (from oletools' own test data), archives, names."""

from __future__ import annotations

import email
import email.policy

from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.mail.attachments import members
from heistguard.mail.message import _filename, _may_name
from heistguard.mail.rules import attachment_executable, deceptive_attachment_name, macro_document
from tests.artifacts.bombs import zeros_zip
from tests.conftest import FIXTURES
from tests.mail.build import PDF, PE, context, mail, parsed, zipped

DOCM = (FIXTURES / "mail" / "oleform-PR314.docm").read_bytes()


def test_macro_document_fires_on_a_real_docm() -> None:
    (finding,) = macro_document.check(parsed(mail(attachments=(("budget.docm", DOCM),))), context())
    assert finding.rule_id == "mail.macro-document"
    assert "Frame1_Click" in finding.title
    assert finding.indicators[0].type == "sha256"


def test_macro_document_is_silent_on_a_plain_docx_shape() -> None:
    docx = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert macro_document.check(parsed(mail(attachments=(("budget.docx", docx),))), context()) == []


def test_a_name_alone_never_makes_an_executable() -> None:
    # Named .exe but the bytes are a PDF: not an executable (the bytes decide).
    assert attachment_executable.check(parsed(mail(attachments=(("setup.exe", PDF),))), context()) == []
    # Named .pdf but the bytes are a PE: an executable, and a deceptive name.
    raw = mail(attachments=(("statement.pdf", PE),))
    assert attachment_executable.check(parsed(raw), context())
    assert deceptive_attachment_name.check(parsed(raw), context())


def test_encrypted_flag_is_read_from_the_archive() -> None:
    raw = mail(attachments=(("a.zip", zipped({"x.txt": b"x"}, password_flag=True)),))
    (attachment,) = parsed(raw).attachments
    assert [m.encrypted for m in members(attachment)] == [True]


def test_zip_bomb_members_are_not_read() -> None:
    raw = mail(attachments=(("bomb.zip", zeros_zip("big.bin", 150_000_000)),))
    (attachment,) = parsed(raw).attachments
    (member,) = members(attachment)
    assert member.size == 150_000_000 and member.filetype is None
    # 2 MB of zeros packs past 1000:1 too, but is too small to be a bomb: it is read and typed.
    raw = mail(attachments=(("disk.zip", _deflated({"blank.img": bytes(2_000_000)})),))
    (member,) = members(parsed(raw).attachments[0])
    assert member.size == 2_000_000 and member.filetype is not None


def _deflated(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_PARAMETERS = ["", "; name=a.lnk", "; NAME=\"b.iso\"", "; FileName*0*=utf-8''x%20y.js", "; filename*1=z",
               "; charset=utf-8", "; Name*=''c.hta", "; boundary=\"name\"", "; x=ñame", " (name)"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["attachment", "inline", "ATTACHMENT", "form-data", None]),
    st.lists(st.sampled_from(_PARAMETERS), max_size=3),
    st.lists(st.sampled_from(_PARAMETERS), max_size=3),
)
def test_a_part_without_the_word_name_in_its_headers_has_no_filename(
    disposition: str | None, disposition_params: list[str], type_params: list[str]
) -> None:
    headers = f"Content-Type: application/octet-stream{''.join(type_params)}\n"
    if disposition is not None:
        headers += f"Content-Disposition: {disposition}{''.join(disposition_params)}\n"
    part = email.message_from_string(headers + "\nAAAA\n", policy=email.policy.compat32)
    shortcut = _may_name(part.get("Content-Disposition")) or _may_name(part.get("Content-Type"))
    assert (_filename(part) if shortcut else None) == _filename(part)
