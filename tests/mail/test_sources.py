"""Inputs: .eml files, directories (recursively), mbox streamed message by message, Maildir, Outlook .msg."""

from __future__ import annotations

import mailbox
import shutil
from pathlib import Path

from heistguard.artifacts.filetype import Kind
from heistguard.mail.message import Address, parse_message
from heistguard.mail.sources import iter_paths, looks_like_mail
from tests.conftest import FIXTURES
from tests.mail.build import mail


def test_directory_is_walked_recursively_and_a_non_mail_file_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.eml").write_bytes(mail(subject="one"))
    (tmp_path / "a" / "b" / "two.eml").write_bytes(mail(subject="two"))
    (tmp_path / "a" / "b" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    items = list(iter_paths([tmp_path]))
    assert sorted(Path(i.name).name for i in items) == ["one.eml", "photo.png", "two.eml"]
    bad = next(i for i in items if i.name.endswith("photo.png"))
    assert bad.error is not None and "not an e-mail message" in bad.error


def test_mbox_yields_each_message_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    box = mailbox.mbox(str(path))
    for n in range(3):
        box.add(mail(subject=f"message {n}", text=f"From the desk of number {n}\n"))
    box.flush()
    box.close()
    items = list(iter_paths([path]))
    assert [i.name.rsplit("#", 1)[1] for i in items] == ["1", "2", "3"]
    assert all(i.error is None and b"Subject: message" in i.raw for i in items)
    assert b"From the desk of number 1" in items[1].raw or b">From the desk" in items[1].raw


def test_maildir_is_read_from_cur_and_new(tmp_path: Path) -> None:
    box = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    box.add(mail(subject="in new"))
    message = mailbox.MaildirMessage(mail(subject="in cur"))
    message.set_subdir("cur")
    box.add(message)
    box.close()
    subjects = sorted(
        line for i in iter_paths([tmp_path / "Maildir"]) for line in i.raw.splitlines() if line.startswith(b"Subject")
    )
    assert subjects == [b"Subject: in cur", b"Subject: in new"]


def test_outlook_msg_is_rebuilt_as_rfc822(tmp_path: Path) -> None:
    path = tmp_path / "sample.msg"
    shutil.copy(FIXTURES / "mail" / "attachment_msg_pdf.msg", path)
    (item,) = list(iter_paths([path]))
    assert item.error is None
    assert looks_like_mail(item.raw)
    message = parse_message(item.raw, item.name)
    assert message.subject == "test email"
    assert message.sender_from == Address("Nick Booth", "nick.booth@pof.com.au")
    assert "Test email with 1 msg attachment, 1 pdf" in message.text
    assert "Blah blah blah" in message.text  # the Outlook message attached inside it is read too
    (pdf,) = message.attachments
    assert pdf.name == "smbprn.00009008.KdcPjl.pdf"
    assert pdf.filetype.kind == Kind.PDF and pdf.size == 13539 and pdf.data.startswith(b"%PDF-1.4")
    assert item.stored == path.read_bytes()  # quarantine keeps the Outlook file itself


def test_broken_msg_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.msg"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 100)
    (item,) = list(iter_paths([path]))
    assert item.error is not None and "Outlook message" in item.error


def test_missing_path_is_one_clear_error(tmp_path: Path) -> None:
    (item,) = list(iter_paths([tmp_path / "nope.eml"]))
    assert item.error is not None and "no such file" in item.error
