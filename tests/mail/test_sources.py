"""Inputs: .eml files, directories (recursively), mbox streamed message by message, Maildir, Outlook .msg."""

from __future__ import annotations

import io
import mailbox
import shutil
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.artifacts.filetype import Kind
from heistguard.mail.message import Address, parse_message
from heistguard.mail.sources import iter_mbox, iter_paths, looks_like_mail
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


def _mbox_by_lines(path: Path, limit: int) -> list[tuple[str, bytes, bool]]:
    """The mbox reading rule stated line by line (the way it reads in RFC 4155): a line starting "From " after a
    blank line, or first in the file, opens a message; the blank line before it closes the one before."""
    out: list[tuple[str, bytes, bool]] = []
    index, current, previous_blank = 0, [], True

    def close() -> None:
        raw = b"".join(current)
        if len(raw) > limit:
            out.append((f"{path}#{index}", b"", True))
            return
        raw = raw[:-1] if raw.endswith(b"\n\n") else raw
        out.append((f"{path}#{index}", raw if looks_like_mail(raw) else b"", not looks_like_mail(raw)))

    for line in io.BytesIO(path.read_bytes()):  # lines end at \n only, as a file reads
        if line.startswith(b"From ") and previous_blank:
            if index:
                close()
            index, current, previous_blank = index + 1, [], False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        current.append(line)
    if index:
        close()
    return out


_PIECES = [
    b"From a@b Thu Nov 26 00:00:00 2026\n", b"From x\r\n", b"From ", b"\n", b"\r\n", b"Subject: hi\n",
    b"To: c@d\r\n", b"body text\n", b">From quoted\n", b"From inside a line? ", b"xyz", b"\n\nFrom ",
    b"0" * 30, b"\r", b"\r\nFrom ",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25), st.integers(1, 12), st.integers(10, 80))
def test_mbox_read_in_chunks_splits_exactly_as_the_line_rule(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[bytes], chunk: int, limit: int
) -> None:
    path = tmp_path_factory.mktemp("mbox") / "box.mbox"
    path.write_bytes(b"".join(pieces))
    got = [(i.name, i.raw, i.error is not None) for i in iter_mbox(path, chunk=chunk, limit=limit)]
    assert got == _mbox_by_lines(path, limit)


def test_a_message_over_the_limit_is_one_error_and_the_next_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    big = mail(subject="big", text="A" * 5000 + "\n")
    path.write_bytes(b"From a\n" + big + b"\nFrom b\n" + mail(subject="small") + b"\n")
    first, second = iter_mbox(path, chunk=64, limit=2000)
    assert first.error is not None and "over the 2000-byte message limit" in first.error and first.raw == b""
    assert second.error is None and b"Subject: small" in second.raw


def test_a_huge_from_line_is_not_held_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "odd.mbox"
    path.write_bytes(b"From " + b"x" * (8 * 1024 * 1024) + b"\n" + mail(subject="after") + b"\n")
    tracemalloc.start()
    try:
        (item,) = iter_mbox(path, chunk=64 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert item.error is None and b"Subject: after" in item.raw
    assert peak < 1024 * 1024  # one 64 KiB read and one small message, not the 8 MiB line
