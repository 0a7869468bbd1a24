"""Disk images (ISO, UDF, VHD/VHDX, DMG, raw IMG) handed over as files: containers that carry an
LNK or executable past Mark-of-the-Web and mail filters, and the usual wrapper of trojanised macOS apps."""

from __future__ import annotations

from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.filetype import Kind
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

RULE = Rule(
    id="artifacts.disk-image",
    severity=Severity.MEDIUM,
    title="Disk image: a container that bypasses Mark-of-the-Web",
    rationale="Files inside a mounted ISO, VHD or IMG do not inherit the download's Mark-of-the-Web, so "
    "SmartScreen and Office's macro block do not apply to them; DPRK groups ship LNK and DLL lures this "
    "way, and AppleJeus ships trojanised trading apps as DMGs. The scanner does not mount or open "
    "images, so what is inside has not been checked.",
    attack=("T1553.005", "T1204.002"),
    references=("https://attack.mitre.org/techniques/T1553/005/",),
)
_IMAGES = frozenset({Kind.ISO, Kind.UDF, Kind.VHD, Kind.VHDX, Kind.DMG, Kind.DISK_IMAGE})


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    filetype = target.member.filetype
    yield RULE.finding(
        f"{target.name} is a {filetype.description}; its contents were not scanned",
        [Evidence(location=Location(path=target.path), text=f"{filetype}, {target.member.size:,} bytes")],
    )


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.kind in _IMAGES,
    check=_check,
    bad=(
        Sample("Invoice_0423.iso", b"\x00" * 0x8001 + b"CD001\x01" + b"\x00" * 2042, "ISO 9660 volume descriptor"),
        Sample("TradingApp.vhdx", b"vhdxfile" + b"\x00" * 504),
    ),
    good=(Sample("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),),
)
