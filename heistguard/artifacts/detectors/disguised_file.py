"""Files whose bytes are a different, dangerous kind than their name says: a PE named `.pdf`, an LNK
named `.docx`, an HTA named `.txt`; the one shared file-type identification decides."""

from __future__ import annotations

from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.filetype import EXPECTED_EXTENSIONS, name_mismatch
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

RULE = Rule(
    id="artifacts.disguised-file",
    severity=Severity.HIGH,
    title="File is not what its name says",
    rationale="Naming an executable, shortcut or HTML application like a document or image is how lures get "
    "double-clicked; the bytes, not the name, decide what Windows or macOS will do with it.",
    attack=("T1036.008", "T1204.002"),
    references=("https://attack.mitre.org/techniques/T1036/008/",),
)


# Extensions a person opens by double-clicking: an executable behind one of these is a lure.
LURE_EXTENSIONS = frozenset(
    {
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "rtf",
        "txt",
        "csv",
        "odt",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "bmp",
        "svg",
        "mp3",
        "mp4",
        "mov",
        "avi",
        "wav",
        "html",
        "htm",
        "md",
        "zip",
        "rar",
        "7z",
        "iso",
        "img",
        "json",
        "woff",
        "woff2",
        "ttf",
        "ico",
    }
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    filetype = target.member.filetype
    if not name_mismatch(target.name, filetype):
        return
    if filetype.executable and target.suffix in LURE_EXTENSIONS:
        severity = Severity.HIGH
    elif target.suffix in LURE_EXTENSIONS:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW  # e.g. a Windows DLL named .so inside a Java archive: odd, not a lure
    yield RULE.finding(
        f"{target.name} is really a {filetype}",
        [
            Evidence(
                location=Location(path=target.path),
                text=f"name says .{target.suffix or '(none)'}, bytes say {filetype}",
            )
        ],
        severity=severity,
    )


def _applies(target: Target) -> bool:
    # Extension-less files (build outputs, hooks) are not disguised; they do not pretend anything.
    return target.member.filetype.kind in EXPECTED_EXTENSIONS and "." in target.name


DETECTOR = Detector(
    rule=RULE,
    applies=_applies,
    check=_check,
    bad=(Sample("Offer Letter.pdf", b"MZ\x90\x00" + b"\x00" * 60),),
    good=(Sample("tool.exe", b"MZ\x90\x00" + b"\x00" * 60), Sample("paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")),
)
