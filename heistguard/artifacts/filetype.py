"""What a file really is, from its bytes: the one file-type identification the artifact scanner and
the mail guard's attachment checks share. A file's name is only compared with what the bytes say.

Signatures are the formats' own published magic numbers (PE `MZ`, ELF, Mach-O, MS-SHLLINK's
header CLSID, ISO 9660's `CD001` at sector 16, VHD `conectix` footer, VHDX `vhdxfile`, UDIF
`koly` trailer, CHM `ITSF`, CFB `D0CF11E0`, ...).
"""

from __future__ import annotations

import enum
import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from heistguard.artifacts.rar import read_rar


class Kind(enum.StrEnum):
    PE = "pe"
    ELF = "elf"
    MACHO = "macho"
    JAVA_CLASS = "java-class"
    LNK = "lnk"
    ISO = "iso"
    UDF = "udf"
    VHD = "vhd"
    VHDX = "vhdx"
    DISK_IMAGE = "disk-image"
    DMG = "dmg"
    XAR = "xar"
    CHM = "chm"
    HTA = "hta"
    OLE = "ole"
    MSI = "msi"
    OOXML = "ooxml"
    ODF = "odf"
    ONENOTE = "onenote"
    RTF = "rtf"
    PDF = "pdf"
    HTML = "html"
    SVG = "svg"
    SCRIPT = "script"
    APPLESCRIPT = "applescript"
    ZIP = "zip"
    JAR = "jar"
    CRX = "crx"
    RAR = "rar"
    SEVENZIP = "7z"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    TAR = "tar"
    CAB = "cab"
    IMAGE = "image"
    TEXT = "text"
    UNKNOWN = "unknown"


# Kinds that run code when a user double-clicks or mounts them.
EXECUTABLE_KINDS = frozenset(
    {Kind.PE, Kind.ELF, Kind.MACHO, Kind.LNK, Kind.HTA, Kind.CHM, Kind.SCRIPT, Kind.APPLESCRIPT, Kind.MSI, Kind.JAR}
)
# Containers used to carry the above past mail filters and Mark-of-the-Web (T1553.005).
CONTAINER_KINDS = frozenset(
    {
        Kind.ISO,
        Kind.UDF,
        Kind.VHD,
        Kind.VHDX,
        Kind.DISK_IMAGE,
        Kind.DMG,
        Kind.XAR,
        Kind.ZIP,
        Kind.RAR,
        Kind.SEVENZIP,
        Kind.GZIP,
        Kind.BZIP2,
        Kind.XZ,
        Kind.TAR,
        Kind.CAB,
    }
)
ARCHIVE_KINDS = frozenset(
    {Kind.ZIP, Kind.JAR, Kind.CRX, Kind.TAR, Kind.GZIP, Kind.BZIP2, Kind.XZ, Kind.OOXML, Kind.ODF}
)


@dataclass(frozen=True, slots=True)
class FileType:
    kind: Kind
    description: str
    detail: str = ""  # sub-type: script language, OOXML flavour, macro-enabled, ...

    @property
    def executable(self) -> bool:
        return self.kind in EXECUTABLE_KINDS

    @property
    def container(self) -> bool:
        return self.kind in CONTAINER_KINDS

    def __str__(self) -> str:
        return f"{self.description} ({self.detail})" if self.detail else self.description


_LNK_HEADER = bytes.fromhex("4c0000000114020000000000c000000000000046")
_CFB = bytes.fromhex("d0cf11e0a1b11ae1")
_ONENOTE = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3")
_MSI_CLSID = bytes.fromhex("84100c0000000000c000000000000046")
_MACHO = {
    b"\xfe\xed\xfa\xce",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
}
_SHEBANG = re.compile(rb"^#![ \t]*(?:/usr/bin/env[ \t]+)?(?:\S*/)?([A-Za-z0-9_.+-]+)")
_HTA = re.compile(rb"<\s*hta:application", re.I)
_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|meta)\b", re.I)
_SVG = re.compile(rb"<\s*svg\b", re.I)
# Windows Script Host and PowerShell shapes that have no magic number of their own. Matched against
# the lower-cased head: one C-level lower() is much cheaper than case-insensitive alternations.
_SCRIPT_SHAPES: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("wsf", re.compile(rb"<\s*job\b[^>]*>|<\s*package\s*>")),
    (
        "vbscript",
        re.compile(rb"\b(?:createobject|wscript\.shell|dim\s+\w+|end\s+sub|on\s+error\s+resume\s+next)\b"),
    ),
    (
        "powershell",
        re.compile(rb"\b(?:invoke-expression|iex|new-object\s+net\.webclient|start-process|\$env:|-encodedcommand)\b"),
    ),
    ("batch", re.compile(rb"^\s*@?echo\s+off\b", re.M)),
    (
        "javascript",
        re.compile(
            rb"\b(?:activexobject|wscript\.createobject|require\s*\(\s*['\"]child_process|eval\s*\(|new\s+function\s*\()"
        ),
    ),
)


# Bytes that are not text: controls other than tab, newline and carriage return.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13))

# Words each shape needs (at least one); the regex only runs on a head that has one.
_SHAPE_WORDS = {
    "wsf": (b"job", b"package"),
    "vbscript": (b"createobject", b"wscript.shell", b"dim", b"sub", b"resume"),
    "powershell": (b"invoke-expression", b"iex", b"new-object", b"start-process", b"$env:", b"-encodedcommand"),
    "batch": (b"echo",),
    "javascript": (b"activexobject", b"wscript.createobject", b"child_process", b"eval", b"function"),
}


def _is_text(head: bytes) -> bool:
    if not head:
        return True
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    sample = head[:4096]
    # translate() keeps only the control bytes, in C: cheap enough to run on every file of a tree.
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) < 0.1


def zip_flavour(source: BinaryIO) -> FileType:
    """What a ZIP is (Office Open XML, OpenDocument, Java archive or plain ZIP), from its central directory,
    which sits at its end: `source` must hold the whole file (bytes in memory or the open file itself)."""
    try:
        with zipfile.ZipFile(source) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" in names:
                macro = any(n.lower().endswith("vbaproject.bin") for n in names)
                app = (
                    "word"
                    if any(n.startswith("word/") for n in names)
                    else "excel"
                    if any(n.startswith("xl/") for n in names)
                    else "powerpoint"
                    if any(n.startswith("ppt/") for n in names)
                    else "office"
                )
                return FileType(Kind.OOXML, f"Office Open XML ({app})", "macro-enabled" if macro else "")
            if "mimetype" in names:
                with zf.open("mimetype") as member:  # 100 bytes, however far the member claims to expand
                    mimetype = member.read(100).decode("ascii", "replace")
                if mimetype.startswith("application/vnd.oasis.opendocument"):
                    return FileType(Kind.ODF, "OpenDocument", mimetype.rsplit(".", 1)[-1])
            if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
                return FileType(Kind.JAR, "Java archive")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError, EOFError):
        pass  # truncated or partial ZIP: still a ZIP by its magic
    return FileType(Kind.ZIP, "ZIP archive")


def identify(data: bytes, size: int | None = None, tail: bytes | None = None, *, text_head: int = 65536) -> FileType:
    """Identify a file from its bytes. `data` is the file or at least its first 64 KiB; `tail`
    (the last 512 bytes) finds formats that sign at the end (DMG, VHD) when `data` is only a head.
    Give the whole file when it is at hand: a ZIP's flavour (OOXML, JAR) is in its central directory at
    its end, a 7z's encryption in its end header, and a RAR's members' encryption in headers all through it.
    `text_head` bounds how much of a text file is searched for script shapes (VBScript, PowerShell...):
    all 64 KiB by default, as for a mail attachment padded with comments; a tree walk over tens of
    thousands of source files passes a few KiB."""
    head = data[:65536]
    end = tail if tail is not None else data[-512:]
    size = len(data) if size is None else size

    if head.startswith(b"MZ"):
        return FileType(Kind.PE, "Windows executable (PE)")
    if head.startswith(b"\x7fELF"):
        return FileType(Kind.ELF, "ELF executable")
    if head[:4] in _MACHO:
        return FileType(Kind.MACHO, "Mach-O executable")
    if head.startswith(b"\xca\xfe\xba\xbe"):
        # Universal Mach-O and Java class files share a magic; class files carry a version >= 45.
        arch_count = int.from_bytes(head[4:8], "big")
        if 0 < arch_count < 32:
            return FileType(Kind.MACHO, "Mach-O universal executable")
        return FileType(Kind.JAVA_CLASS, "Java class file")
    if head.startswith(_LNK_HEADER):
        return FileType(Kind.LNK, "Windows shortcut (LNK)")
    if head.startswith(_CFB):
        if _MSI_CLSID in head[:4096]:
            return FileType(Kind.MSI, "Windows Installer package (MSI)")
        return FileType(Kind.OLE, "OLE compound file (legacy Office, MSG)")
    if head.startswith(b"ITSF"):
        return FileType(Kind.CHM, "Compiled HTML Help (CHM)")
    if head.startswith(_ONENOTE):
        return FileType(Kind.ONENOTE, "OneNote section")
    if head.startswith(b"vhdxfile"):
        return FileType(Kind.VHDX, "Hyper-V virtual disk (VHDX)")
    if head.startswith(b"conectix") or end[-512:].startswith(b"conectix"):
        return FileType(Kind.VHD, "virtual hard disk (VHD)")
    if len(head) >= 0x8006 and head[0x8001:0x8006] == b"CD001":
        return FileType(Kind.ISO, "ISO 9660 disc image")
    if len(head) >= 0x8006 and head[0x8001:0x8006] in (b"BEA01", b"NSR02", b"NSR03"):
        return FileType(Kind.UDF, "UDF disc image")
    if len(end) >= 512 and end[-512:-508] == b"koly":
        return FileType(Kind.DMG, "Apple disk image (DMG)")
    if head.startswith(b"xar!"):
        return FileType(Kind.XAR, "XAR archive (macOS installer package)")
    if head.startswith(b"Cr24"):
        return FileType(Kind.CRX, "Chrome extension (CRX)")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return zip_flavour(io.BytesIO(data))
    if head.startswith(b"Rar!\x1a\x07"):
        headers = read_rar(data)  # its headers: a password on the file list or on members is told there
        return FileType(Kind.RAR, "RAR archive", headers.encryption if headers is not None else "")
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return FileType(Kind.SEVENZIP, "7-Zip archive", _sevenzip_encryption(data, size, end))
    if head.startswith(b"\x1f\x8b"):
        return FileType(Kind.GZIP, "gzip data")
    if head.startswith(b"BZh"):
        return FileType(Kind.BZIP2, "bzip2 data")
    if head.startswith(b"\xfd7zXZ\x00"):
        return FileType(Kind.XZ, "xz data")
    if len(head) >= 262 and head[257:262] == b"ustar":
        return FileType(Kind.TAR, "tar archive")
    if head.startswith(b"MSCF"):
        return FileType(Kind.CAB, "Microsoft cabinet (CAB)")
    if head.startswith(b"%PDF-"):
        return FileType(Kind.PDF, "PDF document")
    if head.startswith(b"{\\rt"):
        return FileType(Kind.RTF, "RTF document")
    if head.startswith(b"FasdUAS"):
        return FileType(Kind.APPLESCRIPT, "compiled AppleScript")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return FileType(Kind.IMAGE, "image")
    if len(head) >= 512 and head[510:512] == b"\x55\xaa" and size >= 1024 * 1024:
        return FileType(Kind.DISK_IMAGE, "raw disk image (IMG)")
    if _is_text(head):
        return _identify_text(head, text_head)
    return FileType(Kind.UNKNOWN, "data")


# A 7z coder record naming 7zAES (id 06 F1 07 01, 4-byte id with properties): the only part of an
# encrypted 7z that is not itself encrypted or compressed, in the archive's last header.
_SEVENZIP_AES = b"\x24\x06\xf1\x07\x01"


def _sevenzip_encryption(data: bytes, size: int, end: bytes) -> str:
    """ "encrypted" or "encrypted, names hidden" when the 7z's end header names the AES coder, else ""."""
    offset = int.from_bytes(data[12:20], "little")
    length = int.from_bytes(data[20:28], "little")
    start = 32 + offset
    if start + length <= len(data):
        header = data[start : start + length]
    elif start + length == size and 0 < length <= len(end):
        header = end[len(end) - length :]
    else:
        return ""  # the header is past what was read: unknown
    if _SEVENZIP_AES in header:
        # 0x17 is an "encoded header": the file list itself is packed, here with AES (7z -mhe=on).
        return "encrypted, names hidden" if header[:1] == b"\x17" else "encrypted"
    if header[:1] == b"\x17":
        # The file list is only LZMA-packed (7-Zip's default): unpack its start, where the coders are.
        unpacked = _sevenzip_unpack_header(data, header)
        if unpacked is not None and _SEVENZIP_AES in unpacked:
            return "encrypted"
    return ""


_SEVENZIP_LZMA = b"\x03\x01\x01"
_SEVENZIP_HEADER_READ = 65536  # the coders come before the file names in the header


def _sevenzip_number(buf: bytes, at: int) -> tuple[int, int]:
    """A 7z NUMBER at `at`: the count of leading one bits of its first byte is the count of bytes that follow."""
    first = buf[at]
    value = 0
    mask = 0x80
    for index in range(8):
        if not first & mask:
            return value | ((first & (mask - 1)) << (8 * index)), at + 1 + index
        value |= buf[at + 1 + index] << (8 * index)
        mask >>= 1
    return value, at + 9


def _sevenzip_unpack_header(data: bytes, encoded: bytes) -> bytes | None:
    """The first 64 KiB of a 7z header packed with one LZMA coder, or None for any other shape (or
    when the packed header lies past the bytes at hand)."""
    import lzma

    try:
        # kEncodedHeader, kPackInfo: pack position, one pack stream, kSize: its size.
        if encoded[1:2] != b"\x06":
            return None
        pack_pos, at = _sevenzip_number(encoded, 2)
        streams, at = _sevenzip_number(encoded, at)
        if streams != 1 or encoded[at : at + 1] != b"\x09":
            return None
        pack_size, at = _sevenzip_number(encoded, at + 1)
        # kUnPackInfo, kFolder, one folder, not external, one coder: LZMA (id 030101) with 5 property bytes.
        coder = encoded.find(b"\x07\x0b\x01\x00\x01\x23" + _SEVENZIP_LZMA + b"\x05", at)
        if coder < 0:
            return None
        props = encoded[coder + 10 : coder + 15]
        start = 32 + pack_pos
        packed = data[start : start + pack_size]
        if len(props) != 5 or len(packed) != pack_size or props[0] >= 9 * 5 * 5:
            return None
        lp_pb, lc = divmod(props[0], 9)
        pb, lp = divmod(lp_pb, 5)
        # Only the first 64 KiB is unpacked, so no match reaches further back than that: a small
        # dictionary is enough, and a hostile header cannot make liblzma allocate gigabytes.
        dict_size = min(max(int.from_bytes(props[1:5], "little"), 4096), 1 << 20)
        lzma_filter = {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}
        decoder = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma_filter])
        return decoder.decompress(packed, _SEVENZIP_HEADER_READ)
    except (IndexError, ValueError, lzma.LZMAError, MemoryError):
        return None


def _identify_text(head: bytes, text_head: int) -> FileType:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:text_head]
    shebang = _SHEBANG.match(text)
    if shebang:
        return FileType(Kind.SCRIPT, "script", shebang.group(1).decode("ascii", "replace"))
    if b"<" in text:
        if _HTA.search(text):
            return FileType(Kind.HTA, "HTML application (HTA)")
        if _SVG.search(text[:2048]):
            return FileType(Kind.SVG, "SVG image")
        if _HTML.search(text[:4096]):
            return FileType(Kind.HTML, "HTML document")
    lowered = text.lower()
    for language, shape in _SCRIPT_SHAPES:
        if any(word in lowered for word in _SHAPE_WORDS[language]) and shape.search(lowered):
            return FileType(Kind.SCRIPT, "script", language)
    return FileType(Kind.TEXT, "text")


# Extensions a name may carry for each kind; a name outside its kind's set is a mismatch.
EXPECTED_EXTENSIONS: dict[Kind, frozenset[str]] = {
    Kind.PE: frozenset({"exe", "dll", "scr", "sys", "cpl", "ocx", "com", "efi", "mui", "node"}),
    Kind.LNK: frozenset({"lnk"}),
    Kind.ISO: frozenset({"iso"}),
    Kind.UDF: frozenset({"iso", "udf", "img"}),
    Kind.VHD: frozenset({"vhd"}),
    Kind.VHDX: frozenset({"vhdx"}),
    Kind.DMG: frozenset({"dmg"}),
    Kind.CHM: frozenset({"chm"}),
    Kind.HTA: frozenset({"hta"}),
    Kind.PDF: frozenset({"pdf"}),
    Kind.MSI: frozenset({"msi"}),
    Kind.ONENOTE: frozenset({"one"}),
    Kind.RTF: frozenset({"rtf", "doc"}),
}


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def name_mismatch(name: str, filetype: FileType) -> bool:
    """True when the bytes are of a kind whose extensions the name does not carry (an .exe named .pdf)."""
    expected = EXPECTED_EXTENSIONS.get(filetype.kind)
    return expected is not None and extension(name) not in expected


# What a name promises to run as, by its last extension: all that is known of a member whose bytes
# are encrypted. Only ever reported beside "cannot be read", never used to judge bytes.
_RUNNABLE_NAMES: dict[str, str] = {
    **dict.fromkeys(("exe", "scr", "com", "pif", "cpl", "dll", "msi", "jar"), "an executable or installer"),
    **dict.fromkeys(("js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "bat", "cmd", "hta", "sh"), "a script"),
    **dict.fromkeys(("scpt", "applescript", "command", "app", "pkg", "mpkg"), "a macOS application or script"),
    "lnk": "a Windows shortcut (LNK)",
    "chm": "a compiled help file (CHM)",
    **dict.fromkeys(("iso", "img", "vhd", "vhdx", "dmg"), "a disk image"),
}


def name_suggests(name: str) -> str:
    """What runnable kind a file name claims ("a script", "a Windows shortcut (LNK)"), or "" for none.
    A `.app` bundle's files are named after the bundle (`Invoice.app/Contents/MacOS/Invoice`)."""
    if re.search(r"\.app/", name, re.I):
        return _RUNNABLE_NAMES["app"]
    return _RUNNABLE_NAMES.get(extension(name.rstrip(" .")), "")
