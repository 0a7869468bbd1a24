"""IMAP against a real Dovecot on loopback: the folder is read without changing a flag, the password never shows."""

from __future__ import annotations

import imaplib
import mailbox
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from heistguard.cli import main
from heistguard.errors import BadInput
from heistguard.mail.sources import IMAP_PASSWORD_ENV, KEYRING_SERVICE, iter_imap
from tests.mail.build import LNK, mail

USER, PASSWORD = "aiko", "s3cret-Imap-pw"

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def dovecot() -> Iterator[int]:
    """Dovecot serving one user's Maildir with two messages, on a free loopback port."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    root = Path(tempfile.mkdtemp(prefix="hg-dovecot-"))
    root.chmod(0o755)  # the unprivileged login processes must reach the sockets
    port = _free_port()
    me = pwd.getpwuid(os.getuid()).pw_name
    privileged = os.getuid() == 0
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "home" / USER).mkdir(parents=True)
    box = mailbox.Maildir(str(root / "home" / USER / "Maildir"), create=True)
    box.add(mail(subject="Quarterly numbers", text="The numbers are in the shared drive.\n"))
    box.add(mail(sender="HR <hr@acme-capita1.com>", subject="Job description", attachments=(("JD.pdf.lnk", LNK),)))
    box.close()
    # Dovecot refuses to open mail as root: under root the mail belongs to "nobody".
    owner = pwd.getpwnam("nobody") if privileged else pwd.getpwuid(os.getuid())
    for path in [root / "home", *(root / "home").rglob("*")]:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            root=root,
            port=port,
            uid=owner.pw_uid,
            gid=owner.pw_gid,
            login_user="dovenull" if privileged else me,
            internal_user="dovecot" if privileged else me,
        )
    )
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                raise RuntimeError(f"dovecot did not start: {process.stderr.read() if process.stderr else ''}{log}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


def _flags(port: int) -> list[bytes]:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select("INBOX", readonly=True)
    _, data = client.fetch("1:*", "(FLAGS)")
    client.logout()
    return [d for d in data if isinstance(d, bytes)]


def test_folder_is_read_without_marking_anything_seen(dovecot: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IMAP_PASSWORD_ENV, PASSWORD)
    items = list(iter_imap(f"imap://{USER}@127.0.0.1:{dovecot}/INBOX"))
    assert len(items) == 2 and all(i.error is None for i in items)
    assert b"Subject: Quarterly numbers" in items[0].raw
    assert all(b"\\Seen" not in f for f in _flags(dovecot))


def test_cli_triages_the_imap_folder(
    dovecot: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(IMAP_PASSWORD_ENV, PASSWORD)
    code = main(["mail", "triage", "-f", "json", "--imap", f"imap://{USER}@127.0.0.1:{dovecot}/INBOX"])
    out = capsys.readouterr()
    assert code == 1  # the LNK "job description" is phishing
    assert '"verdict":"phishing"' in out.out and PASSWORD not in out.out + out.err


def test_wrong_password_is_a_clear_error_without_the_password(dovecot: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IMAP_PASSWORD_ENV, "wrong-" + PASSWORD)
    with pytest.raises(BadInput) as caught:
        list(iter_imap(f"imap://{USER}@127.0.0.1:{dovecot}/INBOX"))
    assert "login refused" in caught.value.one_line()
    assert PASSWORD not in caught.value.one_line()


def test_password_in_the_url_is_refused() -> None:
    with pytest.raises(BadInput) as caught:
        list(iter_imap("imap://aiko:hunter2@127.0.0.1:1/INBOX"))
    assert "hunter2" not in caught.value.one_line()


class _MemoryKeyring(KeyringBackend):
    """A real keyring backend holding its secrets in memory (what a desktop keyring does on disk)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def test_password_from_the_keyring(dovecot: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(IMAP_PASSWORD_ENV, raising=False)
    previous = keyring.get_keyring()
    backend = _MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        keyring.set_password(KEYRING_SERVICE, f"{USER}@127.0.0.1", PASSWORD)
        items = list(iter_imap(f"imap://{USER}@127.0.0.1:{dovecot}/INBOX"))
        assert len(items) == 2
        backend.secrets.clear()
        with pytest.raises(BadInput) as caught:
            list(iter_imap(f"imap://{USER}@127.0.0.1:{dovecot}/INBOX"))
        assert "keyring set heistguard-imap" in caught.value.one_line()
    finally:
        keyring.set_keyring(previous)
