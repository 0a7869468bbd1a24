"""Clipboard hijack: code that watches the clipboard for a crypto address and writes another one
back, so a pasted withdrawal address becomes the attacker's."""

from __future__ import annotations

import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, is_code
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.clipboard-hijack",
    severity=Severity.HIGH,
    title="Code rewrites crypto addresses on the clipboard",
    rationale="Clippers read the clipboard, match it against address patterns (0x..., bc1..., base58) and "
    "write a look-alike back; a victim who pastes a withdrawal address pays the attacker. Reading and "
    "writing the clipboard next to an address pattern is the shape.",
    attack=("T1115", "T1565.002"),
)

_CLIP_READ = re.compile(
    r"clipboard\.(?:readText|read)\b|clipboardy\.(?:read|readSync)\b|pyperclip\.paste\b|GetClipboardData\b|"
    r"\bpbpaste\b|xclip\s+-o|xsel\s+-o|Get-Clipboard\b|clipboard\.paste\b"
)
_CLIP_WRITE = re.compile(
    r"clipboard\.(?:writeText|write)\b|clipboardy\.(?:write|writeSync)\b|pyperclip\.copy\b|SetClipboardData\b|"
    r"\bpbcopy\b|xclip\s+-(?:i|selection)|xsel\s+-i|Set-Clipboard\b|clipboard\.copy\b"
)
# Address patterns as regex literals in code: EVM, bech32, legacy BTC, Solana/Tron base58.
_ADDRESS_REGEX = re.compile(
    r"0x\[[^\]]*a-f[^\]]*\]\{40\}|bc1\[?[^\s]{0,40}\{|\[13\]\)?\[[^\]]+\]\{2[0-9],|\[1-9A-HJ-NP-Za-km-z\]\{3[0-9],|T\[[^\]]+\]\{33\}",
    re.I,
)


_READ_WORDS = (
    "clipboard.read",
    "clipboardy.read",
    "pyperclip.paste",
    "GetClipboardData",
    "pbpaste",
    "xclip",
    "xsel",
    "Get-Clipboard",
    "clipboard.paste",
)
_WRITE_WORDS = (
    "clipboard.write",
    "clipboardy.write",
    "pyperclip.copy",
    "SetClipboardData",
    "pbcopy",
    "xclip",
    "xsel",
    "Set-Clipboard",
    "clipboard.copy",
)
_TRIGGERS = (b"lipboard", b"pyperclip", b"pbpaste", b"xclip", b"xsel", b"Clipboard")


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    text = target.text
    if not any(k in text for k in _READ_WORDS) or not any(k in text for k in _WRITE_WORDS):
        return
    read, write, address = _CLIP_READ.search(text), _CLIP_WRITE.search(text), _ADDRESS_REGEX.search(text)
    if read and write and address:
        yield RULE.finding(
            f"{target.name} reads and rewrites the clipboard next to an address pattern",
            [target.evidence(read.start()), target.evidence(address.start())],
        )


DETECTOR = Detector(
    rule=RULE,
    applies=is_code,
    check=_check,
    triggers=_TRIGGERS,
    bad=(
        Sample(
            "clip.js",
            b"const clipboardy = require('clipboardy');\nsetInterval(() => {\n  const t = clipboardy.readSync();\n"
            b"  if (/^0x[a-fA-F0-9]{40}$/.test(t))\n"
            b"    clipboardy.writeSync('0x000000000000000000000000000000000000dEaD');\n"
            b"}, 500);\n",
        ),
        Sample(
            "clip.py",
            b"import pyperclip, re, time\nwhile True:\n    t = pyperclip.paste()\n"
            b"    if re.match(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$', t):\n"
            b"        pyperclip.copy('bc1qexampleexampleexample')\n"
            b"    time.sleep(1)\n",
        ),
    ),
    good=(
        Sample("copy-button.js", b"button.onclick = () => navigator.clipboard.writeText(address);\n"),
        Sample("validate.js", b"const ok = /^0x[a-fA-F0-9]{40}$/.test(input);\n"),
    ),
)
