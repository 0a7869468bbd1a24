"""Native executables shipped in a repo, package or attachment: PE, ELF and Mach-O basics (signed or
not, packed, imports of note), so a reviewer sees what would run outside any interpreter."""

from __future__ import annotations

import math
import struct
from collections import Counter
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.filetype import Kind
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

RULE = Rule(
    id="artifacts.native-binary",
    severity=Severity.LOW,
    title="Native executable shipped in the artifact",
    rationale="Source repos and coding tests have no reason to ship executables, and trojanised apps "
    "(AppleJeus) are unsigned or packed. Prebuilt addons in packages are common, so an executable is "
    "low; packing or process-injection imports make it medium.",
    attack=("T1204.002", "T1027.002"),
    references=("https://www.cisa.gov/news-events/cybersecurity-advisories/aa21-048a",),
)

_INJECTION = frozenset(
    {
        "VirtualAllocEx",
        "WriteProcessMemory",
        "CreateRemoteThread",
        "NtUnmapViewOfSection",
        "QueueUserAPC",
        "SetThreadContext",
    }
)
_NOTABLE = frozenset(
    {
        "URLDownloadToFileA",
        "URLDownloadToFileW",
        "InternetOpenUrlA",
        "InternetOpenUrlW",
        "WinHttpOpen",
        "CryptUnprotectData",
        "IsDebuggerPresent",
        "ShellExecuteA",
        "ShellExecuteW",
        "WinExec",
    }
)
_PACKER_SECTIONS = (b"UPX0", b"UPX1", b".aspack", b".MPRESS", b".themida", b".vmp0", b".petite", b"PEC2")
_LC_CODE_SIGNATURE = 0x1D


def _entropy(data: bytes) -> float:
    if not data:
        return 0.0
    counts = Counter(data)
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _pe_facts(data: bytes) -> tuple[list[str], bool]:
    import pefile

    facts: list[str] = []
    notable = False
    try:
        pe = pefile.PE(data=data, fast_load=True)
    except pefile.PEFormatError as exc:
        return [f"malformed PE: {exc}"], False
    try:
        security = pe.OPTIONAL_HEADER.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_SECURITY"]]
        facts.append("Authenticode-signed" if security.Size else "unsigned")
        names = [s.Name.rstrip(b"\x00") for s in pe.sections]
        packer = [n.decode("latin-1") for n in names if any(n.startswith(p) for p in _PACKER_SECTIONS)]
        if packer:
            facts.append(f"packed ({', '.join(packer)})")
            notable = True
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
        imports = {
            imp.name.decode("latin-1")
            for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])
            for imp in entry.imports
            if imp.name
        }
        injection = sorted(imports & _INJECTION)
        if len(injection) >= 2:
            facts.append(f"process-injection imports: {', '.join(injection)}")
            notable = True
        other = sorted(imports & _NOTABLE)
        if other:
            facts.append(f"imports {', '.join(other)}")
    finally:
        pe.close()
    return facts, notable


def _macho_signed(data: bytes) -> bool | None:
    magic = data[:4]
    if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
        endian = "<"
    elif magic in (b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
        endian = ">"
    else:
        return None  # universal binary: each slice has its own signature
    (ncmds,) = struct.unpack_from(endian + "I", data, 16)
    pos = 32 if magic in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf") else 28
    for _ in range(min(ncmds, 512)):
        if pos + 8 > len(data):
            break
        cmd, size = struct.unpack_from(endian + "II", data, pos)
        if cmd == _LC_CODE_SIGNATURE:
            return True
        pos += max(size, 8)
    return False


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    data = target.data
    notable = False
    if target.kind is Kind.PE:
        facts, notable = _pe_facts(data)
        what = "Windows executable"
    elif target.kind is Kind.MACHO:
        signed = _macho_signed(data)
        facts = [] if signed is None else ["code-signed" if signed else "unsigned"]
        what = "Mach-O executable"
    else:
        arch = {3: "x86", 0x3E: "x86-64", 0x28: "ARM", 0xB7: "AArch64"}.get(
            struct.unpack_from("<H", data, 18)[0] if len(data) > 20 else 0, "other"
        )
        facts = [arch, "shared object" if len(data) > 17 and data[16] == 3 else "executable"]
        what = "ELF binary"
    if b"UPX!" in data[:4096] and not any("packed" in f for f in facts):
        facts.append("packed (UPX)")
        notable = True
    if len(data) > 4096 and _entropy(data[: 1 << 20]) > 7.6:
        facts.append("high entropy (packed or encrypted)")
        notable = True
    evidence = [Evidence(location=Location(path=target.path), text=f"{what}, {len(data):,} bytes: {', '.join(facts)}")]
    yield RULE.finding(f"{what} {target.name}", evidence, severity=Severity.MEDIUM if notable else Severity.LOW)


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.kind in (Kind.PE, Kind.ELF, Kind.MACHO),
    check=_check,
    bad=(Sample("bin/helper", b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 44),),
    good=(Sample("README.md", b"# a readme\n"),),
)
