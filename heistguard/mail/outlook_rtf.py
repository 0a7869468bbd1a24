"""The HTML body Outlook keeps inside its compressed RTF (MS-OXRTFCP decompression, MS-OXRTFEX de-encapsulation)."""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Callable

MAX_RTF = 16 * 1024 * 1024  # decompressed bytes kept; parsing stops at the limit rather than growing memory
COMPRESSED = 0x75465A4C  # "LZFu"
UNCOMPRESSED = 0x414C454D  # "MELA"
# The dictionary every compressed stream starts from (MS-OXRTFCP 2.1.2.1), 207 bytes.
INITIAL_DICTIONARY = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    b"\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    b"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)
# Groups whose text is never body text.
_SKIPPED_GROUPS = {
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"header",
    b"footer",
    b"listtable",
    b"listoverridetable",
    b"rsidtbl",
    b"generator",
}
_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
_TEXT_WORDS = {b"par": "\r\n", b"line": "\r\n", b"tab": "\t", b"lquote": "\u2018", b"rquote": "\u2019"}
_TEXT_WORDS |= {b"ldblquote": "\u201c", b"rdblquote": "\u201d", b"bullet": "\u2022", b"emdash": "\u2014"}
_TEXT_WORDS |= {b"endash": "\u2013", b"emspace": "\u2003", b"enspace": "\u2002", b"~": "\xa0"}


def decompress_rtf(data: bytes) -> bytes | None:
    """PidTagRtfCompressed decompressed; None when the stream is not one."""
    if len(data) < 16:
        return None
    _size, raw_size, kind, _crc = struct.unpack_from("<IIII", data)
    if kind == UNCOMPRESSED:
        return data[16 : 16 + min(raw_size, MAX_RTF)]
    if kind != COMPRESSED:
        return None
    dictionary = bytearray(4096)
    dictionary[: len(INITIAL_DICTIONARY)] = INITIAL_DICTIONARY
    write = len(INITIAL_DICTIONARY)
    out = bytearray()
    limit = min(raw_size, MAX_RTF)
    position = 16
    while position < len(data) and len(out) < limit:
        control = data[position]
        position += 1
        for bit in range(8):
            if position >= len(data) or len(out) >= limit:
                break
            if not control & (1 << bit):  # a literal byte
                byte = data[position]
                position += 1
                out.append(byte)
                dictionary[write] = byte
                write = (write + 1) % 4096
                continue
            if position + 1 >= len(data):
                return bytes(out)
            reference = (data[position] << 8) | data[position + 1]  # big-endian: 12-bit offset, 4-bit length
            position += 2
            offset, length = reference >> 4, (reference & 0xF) + 2
            if offset == write:
                return bytes(out)  # the end marker
            for step in range(length):
                byte = dictionary[(offset + step) % 4096]
                out.append(byte)
                dictionary[write] = byte
                write = (write + 1) % 4096
    return bytes(out[:limit])


def html_from_rtf(rtf: bytes) -> str | None:
    """The HTML that RTF written with \\fromhtml1 encapsulates; None for RTF that did not come from HTML."""
    if b"\\fromhtml1" not in rtf[:4096]:
        return None
    return text_of_rtf(rtf)


def text_of_rtf(rtf: bytes) -> str:
    """The text of an RTF document; for encapsulated HTML, the HTML.

    Text inside {\\*\\htmltag ...} groups is HTML markup; other text is HTML text unless \\htmlrtf marks it
    as RTF-only; every other ignorable destination and the font, colour and style tables are skipped."""
    codepage = re.search(rb"\\ansicpg(\d{1,5})", rtf[:4096])
    decode = _decoder(int(codepage.group(1)) if codepage else 1252)
    out: list[str] = []
    pending = bytearray()  # \'hh bytes, decoded together so multi-byte code pages come out whole
    stack = [_Group()]
    group_start = False  # the next token is the first of a group (where destinations are named)
    fallback_length, skip_fallback = 1, 0  # characters after \uN standing in for it in older readers

    def flush() -> None:
        if pending:
            out.append(decode(bytes(pending)))
            pending.clear()

    for match in _TOKEN.finditer(rtf):
        word, number, hex_byte, symbol, brace, text = match.groups()
        first, group_start = group_start, False
        group = stack[-1]
        if brace is not None:
            flush()
            if brace == b"{":
                stack.append(_Group(group.skip, group.tag, group.rtf_only))
                group_start = True
            elif len(stack) > 1:
                stack.pop()
            continue
        if symbol == b"*" and first:
            group.destination = True  # an ignorable destination: skipped unless it is \htmltag
            group_start = True
            continue
        if word is not None and group.destination:
            group.destination = False
            group.skip, group.tag = word != b"htmltag", word == b"htmltag"
            continue
        if word is not None and first and word in _SKIPPED_GROUPS:
            group.skip = True
            continue
        if word == b"htmlrtf":
            group.rtf_only = number != b"0"
            continue
        if word == b"uc" and number is not None:
            fallback_length = int(number)
            continue
        if group.skip or (group.rtf_only and not group.tag):
            continue
        if word is not None:
            if word == b"u" and number is not None:
                flush()
                out.append(chr(int(number) % 0x10000))
                skip_fallback = fallback_length
            elif word in _TEXT_WORDS:
                flush()
                out.append(_TEXT_WORDS[word])
            continue
        if symbol is not None:
            flush()
            if symbol in b"{}\\":
                out.append(symbol.decode("ascii"))
            elif symbol in b"\r\n":
                out.append("\r\n")
            elif symbol == b"~":
                out.append("\xa0")
            continue
        if hex_byte is not None:
            if skip_fallback:
                skip_fallback -= 1
            else:
                pending.append(int(hex_byte, 16))
            continue
        if text is not None:
            flush()
            dropped = min(skip_fallback, len(text))
            skip_fallback -= dropped
            out.append(decode(text[dropped:]))
    flush()
    # \uN gives UTF-16 units: join surrogate pairs, replace lone halves.
    return "".join(out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class _Group:
    __slots__ = ("destination", "rtf_only", "skip", "tag")

    def __init__(self, skip: bool = False, tag: bool = False, rtf_only: bool = False) -> None:
        self.skip = skip  # text here is not part of the HTML
        self.tag = tag  # inside {\\*\\htmltag ...}: HTML markup
        self.rtf_only = rtf_only  # after \\htmlrtf, before \\htmlrtf0
        self.destination = False  # after \\*, waiting for the destination's name


def _decoder(codepage: int) -> Callable[[bytes], str]:
    name = "utf-8" if codepage == 65001 else f"cp{codepage}"
    try:
        codecs.lookup(name)
    except LookupError:
        name = "cp1252"
    return lambda data: data.decode(name, "replace")
