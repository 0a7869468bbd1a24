"""Document formats that are programs: HTML applications (HTA, run by mshta with full rights) and
compiled HTML help (CHM, which can embed script and ActiveX shortcuts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.script-document",
    severity=Severity.HIGH,
    title="HTA or CHM file: a document that runs code when opened",
    rationale="mshta runs an .hta with the user's full rights and hh.exe runs script inside a .chm; DPRK "
    "groups mail both as 'documents' (Kimsuky and Lazarus CHM and HTA lures). Neither belongs in a "
    "coding test, a package or a business mail. CHM is medium unless it names a script host.",
    attack=("T1218.005", "T1218.001", "T1204.002"),
    references=("https://attack.mitre.org/techniques/T1218/001/", "https://attack.mitre.org/techniques/T1218/005/"),
)

_SCRIPT_HOSTS = re.compile(
    rb"powershell|cmd\.exe|mshta|wscript|ShortCut|Click1\.Click|ActiveXObject|WScript\.Shell", re.I
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    if target.kind is Kind.HTA:
        offset = target.text.lower().find("hta:application")
        yield RULE.finding(f"{target.name} is an HTML application (runs under mshta)", [target.evidence(offset)])
        return
    hit = _SCRIPT_HOSTS.search(target.data)
    evidence = [
        target.evidence(
            None, f"CHM ({len(target.data):,} bytes)" + (f", names {hit.group(0).decode('latin-1')}" if hit else "")
        )
    ]
    yield RULE.finding(
        f"{target.name} is compiled HTML help" + (" that names a script host" if hit else ""),
        evidence,
        severity=Severity.HIGH if hit else Severity.MEDIUM,
    )


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.kind in (Kind.HTA, Kind.CHM),
    check=_check,
    bad=(
        Sample(
            "invoice.hta",
            b'<html><head><HTA:APPLICATION ID="a" WINDOWSTATE="minimize"/>\n<script language="VBScript">\n'
            b'CreateObject("WScript.Shell").Run "calc.exe", 0\n</script></head></html>\n',
        ),
        Sample(
            "manual.chm",
            b"ITSF\x03\x00\x00\x00`\x00\x00\x00"
            + b"\x00" * 80
            + b'<OBJECT classid="x"><PARAM name="Command" value="ShortCut">',
        ),
    ),
    good=(Sample("index.html", b"<!doctype html><html><body>hello</body></html>\n"),),
)
