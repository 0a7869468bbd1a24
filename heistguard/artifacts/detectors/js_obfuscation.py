"""JavaScript shaped by javascript-obfuscator and similar tools: hex-named identifiers, a large
string array rotated at start-up and read through an accessor function."""

from __future__ import annotations

import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, is_js
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.js-obfuscation",
    severity=Severity.MEDIUM,
    title="JavaScript is obfuscated (string array, rotation, hex identifiers)",
    rationale="Minifiers shorten names; obfuscators hide strings in a rotated array and rename everything to "
    "`_0x1a2b`. Published npm libraries and coding tests ship source or minified code, not this, while "
    "BeaverTail and most npm stealers are delivered exactly this way. Medium alone; the decoded-exec, "
    "downloader and wallet rules say what the hidden code does.",
    attack=("T1027",),
    references=("https://github.com/javascript-obfuscator/javascript-obfuscator#options",),
)

_HEX_IDENT = re.compile(rb"\b_0x[0-9a-f]{4,6}\b")
# The rotation loop: `while(!![]){try{const x=-parseInt(...)/0x1+...;if(x===target)break;else arr.push(arr.shift());}`
_ROTATION = re.compile(rb"\[['\"]push['\"]\]\(\s*\w+\[['\"]shift['\"]\]\(\)\)|\.push\(\s*\w+\.shift\(\)\s*\)")
_PARSEINT_SUM = re.compile(rb"parseInt\(\w+\(0x[0-9a-f]+\)\)\s*/\s*0x[0-9a-f]+")
_STRING_ARRAY = re.compile(rb"=\s*\[(?:\s*['\"][^'\"\n]{0,80}['\"]\s*,){200,}")
_WHILE_TRUE = b"while(!![])"


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    data = target.data
    if b"_0x" not in data and b"while(!![])" not in data:
        return
    signs: list[str] = []
    first = -1
    hex_names = set(_HEX_IDENT.findall(data[:2_000_000]))
    if len(hex_names) >= 20:
        signs.append(f"{len(hex_names)} `_0x` identifiers")
        first = data.find(b"_0x")
    rotation = _ROTATION.search(data)
    if rotation and (_WHILE_TRUE in data or _PARSEINT_SUM.search(data)):
        signs.append("string-array rotation loop")
        first = rotation.start() if first < 0 else first
    if _PARSEINT_SUM.search(data):
        signs.append("parseInt checksum of array reads")
    if hex_names and _STRING_ARRAY.search(data[:2_000_000]):
        signs.append("large string array")
    if len(signs) < 2:
        return
    offset = len(data[:first].decode("utf-8", "replace")) if first >= 0 else 0
    yield RULE.finding(f"{target.name} is obfuscated: {', '.join(signs)}", [target.evidence(offset)])


_OBFUSCATED = (
    b"(function(_0x1f2a3b,_0x4c5d6e){const _0x7a8b9c=_0x2d3e;const _0x5e6f7a=_0x1f2a3b();while(!![]){try{"
    b"const _0x3b4c5d=-parseInt(_0x7a8b9c(0x1a2))/0x1+parseInt(_0x7a8b9c(0x1b3))/0x2;if(_0x3b4c5d===_0x4c5d6e)break;"
    b"else _0x5e6f7a['push'](_0x5e6f7a['shift']());}catch(_0x9a0b1c){_0x5e6f7a['push'](_0x5e6f7a['shift']());}}}"
    b"(_0x4e5f,0x6b1c2));function _0x2d3e(_0x1a2b3c,_0x4d5e6f){const _0x4e5f6a=_0x4e5f();return _0x2d3e=function("
    b"_0x7b8c9d,_0x1e2f3a){_0x7b8c9d=_0x7b8c9d-0x1a2;let _0x2a3b4c=_0x4e5f6a[_0x7b8c9d];return _0x2a3b4c;},"
    b"_0x2d3e(_0x1a2b3c,_0x4d5e6f);}\n"
    + b"".join(b"var _0x%04x=_0x2d3e(0x%x);\n" % (0xA000 + i, 0x1A2 + i) for i in range(24))
)

DETECTOR = Detector(
    rule=RULE,
    applies=is_js,
    check=_check,
    triggers=(b"_0x", b"while(!![])"),
    bad=(Sample("public/js/app.js", _OBFUSCATED, "javascript-obfuscator's rotation prologue and hex names"),),
    good=(
        Sample(
            "dist/lib.min.js",
            b"!function(e,t){'object'==typeof exports?module.exports=t():e.lib=t()}(this,function(){"
            b"var a=[1,2,3];a.push(a.shift());return a});\n",
        ),
        Sample("src/index.js", b"export function add(a, b) { return a + b; }\n"),
    ),
)
