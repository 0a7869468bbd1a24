"""Python that execs, evals or spawns a string it decoded (base64, zlib, marshal, hex, rot13) or
connects to a decoded address: the shape of InvisibleFerret droppers and the DMM "coding test"."""

from __future__ import annotations

from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, is_python
from heistguard.artifacts.detectors.flow import PY_DECODE_TRIGGERS, py_flows, py_may_flow
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.py-decoded-exec",
    severity=Severity.HIGH,
    title="Python executes or connects to something it decoded at run time",
    rationale="`exec(zlib.decompress(base64.b64decode(...)))` and `marshal.loads` payloads are how Python "
    "droppers (InvisibleFerret, malicious PyPI packages) hide their code from review; a decoded value "
    "that reaches exec, eval, compile, subprocess or a socket is the tell, not the import of base64.",
    attack=("T1059.006", "T1027", "T1140"),
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    if not py_may_flow(target.data):
        return
    seen: set[str] = set()
    for flow in py_flows(target.text):
        what = "executes decoded code" if flow.sink == "exec" else "connects to a decoded address"
        if what in seen:
            continue
        seen.add(what)
        yield RULE.finding(f"{target.name} {what}", [target.evidence(flow.offset)])


DETECTOR = Detector(
    rule=RULE,
    applies=is_python,
    check=_check,
    triggers=PY_DECODE_TRIGGERS,
    bad=(
        Sample("main.py", b"import base64, zlib\nexec(zlib.decompress(base64.b64decode(b'eJwrKMrMK9EAAAYpAf0=')))\n"),
        Sample(
            "test/run.py",
            b"import marshal, base64\ncode = marshal.loads(base64.b64decode(BLOB))\nexec(code)\n",
        ),
        Sample(
            "bot.py",
            b"import base64, urllib.request\nu = base64.b64decode('aHR0cDovL2MyLmV4YW1wbGUuaW52YWxpZA==').decode()\n"
            b"urllib.request.urlopen(u)\n",
        ),
        Sample("legacy.py", b"import zlib,base64\nexec zlib.decompress(base64.b64decode('eJwrKMrMK9EAAAYpAf0='))\n"),
    ),
    good=(
        Sample(
            "util.py", b"import base64\ndata = base64.b64decode(s)\nopen('x.bin', 'wb').write(data)\nexec('pass')\n"
        ),
        Sample("cfg.py", b"import json, zlib\ncfg = json.loads(zlib.decompress(blob))\nprint(cfg)\n"),
    ),
)
